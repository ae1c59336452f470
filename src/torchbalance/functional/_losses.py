"""Focal, binary focal, asymmetric, class-balanced and cost-sensitive losses.

As in :mod:`._logit_adjust`, each loss has a private core that takes prepared tensors and never
branches on tensor values (the ``nn.Module`` faces call it with their buffers), and a public
function that validates its inputs and then calls the core. Float16/bfloat16 inputs are
computed in float32 through ``log_softmax``/``logsigmoid``-based formulas, so the losses stay
finite under autocast; the result is then float32.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..exceptions import DataValidationError
from ..utils import Interval, Options, check_param
from ..weights import class_weights
from ._adjusted_ce import adjusted_cross_entropy
from ._logit_adjust import _validating, check_weight
from ._loss_common import (
    as_class_vector,
    check_binary_inputs,
    check_class_counts,
    check_class_inputs,
    check_reduction,
    ignore_mask,
    reduce,
    upcast,
)

__all__ = [
    "CLASS_BALANCED_BASES",
    "asymmetric_loss",
    "binary_focal_loss",
    "check_cost_matrix",
    "class_balanced_loss",
    "class_balanced_weights",
    "cost_sensitive_loss",
    "focal_loss",
]

CLASS_BALANCED_BASES = ("ce", "softmax", "sigmoid", "focal")


def _power(base: torch.Tensor, gamma: float) -> torch.Tensor:
    """``base ** gamma`` for ``base >= 0`` with finite gradients at 0: for ``gamma < 1`` the
    gradient of ``pow`` there is ``0 * inf = NaN`` (a saturated logit, even on an ignored
    row, would poison the batch); the loss is flat there, so the gradient is 0. For
    ``gamma >= 1`` that gradient is finite and ``pow`` alone runs (a third of the passes)."""
    if gamma >= 1:
        return base.pow(gamma)
    tiny = torch.finfo(base.dtype).tiny
    return torch.where(base > 0, base.clamp_min(tiny).pow(gamma), torch.zeros_like(base))


def _modulator(one_minus_p: torch.Tensor, gamma: float) -> torch.Tensor | None:
    """``(1 - p) ** gamma``, or ``None`` for ``gamma == 0`` (a factor of one)."""
    return None if gamma == 0 else _power(one_minus_p.clamp_min(0), gamma)


# --- cores ---------------------------------------------------------------------------------


def _focal(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma: float,
    alpha_scale: float | torch.Tensor | None,
    alpha: torch.Tensor | None,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
) -> torch.Tensor:
    x = upcast(logits)
    valid, safe = ignore_mask(target, ignore_index, x.shape[1])
    log_p = F.log_softmax(x, dim=-1)
    w = None if weight is None else weight.to(dtype=x.dtype, device=x.device)
    factor = None if alpha is None else alpha.to(dtype=x.dtype, device=x.device)
    if w is not None:
        factor = w if factor is None else factor * w
    index = safe.unsqueeze(1)
    if label_smoothing == 0:
        log_p_true = log_p.gather(1, index).squeeze(1)
        loss = -log_p_true
        mod = _modulator(-torch.expm1(log_p_true), gamma)
        if mod is not None:
            loss = loss * mod
        if factor is not None:
            loss = loss * factor[safe]
    else:
        # Every class c of the smoothed target q = (1-ε) e_y + ε/C contributes
        # q_c * factor_c * (1 - p_c)^γ * (-log p_c): F.cross_entropy's definition when γ = 0.
        per_class = -log_p
        mod_all = _modulator(-torch.expm1(log_p), gamma)
        if mod_all is not None:
            per_class = per_class * mod_all
        if factor is not None:
            per_class = per_class * factor
        smooth = per_class.sum(-1) * (label_smoothing / x.shape[-1])
        loss = (1.0 - label_smoothing) * per_class.gather(1, index).squeeze(1) + smooth
    if alpha_scale is not None:
        loss = loss * alpha_scale
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    denominator = valid.sum().to(x.dtype) if w is None else torch.where(valid, w[safe], 0).sum()
    return reduce(loss, reduction, denominator)


def _binary_focal(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma: float,
    alpha: float | None,
    reduction: str,
) -> torch.Tensor:
    x = upcast(logits)
    t = target.to(x.dtype)
    # α_t = α t + (1 - α)(1 - t) enters BCE's fused element weight.
    alpha_t = None if alpha is None else t.mul(2 * alpha - 1).add_(1 - alpha)
    loss = F.binary_cross_entropy_with_logits(x, t, weight=alpha_t, reduction="none")
    if gamma != 0:
        # 1 - p_t = σ(x)(1 - t) + σ(-x) t; σ(-x) rather than 1 - σ(x): no cancellation at p ≈ 1.
        one_minus_pt = torch.lerp(torch.sigmoid(x), torch.sigmoid(-x), t)
        loss = loss * _power(one_minus_pt, gamma)
    return reduce(loss, reduction)


def _asymmetric(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma_pos: float,
    gamma_neg: float,
    clip: float,
    reduction: str,
) -> torch.Tensor:
    x = upcast(logits)
    t = target.to(x.dtype)
    one_minus_p = torch.sigmoid(-x)
    positive = F.logsigmoid(x)  # log p
    if clip > 0:
        # Probability shifting: p_m = max(p - m, 0), so 1 - p_m = min(1 - p + m, 1).
        one_minus_pm = (one_minus_p + clip).clamp(max=1)
        negative = torch.log(one_minus_pm)
        p_m = 1 - one_minus_pm
    else:
        negative = F.logsigmoid(-x)
        p_m = torch.sigmoid(x)
    if gamma_pos != 0:
        positive = positive * _power(one_minus_p, gamma_pos)
    if gamma_neg != 0:
        negative = negative * _power(p_m, gamma_neg)
    # y L+ + (1 - y) L-, as one lerp.
    return reduce(-torch.lerp(negative, positive, t), reduction)


def _class_balanced(
    logits: torch.Tensor,
    target: torch.Tensor,
    weights: torch.Tensor,
    base: str,
    gamma: float,
    reduction: str,
    ignore_index: int,
) -> torch.Tensor:
    x = upcast(logits)
    if base in ("ce", "softmax"):
        return adjusted_cross_entropy(
            x,
            target,
            weight=weights,
            reduction=reduction,
            ignore_index=ignore_index,
            count_denominator=True,
        )
    valid, safe = ignore_mask(target, ignore_index, x.shape[1])
    one_hot = F.one_hot(safe, x.shape[-1]).to(x.dtype)
    terms = F.binary_cross_entropy_with_logits(x, one_hot, reduction="none")
    if base == "focal":
        mod = _modulator(torch.lerp(torch.sigmoid(x), torch.sigmoid(-x), one_hot), gamma)
        if mod is not None:
            terms = terms * mod
    per_sample = terms.sum(-1)
    loss = per_sample * weights.to(dtype=x.dtype, device=x.device)[safe]
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    return reduce(loss, reduction, valid.sum().to(x.dtype))


class _ExpectedCost(torch.autograd.Function):
    """``ℓ_i = Σ_j K[y_i, j] p_ij`` with the closed-form gradient ``p_ik (K[y_i, k] - ℓ_i)``:
    one softmax, one row gather and one fresh tensor in the backward pass (autograd through
    ``softmax``, ``*`` and ``sum`` needs several). Double backward differentiates the composed
    formula."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        with torch.autocast(x.device.type, enabled=False):  # vecdot would run in bfloat16
            probabilities = torch.softmax(x, dim=1)
            loss = torch.linalg.vecdot(probabilities, rows)
        ctx.save_for_backward(probabilities, rows, loss, x)
        return loss

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor, None]:
        probabilities, rows, loss, x = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: differentiate the composed formula
            composed = (torch.softmax(x, dim=1) * rows).sum(1)
            (grad_x,) = torch.autograd.grad(composed, x, grad_out, create_graph=True)
            return grad_x, None
        grad = rows - loss.unsqueeze(1)
        grad.mul_(probabilities).mul_(grad_out.unsqueeze(1))
        return grad, None


