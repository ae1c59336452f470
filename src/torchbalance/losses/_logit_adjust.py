"""Losses that move the logits by class statistics: LDAM, logit adjustment, balanced softmax, VS."""

from __future__ import annotations

from typing import Any

import torch

from ..exceptions import InvalidParameterError
from ..functional._logit_adjust import (
    _ldam,
    _logit_adjusted,
    _margins,
    _scales,
    _vs,
    check_weight,
    log_priors,
)
from ..functional._loss_common import (
    check_class_inputs,
    check_class_priors,
    check_num_classes_agree,
    resolve_class_counts,
)
from ..utils import Interval, check_param
from ._base import ClassLoss

__all__ = ["BalancedSoftmaxLoss", "LDAMLoss", "LogitAdjustedLoss", "VSLoss"]


class _CountLoss(ClassLoss):
    """A loss built from class counts or a dataset's labels; ``class_counts`` is a buffer."""

    class_counts: torch.Tensor

    def _counts(self, class_counts: Any, labels: Any, num_classes: int | None) -> torch.Tensor:
        counts = resolve_class_counts(self._owner, class_counts, labels, num_classes)
        self._buffer("class_counts", counts)
        return counts

    def _num_classes(self) -> int | None:
        return int(self.class_counts.numel())

    def _weight(self, weight: Any, num_classes: int) -> None:
        self._buffer("weight", check_weight(self._owner, weight, num_classes))

    def _check(self, logits: torch.Tensor, target: torch.Tensor) -> None:
        check_class_inputs(self._owner, logits, target, self.class_counts.shape[0])


