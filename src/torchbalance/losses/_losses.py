"""Focal, binary focal, asymmetric, class-balanced and cost-sensitive loss modules."""

from __future__ import annotations

from typing import Any

import torch

from ..functional._logit_adjust import check_weight
from ..functional._loss_common import (
    check_binary_inputs,
    check_class_inputs,
    resolve_class_counts,
)
from ..functional._losses import (
    CLASS_BALANCED_BASES,
    _asymmetric,
    _binary_focal,
    _cb_weights,
    _class_balanced,
    _cost_sensitive,
    _focal,
    check_alpha,
    check_cost_matrix,
)
from ..utils import Interval, Options, check_param
from ._base import ClassLoss

__all__ = [
    "AsymmetricLoss",
    "BinaryFocalLoss",
    "ClassBalancedLoss",
    "CostSensitiveLoss",
    "FocalLoss",
]


class FocalLoss(ClassLoss):
    """Softmax focal loss ``-α_y (1 - p_y)^γ log p_y`` for multi-class classification.

    Down-weights well-classified examples so training concentrates on hard ones. With
    ``gamma=0`` and ``alpha=None`` it equals ``nn.CrossEntropyLoss`` with the same ``weight``,
    ``ignore_index``, ``label_smoothing`` and ``reduction``. Functional twin:
    :func:`torchbalance.functional.focal_loss` (which documents label smoothing).

    Args:
        gamma: Focusing parameter, a float >= 0.
        alpha: ``None``; a float multiplying every term; or per-class values ``(C,)``.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy`` (they also
            enter the ``"mean"`` denominator; ``alpha`` does not).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.
        label_smoothing: ``ε`` in [0, 1].

    Shape:
        ``logits``: ``(N, C)``; ``target``: ``(N,)`` int64; output: scalar or ``(N,)``.

    Attributes:
        alpha: Buffer: 0-d (a float alpha), ``(C,)``, or ``None``.
        weight: Buffer ``(C,)`` or ``None``.

    Raises:
        InvalidParameterError: A parameter out of range (named in the message).
        DataValidationError: ``alpha`` and ``weight`` of different lengths (in ``__init__``),
            or of another length than ``logits.shape[-1]`` (in ``forward``).

    References:
        Lin, Goyal, Girshick, He, Dollár. "Focal Loss for Dense Object Detection", ICCV 2017.

    Example:
        >>> criterion = FocalLoss(gamma=2.0)
        >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
        >>> round(float(criterion(logits, torch.tensor([0, 1]))), 4)
        0.0122
    """

    _owner = "FocalLoss"
    alpha: torch.Tensor | None

    def __init__(
        self,
        *,
        gamma: float = 2.0,
        alpha: Any = None,
        weight: Any = None,
        reduction: str = "mean",
        ignore_index: int = -100,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        check_param(self._owner, "gamma", gamma, [Interval(float, 0.0, None)])
        check_param(self._owner, "label_smoothing", label_smoothing, [Interval(float, 0.0, 1.0)])
        self._init_common(reduction, ignore_index)
        self.gamma = float(gamma)
        self.label_smoothing = float(label_smoothing)
        scale, per_class = check_alpha(self._owner, alpha)
        self._buffer("alpha", torch.tensor(scale) if scale is not None else per_class)
        self._buffer("weight", check_weight(self._owner, weight, self._num_classes()))

    def _num_classes(self) -> int | None:
        if self.alpha is not None and self.alpha.dim() == 1:
            return int(self.alpha.numel())
        weight = self._buffers.get("weight")
        return None if weight is None else int(weight.numel())

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_class_inputs(self._owner, logits, target, self._num_classes(), "alpha/weight")
        scale = self.alpha if self.alpha is not None and self.alpha.dim() == 0 else None
        per_class = self.alpha if self.alpha is not None and self.alpha.dim() == 1 else None
        return _focal(
            logits,
            target,
            self.gamma,
            scale,
            per_class,
            self.weight,
            self.reduction,
            self.ignore_index,
            self.label_smoothing,
        )

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, reduction={self.reduction!r}"


class BinaryFocalLoss(ClassLoss):
    """Sigmoid focal loss for binary and multi-label targets (torchvision's
    ``sigmoid_focal_loss`` formula), computed in float32 under autocast.

    Args:
        gamma: Focusing parameter, a float >= 0.
        alpha: Weight of the positives in [0, 1], or ``None`` for no weighting.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Shape:
        ``logits``: any shape, e.g. ``(N,)`` or ``(N, L)``; ``target``: same shape, 0/1 (or
        probabilities), any real dtype; output: scalar, or the input shape with ``"none"``.

    Raises:
        InvalidParameterError: A parameter out of range.
        DataValidationError: ``target`` of another shape than ``logits`` (in ``forward``).

    References:
        Lin, Goyal, Girshick, He, Dollár. "Focal Loss for Dense Object Detection", ICCV 2017.

    Example:
        >>> criterion = BinaryFocalLoss()
        >>> logits = torch.tensor([[3.0, -1.0], [-2.0, 0.5]])
        >>> round(float(criterion(logits, torch.tensor([[1, 0], [0, 1]]))), 4)
        0.0088
    """

    _owner = "BinaryFocalLoss"

    def __init__(
        self, *, gamma: float = 2.0, alpha: float | None = 0.25, reduction: str = "mean"
    ) -> None:
        super().__init__()
        check_param(self._owner, "gamma", gamma, [Interval(float, 0.0, None)])
        check_param(self._owner, "alpha", alpha, [Interval(float, 0.0, 1.0), None])
        self._init_common(reduction)
        self.gamma = float(gamma)
        self.alpha = None if alpha is None else float(alpha)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_binary_inputs(self._owner, logits, target)
        return _binary_focal(logits, target, self.gamma, self.alpha, self.reduction)

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, alpha={self.alpha}, reduction={self.reduction!r}"


class AsymmetricLoss(ClassLoss):
    """Asymmetric loss (ASL) for multi-label classification.

    Positives: ``-(1 - p)^γ+ log p``; negatives, with the shifted probability
    ``p_m = max(p - clip, 0)``: ``-p_m^γ- log(1 - p_m)``. With many easy negatives per image
    (the usual multi-label imbalance), ``γ- > γ+`` and the clip keep them from dominating.
    Functional twin: :func:`torchbalance.functional.asymmetric_loss`.

    Args:
        gamma_pos: Focusing parameter of the positives, a float >= 0.
        gamma_neg: Focusing parameter of the negatives, a float >= 0.
        clip: Probability margin in [0, 1) (0 disables the shift).
        reduction: ``"mean"`` (over all elements), ``"sum"`` (the authors' choice) or
            ``"none"``.

    Shape:
        ``logits``: ``(N, L)``; ``target``: ``(N, L)`` 0/1; output: scalar or ``(N, L)``.

    Raises:
        InvalidParameterError: A parameter out of range.
        DataValidationError: ``target`` of another shape than ``logits`` (in ``forward``).

    References:
        Ridnik, Ben-Baruch, Zamir, Noy, Friedman, Protter, Zelnik-Manor. "Asymmetric Loss For
        Multi-Label Classification", ICCV 2021.

    Example:
        >>> criterion = AsymmetricLoss(reduction="sum")
        >>> logits = torch.tensor([[3.0, -1.0], [-2.0, 0.5]])
        >>> round(float(criterion(logits, torch.tensor([[1, 0], [0, 1]]))), 4)
        0.1819
    """

    _owner = "AsymmetricLoss"

    def __init__(
        self,
        *,
        gamma_pos: float = 1.0,
        gamma_neg: float = 4.0,
        clip: float = 0.05,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        check_param(self._owner, "gamma_pos", gamma_pos, [Interval(float, 0.0, None)])
        check_param(self._owner, "gamma_neg", gamma_neg, [Interval(float, 0.0, None)])
        check_param(self._owner, "clip", clip, [Interval(float, 0.0, 1.0, "left")])
        self._init_common(reduction)
        self.gamma_pos = float(gamma_pos)
        self.gamma_neg = float(gamma_neg)
        self.clip = float(clip)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_binary_inputs(self._owner, logits, target)
        return _asymmetric(
            logits, target, self.gamma_pos, self.gamma_neg, self.clip, self.reduction
        )

    def extra_repr(self) -> str:
        return f"gamma_pos={self.gamma_pos}, gamma_neg={self.gamma_neg}, clip={self.clip}"


class ClassBalancedLoss(ClassLoss):
    """Class-balanced loss: the base loss of each sample times ``w_y ∝ (1 - β)/(1 - β^{n_y})``.

    The weights are the inverse effective numbers of samples, from
    :func:`torchbalance.weights.class_weights` (``"effective_number"``, mean 1), kept in the
    ``class_weights`` buffer. Functional twin:
    :func:`torchbalance.functional.class_balanced_loss` (which defines the bases).

    Args:
        class_counts: Training samples per class ``(C,)``, all > 0. Or pass ``labels``.
        labels: A dataset or its labels, counted (see :func:`torchbalance.labels.get_labels`).
        num_classes: ``C`` when counting ``labels``.
        base: ``"ce"`` (= ``"softmax"``, the paper's name), ``"sigmoid"`` or ``"focal"``
            (sigmoid focal, as in the paper).
        beta: In [0, 1); 0 gives unweighted loss, close to 1 inverse-frequency weights.
        gamma: Focusing parameter of ``base="focal"``, a float >= 0.
        reduction: ``"mean"`` (over counted rows), ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Shape:
        ``logits``: ``(N, C)``; ``target``: ``(N,)`` int64; output: scalar or ``(N,)``.

    Attributes:
        class_counts: Buffer ``(C,)``.
        class_weights: Buffer ``(C,)``, the class-balanced weights (mean 1).

    Raises:
        InvalidParameterError: A parameter out of range, or both or neither of
            ``class_counts`` and ``labels``.
        DataValidationError: Malformed counts or a class with no samples; a class-number
            mismatch with the logits (in ``forward``).

    References:
        Cui, Jia, Lin, Song, Belongie. "Class-Balanced Loss Based on Effective Number of
        Samples", CVPR 2019.

    Example:
        >>> criterion = ClassBalancedLoss([1000, 10], beta=0.99)
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(criterion(logits, torch.tensor([0, 1]))), 4)
        0.3133
    """

    _owner = "ClassBalancedLoss"
    class_counts: torch.Tensor
    class_weights: torch.Tensor

    def __init__(
        self,
        class_counts: Any = None,
        *,
        labels: Any = None,
        num_classes: int | None = None,
        base: str = "ce",
        beta: float = 0.9999,
        gamma: float = 2.0,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        check_param(self._owner, "base", base, [Options(CLASS_BALANCED_BASES)])
        check_param(self._owner, "beta", beta, [Interval(float, 0.0, 1.0, "left")])
        check_param(self._owner, "gamma", gamma, [Interval(float, 0.0, None)])
        self._init_common(reduction, ignore_index)
        counts = resolve_class_counts(self._owner, class_counts, labels, num_classes)
        self.base = base
        self.beta = float(beta)
        self.gamma = float(gamma)
        self._buffer("class_counts", counts)
        self._buffer("class_weights", _cb_weights(counts, self.beta))

    def _num_classes(self) -> int | None:
        return int(self.class_counts.numel())

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_class_inputs(self._owner, logits, target, self.class_counts.shape[0])
        return _class_balanced(
            logits,
            target,
            self.class_weights,
            self.base,
            self.gamma,
            self.reduction,
            self.ignore_index,
        )

    def extra_repr(self) -> str:
        return f"num_classes={self._num_classes()}, base={self.base!r}, beta={self.beta}"


class CostSensitiveLoss(ClassLoss):
    """Expected misclassification cost under the softmax, ``Σ_j K[y, j] softmax(z)_j``.

    Build ``K`` from class counts with :func:`cost_matrix_from_counts` or from your own
    table with :func:`cost_matrix_from_table`. The expected cost is bounded and its gradient
    vanishes for confident mistakes, so on its own it trains slowly; it is often added to a
    cross-entropy term. Functional twin: :func:`torchbalance.functional.cost_sensitive_loss`.

    Args:
        cost_matrix: ``K`` of shape ``(C, C)``: ``K[i, j]`` is the cost of predicting ``j``
            for a sample of class ``i``; finite, >= 0.
        reduction: ``"mean"`` (over counted rows), ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Shape:
        ``logits``: ``(N, C)``; ``target``: ``(N,)`` int64; output: scalar or ``(N,)``.

    Attributes:
        cost_matrix: Buffer ``(C, C)``.

    Raises:
        DataValidationError: A malformed cost matrix (in ``__init__``); logits with another
            number of classes (in ``forward``).

    References:
        Elkan. "The Foundations of Cost-Sensitive Learning", IJCAI 2001.

    Example:
        >>> criterion = CostSensitiveLoss([[0.0, 1.0], [5.0, 0.0]])
        >>> float(criterion(torch.tensor([[0.0, 0.0]]), torch.tensor([1])))
        2.5
    """

    _owner = "CostSensitiveLoss"
    cost_matrix: torch.Tensor

    def __init__(
        self, cost_matrix: Any, *, reduction: str = "mean", ignore_index: int = -100
    ) -> None:
        super().__init__()
        self._init_common(reduction, ignore_index)
        self._buffer("cost_matrix", check_cost_matrix(self._owner, cost_matrix))

    def _num_classes(self) -> int | None:
        return int(self.cost_matrix.shape[0])

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        check_class_inputs(self._owner, logits, target, self.cost_matrix.shape[0], "cost_matrix")
        return _cost_sensitive(logits, target, self.cost_matrix, self.reduction, self.ignore_index)

    def extra_repr(self) -> str:
        return f"num_classes={self._num_classes()}, reduction={self.reduction!r}"