def _cost_sensitive(
    logits: torch.Tensor,
    target: torch.Tensor,
    cost_matrix: torch.Tensor,
    reduction: str,
    ignore_index: int,
) -> torch.Tensor:
    x = upcast(logits)
    valid, safe = ignore_mask(target, ignore_index, x.shape[1])
    rows = cost_matrix.to(dtype=x.dtype, device=x.device).index_select(0, safe)
    loss = _ExpectedCost.apply(x, rows)
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    return reduce(loss, reduction, valid.sum().to(x.dtype))


# --- validation helpers --------------------------------------------------------------------


def _check_index_params(owner: str, reduction: str, ignore_index: int) -> None:
    check_reduction(owner, reduction)
    check_param(owner, "ignore_index", ignore_index, [Interval(int, None, None)])


def check_alpha(owner: str, alpha: Any) -> tuple[float | None, torch.Tensor | None]:
    """``(scale, per_class)`` from ``alpha``: ``None``, a float >= 0, or ``(C,)`` values >= 0."""
    if alpha is None:
        return None, None
    if _is_real_scalar(alpha):
        check_param(owner, "alpha", float(alpha), [Interval(float, 0.0, None)])
        return float(alpha), None
    return None, as_class_vector(owner, "alpha", alpha)


def _is_real_scalar(value: Any) -> bool:
    """A real number, NumPy scalar or 0-d array / tensor of one (not a bool)."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        dtype = torch.as_tensor(value).dtype
        return value.ndim == 0 and dtype != torch.bool and not dtype.is_complex
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_cost_matrix(owner: str, cost_matrix: Any) -> torch.Tensor:
    """A validated float64 ``(C, C)`` cost matrix: square, finite, every entry >= 0.

    Raises:
        DataValidationError: Not square 2-D, non-finite or negative entries.
    """
    try:
        matrix = torch.as_tensor(
            np.array(cost_matrix) if isinstance(cost_matrix, np.ndarray) else cost_matrix
        )
    except (TypeError, ValueError, RuntimeError) as error:
        raise DataValidationError(
            f"{owner}: cost_matrix must be a (C, C) table of numbers; got "
            f"{type(cost_matrix).__name__}."
        ) from error
    if matrix.dim() != 2 or matrix.shape[0] != matrix.shape[1] or matrix.numel() == 0:
        raise DataValidationError(
            f"{owner}: cost_matrix must be square (C, C), rows the true class and columns the "
            f"predicted one; got shape {tuple(matrix.shape)}."
        )
    if matrix.is_complex() or matrix.dtype == torch.bool:
        raise DataValidationError(f"{owner}: cost_matrix must hold real numbers.")
    matrix = matrix.to(torch.float64)
    if not bool(torch.isfinite(matrix).all()) or bool((matrix < 0).any()):
        raise DataValidationError(
            f"{owner}: cost_matrix must be finite and >= 0 everywhere (a cost, not a reward)."
        )
    return matrix


def class_balanced_weights(class_counts: Any, beta: float = 0.9999) -> torch.Tensor:
    """Cui et al.'s class-balanced weights ``(1 - β) / (1 - β ** n_c)``, mean 1 (float64).

    A thin call to :func:`torchbalance.weights.class_weights` (scheme
    ``"effective_number"``, ``normalize="mean"``), after refusing classes with no samples.

    Example:
        >>> [round(w, 4) for w in class_balanced_weights([1000, 10], beta=0.99).tolist()]
        [0.1746, 1.8254]
    """
    check_param("class_balanced_weights", "beta", beta, [Interval(float, 0.0, 1.0, "left")])
    counts = check_class_counts("class_balanced_weights", class_counts)
    return _cb_weights(counts, float(beta))


def _cb_weights(counts: torch.Tensor, beta: float) -> torch.Tensor:
    return class_weights(
        counts,
        "effective_number",
        from_counts=True,
        beta=beta,
        normalize="mean",
        dtype=torch.float64,
    )


# --- public functions ----------------------------------------------------------------------


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: Any = None,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Softmax focal loss ``-α_y (1 - p_y)^γ log p_y`` for multi-class targets.

    With ``gamma=0`` and ``alpha=None`` it is ``F.cross_entropy`` (with the same ``weight``,
    ``ignore_index``, ``label_smoothing`` and reductions). With label smoothing every class
    ``c`` of the smoothed target ``q = (1 - ε) e_y + ε / C`` contributes
    ``q_c α_c w_c (1 - p_c)^γ (-log p_c)``. ``weight`` enters the ``"mean"`` denominator
    (``Σ w_y`` over the counted rows, as in ``F.cross_entropy``); ``alpha`` does not.

    Args:
        logits: Scores of shape ``(N, C)``.
        target: Class indices of shape ``(N,)``.
        gamma: Focusing parameter, a float >= 0.
        alpha: ``None``; a float (multiplies every term); or per-class values ``(C,)``.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count (loss 0 with ``"none"``).
        label_smoothing: ``ε`` in [0, 1].

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: A bad ``gamma``, ``alpha``, ``label_smoothing`` or ``reduction``.
        DataValidationError: Malformed ``logits``/``target``, or ``alpha``/``weight`` with a
            number of classes other than ``logits.shape[-1]``.

    References:
        Lin, Goyal, Girshick, He, Dollár. "Focal Loss for Dense Object Detection", ICCV 2017.

    Example:
        >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
        >>> target = torch.tensor([0, 1])
        >>> round(float(focal_loss(logits, target, gamma=2.0)), 4)
        0.0122
        >>> bool(torch.isclose(focal_loss(logits, target, gamma=0.0),
        ...                    F.cross_entropy(logits, target)))
        True
    """
    owner = "focal_loss"
    check_param(owner, "gamma", gamma, [Interval(float, 0.0, None)])
    check_param(owner, "label_smoothing", label_smoothing, [Interval(float, 0.0, 1.0)])
    _check_index_params(owner, reduction, ignore_index)
    check_class_inputs(owner, logits, target)
    num_classes = logits.shape[-1]
    scale, per_class = check_alpha(owner, alpha)
    if per_class is not None and per_class.numel() != num_classes:
        raise DataValidationError(
            f"{owner}: alpha has {per_class.numel()} entries but logits have {num_classes} "
            "classes (logits.shape[-1]); give one alpha per class."
        )
    w = weight if isinstance(weight, torch.Tensor) and not _validating() else None
    if w is None:
        w = check_weight(owner, weight, num_classes)
    return _focal(
        logits,
        target,
        float(gamma),
        scale,
        per_class,
        w,
        reduction,
        ignore_index,
        float(label_smoothing),
    )