class LDAMLoss(_CountLoss):
    """Label-distribution-aware margin loss (LDAM), ``CE(s · (z - Δ_y e_y), y)``.

    The true class's logit is lowered by ``Δ_y ∝ n_y ** (-1/4)``, the largest margin
    (``max_margin``) going to the rarest class, then the logits are scaled by ``s``. LDAM
    expects bounded (cosine) logits, e.g. a last layer with normalised features and weights;
    combine it with deferred re-weighting (:class:`DeferredReweighting` and
    :meth:`set_weight`) as in the paper (LDAM-DRW). Functional twin:
    :func:`torchbalance.functional.ldam_loss`.

    Args:
        class_counts: Training samples per class ``(C,)``, all > 0. Or pass ``labels``.
        labels: A dataset (see :func:`torchbalance.labels.get_labels`) or its labels, counted
            instead of ``class_counts``.
        num_classes: ``C`` when counting ``labels`` (every class must occur).
        max_margin: Margin of the rarest class, a float > 0.
        scale: Logit scale ``s``, a float > 0.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Shape:
        ``logits``: ``(N, C)`` float (float16/bfloat16 computed in float32); ``target``:
        ``(N,)`` int64; output: scalar, or ``(N,)`` with ``reduction="none"``.

    Attributes:
        class_counts: Buffer ``(C,)``.
        margins: Buffer ``(C,)``, ``Δ_c``.
        weight: Buffer ``(C,)`` or ``None``.

    Raises:
        InvalidParameterError: A parameter out of range (named in the message), or both or
            neither of ``class_counts`` and ``labels``.
        DataValidationError: Malformed counts or a class with no samples (in ``__init__``);
            logits whose number of classes differs from the counts' (in ``forward``).

    References:
        Cao, Wei, Gaidon, Arechiga, Ma. "Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Example:
        >>> criterion = LDAMLoss([100, 10])
        >>> logits = torch.tensor([[0.5, -0.2], [0.1, 0.3]])
        >>> round(float(criterion(logits, torch.tensor([0, 1]))), 4)
        4.5001
    """

    _owner = "LDAMLoss"
    margins: torch.Tensor

    def __init__(
        self,
        class_counts: Any = None,
        *,
        labels: Any = None,
        num_classes: int | None = None,
        max_margin: float = 0.5,
        scale: float = 30.0,
        weight: Any = None,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        check_param(self._owner, "max_margin", max_margin, [Interval(float, 0.0, None, "neither")])
        check_param(self._owner, "scale", scale, [Interval(float, 0.0, None, "neither")])
        self._init_common(reduction, ignore_index)
        counts = self._counts(class_counts, labels, num_classes)
        self.max_margin = float(max_margin)
        self.scale = float(scale)
        self._buffer("margins", _margins(counts, self.max_margin))
        self._weight(weight, counts.numel())

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        self._check(logits, target)
        return _ldam(
            logits,
            target,
            self.margins,
            self.scale,
            self.weight,
            self.reduction,
            self.ignore_index,
        )

    def extra_repr(self) -> str:
        return (
            f"num_classes={self._num_classes()}, max_margin={self.max_margin}, scale={self.scale}"
        )


class LogitAdjustedLoss(_CountLoss):
    """Logit-adjusted cross-entropy, ``CE(z + τ log π, y)``.

    Adding ``τ log π_y`` during training makes the learned scores estimate the balanced
    (class-prior-free) posterior, so the plain argmax at test time minimises the balanced
    error (``τ = 1`` is Fisher-consistent for it). Functional twin:
    :func:`torchbalance.functional.logit_adjusted_loss`; the post-hoc variant is
    :func:`torchbalance.functional.logit_adjust`.

    Args:
        class_counts: Training samples per class ``(C,)``, all > 0. Or pass ``class_priors``
            or ``labels`` (exactly one of the three).
        class_priors: Training class priors ``(C,)``, positive, summing to 1.
        labels: A dataset or its labels, counted (see :func:`torchbalance.labels.get_labels`).
        num_classes: ``C`` when counting ``labels``.
        tau: Strength, a float >= 0 (0 is plain cross-entropy).
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Shape:
        ``logits``: ``(N, C)``; ``target``: ``(N,)`` int64; output: scalar or ``(N,)``.

    Attributes:
        log_priors: Buffer ``(C,)``, ``log π_c``.
        class_counts: Buffer ``(C,)`` (the priors themselves when built from ``class_priors``).
        weight: Buffer ``(C,)`` or ``None``.

    Raises:
        InvalidParameterError: A parameter out of range, or not exactly one class statistic.
        DataValidationError: Malformed statistics or a class with no samples (in
            ``__init__``); a class-number mismatch with the logits (in ``forward``).

    References:
        Menon, Jayasumana, Rawat, Jain, Veit, Kumar. "Long-tail learning via logit
        adjustment", ICLR 2021.

    Example:
        >>> criterion = LogitAdjustedLoss([90, 10])
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(criterion(logits, torch.tensor([0, 1]))), 4)
        0.7506
    """

    _owner = "LogitAdjustedLoss"
    log_priors: torch.Tensor

    def __init__(
        self,
        class_counts: Any = None,
        *,
        class_priors: Any = None,
        labels: Any = None,
        num_classes: int | None = None,
        tau: float = 1.0,
        weight: Any = None,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        self._setup(
            class_counts, class_priors, labels, num_classes, tau, weight, reduction, ignore_index
        )

    def _setup(
        self,
        class_counts: Any,
        class_priors: Any,
        labels: Any,
        num_classes: int | None,
        tau: float,
        weight: Any,
        reduction: str,
        ignore_index: int,
    ) -> None:
        check_param(self._owner, "tau", tau, [Interval(float, 0.0, None)])
        self._init_common(reduction, ignore_index)
        given = sum(v is not None for v in (class_counts, class_priors, labels))
        if given != 1:
            raise InvalidParameterError(
                f"{self._owner}: pass exactly one of class_counts, class_priors or labels; "
                f"got {given}."
            )
        if class_priors is not None:
            priors = check_class_priors(self._owner, class_priors)
            check_num_classes_agree(self._owner, num_classes, "class_priors", priors)
            self._buffer("class_counts", priors)
            log_prior = torch.log(priors)
        else:
            log_prior = log_priors(self._counts(class_counts, labels, num_classes))
        self.tau = float(tau)
        self._buffer("log_priors", log_prior)
        self._weight(weight, log_prior.numel())

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        self._check(logits, target)
        return _logit_adjusted(
            logits,
            target,
            self.log_priors,
            self.tau,
            self.weight,
            self.reduction,
            self.ignore_index,
        )

    def extra_repr(self) -> str:
        return f"num_classes={self._num_classes()}, tau={self.tau}"


class BalancedSoftmaxLoss(LogitAdjustedLoss):
    """Balanced softmax cross-entropy, ``CE(z + log n, y)``: :class:`LogitAdjustedLoss` with
    ``τ = 1`` (and computed by it).

    Args:
        class_counts: Training samples per class ``(C,)``, all > 0. Or pass ``labels``.
        labels: A dataset or its labels, counted (see :func:`torchbalance.labels.get_labels`).
        num_classes: ``C`` when counting ``labels``.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Shape:
        ``logits``: ``(N, C)``; ``target``: ``(N,)`` int64; output: scalar or ``(N,)``.

    Raises:
        InvalidParameterError: Both or neither of ``class_counts`` and ``labels``.
        DataValidationError: Malformed counts or a class with no samples; a class-number
            mismatch with the logits (in ``forward``).

    References:
        Ren, Yu, Ma, Zhao, Yi, Li. "Balanced Meta-Softmax for Long-Tailed Visual
        Recognition", NeurIPS 2020.

    Example:
        >>> criterion = BalancedSoftmaxLoss([90, 10])
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(criterion(logits, torch.tensor([0, 1]))), 4)
        0.7506
    """

    _owner = "BalancedSoftmaxLoss"

    def __init__(
        self,
        class_counts: Any = None,
        *,
        labels: Any = None,
        num_classes: int | None = None,
        weight: Any = None,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        ClassLoss.__init__(self)
        self._setup(class_counts, None, labels, num_classes, 1.0, weight, reduction, ignore_index)

    def extra_repr(self) -> str:
        return f"num_classes={self._num_classes()}"


class VSLoss(_CountLoss):
    """Vector-scaling loss, ``CE(Δ ⊙ z + ι, y)``, ``Δ_c = (n_c / n_max)^γ``, ``ι_c = τ log π_c``.

    The multiplicative scales shrink the logits of rare classes (which enlarges their margin
    late in training, when the data is separable); the additive offsets are logit
    adjustment. Functional twin: :func:`torchbalance.functional.vs_loss`.

    Args:
        class_counts: Training samples per class ``(C,)``, all > 0. Or pass ``labels``.
        labels: A dataset or its labels, counted (see :func:`torchbalance.labels.get_labels`).
        num_classes: ``C`` when counting ``labels``.
        gamma: Exponent of the scales, a float >= 0.
        tau: Strength of the additive offsets, a float >= 0.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Shape:
        ``logits``: ``(N, C)``; ``target``: ``(N,)`` int64; output: scalar or ``(N,)``.

    Attributes:
        scales: Buffer ``(C,)``, ``Δ_c``.
        log_priors: Buffer ``(C,)``, ``log π_c``.

    Raises:
        InvalidParameterError: A parameter out of range, or both or neither of
            ``class_counts`` and ``labels``.
        DataValidationError: Malformed counts or a class with no samples; a class-number
            mismatch with the logits (in ``forward``).

    References:
        Kini, Paraskevas, Oymak, Thrampoulidis. "Label-Imbalanced and Group-Sensitive
        Classification under Overparameterization", NeurIPS 2021.

    Example:
        >>> criterion = VSLoss([90, 10])
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(criterion(logits, torch.tensor([0, 1]))), 4)
        0.8924
    """

    _owner = "VSLoss"
    scales: torch.Tensor
    log_priors: torch.Tensor

    def __init__(
        self,
        class_counts: Any = None,
        *,
        labels: Any = None,
        num_classes: int | None = None,
        gamma: float = 0.2,
        tau: float = 1.0,
        weight: Any = None,
        reduction: str = "mean",
        ignore_index: int = -100,
    ) -> None:
        super().__init__()
        check_param(self._owner, "gamma", gamma, [Interval(float, 0.0, None)])
        check_param(self._owner, "tau", tau, [Interval(float, 0.0, None)])
        self._init_common(reduction, ignore_index)
        counts = self._counts(class_counts, labels, num_classes)
        self.gamma = float(gamma)
        self.tau = float(tau)
        self._buffer("scales", _scales(counts, self.gamma))
        self._buffer("log_priors", log_priors(counts))
        self._weight(weight, counts.numel())

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        self._check(logits, target)
        return _vs(
            logits,
            target,
            self.scales,
            self.log_priors,
            self.tau,
            self.weight,
            self.reduction,
            self.ignore_index,
        )

    def extra_repr(self) -> str:
        return f"num_classes={self._num_classes()}, gamma={self.gamma}, tau={self.tau}"