def binary_focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    reduction: str = "mean",
) -> torch.Tensor:
    """Sigmoid focal loss for binary and multi-label targets (torchvision's formula).

    ``FL = α_t (1 - p_t)^γ BCE(x, t)`` element-wise, with ``p = σ(x)``,
    ``p_t = p t + (1 - p)(1 - t)`` and ``α_t = α t + (1 - α)(1 - t)``.

    Args:
        logits: Scores of any shape (``(N,)`` binary, ``(N, L)`` multi-label).
        target: 0/1 labels (or probabilities) of the same shape, any real dtype.
        gamma: Focusing parameter, a float >= 0.
        alpha: Weight of the positives in [0, 1], or ``None`` for no weighting.
        reduction: ``"mean"`` (over all elements), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or the shape of ``logits`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: A bad ``gamma``, ``alpha`` or ``reduction``.
        DataValidationError: ``target`` of another shape than ``logits``.

    References:
        Lin, Goyal, Girshick, He, Dollár. "Focal Loss for Dense Object Detection", ICCV 2017.

    Example:
        >>> logits = torch.tensor([[3.0, -1.0], [-2.0, 0.5]])
        >>> target = torch.tensor([[1, 0], [0, 1]])
        >>> round(float(binary_focal_loss(logits, target)), 4)
        0.0088
    """
    owner = "binary_focal_loss"
    check_param(owner, "gamma", gamma, [Interval(float, 0.0, None)])
    check_param(owner, "alpha", alpha, [Interval(float, 0.0, 1.0), None])
    check_reduction(owner, reduction)
    check_binary_inputs(owner, logits, target)
    return _binary_focal(
        logits, target, float(gamma), None if alpha is None else float(alpha), reduction
    )


def asymmetric_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma_pos: float = 1.0,
    gamma_neg: float = 4.0,
    clip: float = 0.05,
    reduction: str = "mean",
) -> torch.Tensor:
    """Asymmetric loss (ASL) for multi-label classification.

    Positives: ``-(1 - p)^γ+ log p``; negatives, with the shifted probability
    ``p_m = max(p - m, 0)``: ``-p_m^γ- log(1 - p_m)``. Easy negatives are down-weighted
    (``γ- > γ+``) and very easy ones (``p < m``) discarded.

    Args:
        logits: Scores of shape ``(N, L)`` (any shape works element-wise).
        target: 0/1 labels of the same shape (a soft label ``y`` gives ``y L+ + (1 - y) L-``,
            the paper's equation; the authors' code also mixes the exponents there).
        gamma_pos: Focusing parameter of the positives, a float >= 0.
        gamma_neg: Focusing parameter of the negatives, a float >= 0.
        clip: Probability margin ``m`` in [0, 1) (0 disables the shift).
        reduction: ``"mean"`` (over all elements), ``"sum"`` (the authors' choice) or
            ``"none"``.

    Returns:
        The loss: a scalar, or the shape of ``logits`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: A bad ``gamma_pos``, ``gamma_neg``, ``clip`` or ``reduction``.
        DataValidationError: ``target`` of another shape than ``logits``.

    References:
        Ridnik, Ben-Baruch, Zamir, Noy, Friedman, Protter, Zelnik-Manor. "Asymmetric Loss For
        Multi-Label Classification", ICCV 2021.

    Example:
        >>> logits = torch.tensor([[3.0, -1.0], [-2.0, 0.5]])
        >>> target = torch.tensor([[1, 0], [0, 1]])
        >>> round(float(asymmetric_loss(logits, target, reduction="sum")), 4)
        0.1819
    """
    owner = "asymmetric_loss"
    check_param(owner, "gamma_pos", gamma_pos, [Interval(float, 0.0, None)])
    check_param(owner, "gamma_neg", gamma_neg, [Interval(float, 0.0, None)])
    check_param(owner, "clip", clip, [Interval(float, 0.0, 1.0, "left")])
    check_reduction(owner, reduction)
    check_binary_inputs(owner, logits, target)
    return _asymmetric(logits, target, float(gamma_pos), float(gamma_neg), float(clip), reduction)


def class_balanced_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    class_counts: Any,
    *,
    base: str = "ce",
    beta: float = 0.9999,
    gamma: float = 2.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    """Class-balanced loss: ``w_y · L(z, y)`` with ``w_c ∝ (1 - β) / (1 - β ** n_c)``.

    The weights come from :func:`torchbalance.weights.class_weights` (effective number of
    samples, normalised to mean 1 over the classes, as Cui et al.). The base loss ``L``:

    * ``"ce"`` / ``"softmax"`` (the paper's name): softmax cross-entropy;
    * ``"sigmoid"``: ``Σ_j BCE(z_j, [j = y])``, one sigmoid per class;
    * ``"focal"``: the sigmoid terms times ``(1 - p^t_j)^γ`` (the paper's focal variant).

    ``"mean"`` divides by the number of counted rows (the paper's average over samples;
    ``F.cross_entropy(weight=...)`` would divide by ``Σ w_y``).

    Args:
        logits: Scores of shape ``(N, C)``.
        target: Class indices of shape ``(N,)``.
        class_counts: Training samples per class, shape ``(C,)``, all > 0.
        base: ``"ce"``, ``"softmax"``, ``"sigmoid"`` or ``"focal"``.
        beta: In [0, 1); 0 gives plain (unweighted) loss, close to 1 inverse frequency.
        gamma: Focusing parameter of ``base="focal"``, a float >= 0 (ignored otherwise).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: A bad ``base``, ``beta``, ``gamma`` or ``reduction``.
        DataValidationError: Malformed counts, a class with no samples, or a class-number
            mismatch with ``logits``.

    References:
        Cui, Jia, Lin, Song, Belongie. "Class-Balanced Loss Based on Effective Number of
        Samples", CVPR 2019, Eqs. (5)-(7).

    Example:
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> target = torch.tensor([0, 1])
        >>> round(float(class_balanced_loss(logits, target, [1000, 10], beta=0.99)), 4)
        0.3133
    """
    owner = "class_balanced_loss"
    check_param(owner, "base", base, [Options(CLASS_BALANCED_BASES)])
    check_param(owner, "beta", beta, [Interval(float, 0.0, 1.0, "left")])
    check_param(owner, "gamma", gamma, [Interval(float, 0.0, None)])
    _check_index_params(owner, reduction, ignore_index)
    if _validating():
        counts = check_class_counts(owner, class_counts)
    else:
        counts = torch.as_tensor(class_counts, dtype=torch.float64)
    check_class_inputs(owner, logits, target, counts.numel())
    weights = _cb_weights(counts, float(beta)).to(logits.device)
    return _class_balanced(logits, target, weights, base, float(gamma), reduction, ignore_index)


def cost_sensitive_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    cost_matrix: Any,
    *,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    """Expected misclassification cost under the softmax: ``Σ_j K[y, j] · softmax(z)_j``.

    Args:
        logits: Scores of shape ``(N, C)``.
        target: Class indices of shape ``(N,)``.
        cost_matrix: ``K`` of shape ``(C, C)``: ``K[i, j]`` is the cost of predicting ``j``
            for a sample of class ``i`` (usually 0 on the diagonal); finite, >= 0.
        reduction: ``"mean"`` (over counted rows), ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        DataValidationError: A malformed cost matrix or one whose size is not
            ``logits.shape[-1]``.

    References:
        Elkan. "The Foundations of Cost-Sensitive Learning", IJCAI 2001 (expected cost);
        Kukar and Kononenko. "Cost-Sensitive Learning with Neural Networks", ECAI 1998.

    Example:
        >>> logits = torch.tensor([[0.0, 0.0]])
        >>> cost = torch.tensor([[0.0, 1.0], [5.0, 0.0]])
        >>> float(cost_sensitive_loss(logits, torch.tensor([1]), cost))
        2.5
    """
    owner = "cost_sensitive_loss"
    _check_index_params(owner, reduction, ignore_index)
    if isinstance(cost_matrix, torch.Tensor) and not _validating():
        matrix = cost_matrix
    else:
        matrix = check_cost_matrix(owner, cost_matrix)
    check_class_inputs(owner, logits, target, matrix.shape[0], "cost_matrix")
    return _cost_sensitive(logits, target, matrix.to(logits.device), reduction, ignore_index)
