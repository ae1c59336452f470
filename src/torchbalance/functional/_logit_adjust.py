"""Losses that move the logits by class statistics before a softmax cross-entropy.

LDAM (Cao et al. 2019) subtracts a per-class margin from the true class's logit, logit
adjustment (Menon et al. 2021) adds ``tau * log prior``, balanced softmax (Ren et al. 2020) is
logit adjustment with ``tau = 1``, and VS (Kini et al. 2021) also scales the logits per class.
Each one builds the adjusted logits in one or two element-wise passes and then makes a single
:func:`torch.nn.functional.cross_entropy` call, so ``weight``, ``ignore_index`` and the
reductions mean exactly what they mean there.

Each loss has a private core (``_ldam``, ``_logit_adjusted``, ``_vs``) that takes the class
statistics already derived (margins, log-priors, scales) and never inspects tensor values: the
``nn.Module`` faces in :mod:`torchbalance.losses` call the cores with their buffers; the public
functions here validate the inputs first and derive the statistics from the counts.
"""

from __future__ import annotations

from typing import Any

import torch

from ..exceptions import DataValidationError
from ..utils import Interval, check_param
from ._adjusted_ce import adjusted_cross_entropy
from ._loss_common import (
    as_class_vector,
    check_class_counts,
    check_class_inputs,
    check_class_priors,
    check_reduction,
    upcast,
)

__all__ = [
    "balanced_softmax_loss",
    "ldam_loss",
    "ldam_margins",
    "log_priors",
    "logit_adjust",
    "logit_adjusted_loss",
    "vs_loss",
    "vs_scales",
]


# --- class statistics (float64, from validated counts) --------------------------------------


def log_priors(class_counts: torch.Tensor) -> torch.Tensor:
    """``log(n_c / N)`` of validated counts (any float dtype; computed in it)."""
    return torch.log(class_counts) - torch.log(class_counts.sum())


def ldam_margins(class_counts: Any, max_margin: float = 0.5) -> torch.Tensor:
    """LDAM margins ``Δ_c ∝ n_c ** (-1/4)``, scaled so that the largest is ``max_margin``.

    Args:
        class_counts: Samples per class ``n_c``, shape ``(C,)``, every count > 0.
        max_margin: The margin of the rarest class, a float > 0.

    Returns:
        Float64 tensor of shape ``(C,)``.

    Raises:
        DataValidationError: Malformed counts or a class with no samples.
        InvalidParameterError: ``max_margin <= 0``.

    References:
        Cao, Wei, Gaidon, Arechiga, Ma. "Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss", NeurIPS 2019, Eq. (12).

    Example:
        >>> ldam_margins([10000, 100, 1]).tolist()
        [0.05, 0.15811388300841897, 0.5]
    """
    check_param("ldam_margins", "max_margin", max_margin, [Interval(float, 0.0, None, "neither")])
    counts = check_class_counts("ldam_margins", class_counts)
    return _margins(counts, float(max_margin))


def _margins(counts: torch.Tensor, max_margin: float) -> torch.Tensor:
    inverse_fourth_root = counts.pow(-0.25)
    return inverse_fourth_root * (max_margin / inverse_fourth_root.max())


def vs_scales(class_counts: Any, gamma: float = 0.2) -> torch.Tensor:
    """VS multiplicative logit scales ``Δ_c = (n_c / n_max) ** gamma`` (1 for the largest class).

    Args:
        class_counts: Samples per class ``n_c``, shape ``(C,)``, every count > 0.
        gamma: Exponent, a float >= 0 (0 disables the scaling).

    Returns:
        Float64 tensor of shape ``(C,)``.

    References:
        Kini, Paraskevas, Oymak, Thrampoulidis. "Label-Imbalanced and Group-Sensitive
        Classification under Overparameterization", NeurIPS 2021.

    Example:
        >>> vs_scales([100, 1], gamma=0.5).tolist()
        [1.0, 0.1]
    """
    check_param("vs_scales", "gamma", gamma, [Interval(float, 0.0, None)])
    counts = check_class_counts("vs_scales", class_counts)
    return _scales(counts, float(gamma))


def _scales(counts: torch.Tensor, gamma: float) -> torch.Tensor:
    return (counts / counts.max()).pow(gamma)


# --- cores: no validation, no branching on tensor values -----------------------------------


def _logit_adjusted(
    logits: torch.Tensor,
    target: torch.Tensor,
    log_prior: torch.Tensor,
    tau: float,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
) -> torch.Tensor:
    x = upcast(logits)
    offset = tau * log_prior.to(dtype=x.dtype, device=x.device)
    return adjusted_cross_entropy(
        x, target, offset=offset, weight=weight, reduction=reduction, ignore_index=ignore_index
    )


def _ldam(
    logits: torch.Tensor,
    target: torch.Tensor,
    margins: torch.Tensor,
    scale: float,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
) -> torch.Tensor:
    # s * (z - Δ_y e_y): scale every logit, lower the true class's by s * Δ_y.
    x = upcast(logits)
    shift = scale * margins.to(dtype=x.dtype, device=x.device)
    return adjusted_cross_entropy(
        x,
        target,
        scale=scale,
        shift=shift,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
    )


def _vs(
    logits: torch.Tensor,
    target: torch.Tensor,
    scales: torch.Tensor,
    log_prior: torch.Tensor,
    tau: float,
    weight: torch.Tensor | None,
    reduction: str,
    ignore_index: int,
) -> torch.Tensor:
    x = upcast(logits)
    offset = tau * log_prior.to(dtype=x.dtype, device=x.device)
    return adjusted_cross_entropy(
        x,
        target,
        multiplier=scales,
        offset=offset,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
    )


# --- public functions: validate, derive the statistics, call the core ----------------------


def _validating() -> bool:
    """Value checks run eagerly only; under ``torch.compile`` they would break the graph."""
    return not torch.compiler.is_compiling()


def check_weight(owner: str, weight: Any, num_classes: int | None = None) -> torch.Tensor | None:
    """``None`` or a validated ``(C,)`` float tensor of per-class weights (its device kept)."""
    if weight is None:
        return None
    if isinstance(weight, torch.Tensor):
        vector = as_class_vector(owner, "weight", weight.detach().cpu())
        vector = vector.to(device=weight.device)
    else:
        vector = as_class_vector(owner, "weight", weight)
    if num_classes is not None and vector.numel() != num_classes:
        raise DataValidationError(
            f"{owner}: weight has {vector.numel()} entries but there are {num_classes} classes; "
            "give one weight per class."
        )
    return vector


def _check_common(
    owner: str,
    logits: torch.Tensor,
    target: torch.Tensor,
    num_classes: int,
    weight: Any,
    reduction: str,
    ignore_index: int,
    source: str = "class_counts",
) -> torch.Tensor | None:
    check_reduction(owner, reduction)
    check_param(owner, "ignore_index", ignore_index, [Interval(int, None, None)])
    check_class_inputs(owner, logits, target, num_classes, source)
    if isinstance(weight, torch.Tensor) and not _validating():
        return weight
    return check_weight(owner, weight, num_classes)


def _counts(owner: str, class_counts: Any, device: torch.device) -> torch.Tensor:
    if _validating():
        return check_class_counts(owner, class_counts).to(device)
    return torch.as_tensor(class_counts, dtype=torch.float64, device=device)


def logit_adjust(logits: torch.Tensor, priors: Any, tau: float = 1.0) -> torch.Tensor:
    """Post-hoc logit adjustment: ``logits - tau * log(priors)`` (Menon et al. 2021, Eq. 9).

    Applied at prediction time to a model trained with plain cross-entropy, the argmax of the
    adjusted logits targets the balanced error instead of the error on the training
    distribution.

    Args:
        logits: Scores of shape ``(..., C)``.
        priors: Training class priors ``π_c``, shape ``(C,)``, positive, summing to 1.
        tau: Strength, a float >= 0 (Menon et al. use 1).

    Returns:
        Adjusted logits, same shape and dtype as ``logits``.

    Raises:
        DataValidationError: Malformed priors or ``logits.shape[-1] != len(priors)``.
        InvalidParameterError: A negative or non-finite ``tau``.

    References:
        Menon, Jayasumana, Rawat, Jain, Veit, Kumar. "Long-tail learning via logit
        adjustment", ICLR 2021.

    Example:
        >>> logits = torch.tensor([[2.0, 1.5]])
        >>> logit_adjust(logits, [0.9, 0.1]).argmax(-1).tolist()
        [1]
    """
    check_param("logit_adjust", "tau", tau, [Interval(float, 0.0, None)])
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise DataValidationError("logit_adjust: logits must be a floating-point tensor.")
    if isinstance(priors, torch.Tensor) and not _validating():
        prior = priors
    else:
        prior = check_class_priors("logit_adjust", priors)
    if logits.dim() == 0 or logits.shape[-1] != prior.numel():
        raise DataValidationError(
            f"logit_adjust: logits have {logits.shape[-1] if logits.dim() else 1} classes "
            f"(logits.shape[-1]) but priors has {prior.numel()}; they must agree."
        )
    adjustment = tau * torch.log(prior.to(device=logits.device, dtype=torch.float64))
    return (upcast(logits) - adjustment.to(upcast(logits).dtype)).to(logits.dtype)


def logit_adjusted_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    class_counts: Any = None,
    *,
    class_priors: Any = None,
    tau: float = 1.0,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    """Logit-adjusted cross-entropy: ``CE(logits + tau * log π, target)``.

    Args:
        logits: Scores of shape ``(N, C)``, any float dtype (float16/bfloat16 are computed in
            float32).
        target: Class indices of shape ``(N,)``, int64.
        class_counts: Training samples per class, shape ``(C,)``, all > 0; or give
            ``class_priors``.
        class_priors: Training class priors ``π``, shape ``(C,)``, positive, summing to 1.
        tau: Strength of the adjustment, a float >= 0 (1 is Fisher-consistent for the
            balanced error; 0 is plain cross-entropy).
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"`` (weighted mean, as ``F.cross_entropy``), ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: Both or neither of ``class_counts``/``class_priors``, a bad
            ``tau`` or ``reduction``.
        DataValidationError: Malformed counts or priors, a class with no samples, or
            ``logits.shape[-1]`` different from the number of classes.

    References:
        Menon, Jayasumana, Rawat, Jain, Veit, Kumar. "Long-tail learning via logit
        adjustment", ICLR 2021, Eq. (10).

    Example:
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> target = torch.tensor([0, 1])
        >>> round(float(logit_adjusted_loss(logits, target, [90, 10])), 4)
        0.7506
    """
    owner = "logit_adjusted_loss"
    check_param(owner, "tau", tau, [Interval(float, 0.0, None)])
    if (class_counts is None) == (class_priors is None):
        from ..exceptions import InvalidParameterError

        raise InvalidParameterError(
            f"{owner}: pass exactly one of class_counts or class_priors; got "
            + ("both." if class_counts is not None else "neither.")
        )
    if class_priors is not None:
        if isinstance(class_priors, torch.Tensor) and not _validating():
            prior = class_priors
        else:
            prior = check_class_priors(owner, class_priors).to(logits.device)
        log_prior, source = torch.log(prior.to(torch.float64)), "class_priors"
    else:
        log_prior, source = log_priors(_counts(owner, class_counts, logits.device)), "class_counts"
    w = _check_common(
        owner, logits, target, log_prior.numel(), weight, reduction, ignore_index, source
    )
    return _logit_adjusted(logits, target, log_prior, float(tau), w, reduction, ignore_index)


def balanced_softmax_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    class_counts: Any,
    *,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    """Balanced softmax cross-entropy: ``CE(logits + log n, target)``.

    The same loss as :func:`logit_adjusted_loss` with ``tau=1`` (adding ``log n_c`` or
    ``log(n_c / N)`` gives the same softmax), and computed by it.

    Args:
        logits: Scores of shape ``(N, C)``.
        target: Class indices of shape ``(N,)``.
        class_counts: Training samples per class, shape ``(C,)``, all > 0.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        DataValidationError: Malformed counts, a class with no samples, or a class-number
            mismatch with ``logits``.

    References:
        Ren, Yu, Ma, Zhao, Yi, Li. "Balanced Meta-Softmax for Long-Tailed Visual
        Recognition", NeurIPS 2020, Eq. (4).

    Example:
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(balanced_softmax_loss(logits, torch.tensor([0, 1]), [90, 10])), 4)
        0.7506
    """
    return logit_adjusted_loss(
        logits,
        target,
        class_counts,
        tau=1.0,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
    )


def ldam_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    class_counts: Any,
    *,
    max_margin: float = 0.5,
    scale: float = 30.0,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    """Label-distribution-aware margin loss: ``CE(s * (z - Δ_y e_y), y)``.

    The true class's logit is lowered by ``Δ_y ∝ n_y ** (-1/4)`` (see :func:`ldam_margins`),
    so rare classes must be won by a larger margin; the logits are then scaled by ``s``
    (LDAM expects normalised features and weights, i.e. cosine logits in ``[-1, 1]``).

    Args:
        logits: Scores of shape ``(N, C)``.
        target: Class indices of shape ``(N,)``.
        class_counts: Training samples per class, shape ``(C,)``, all > 0.
        max_margin: Margin of the rarest class, a float > 0.
        scale: Logit scale ``s``, a float > 0.
        weight: Optional per-class weights ``(C,)`` (DRW passes class-balanced ones here).
        reduction: ``"mean"`` (weighted mean, as ``F.cross_entropy``), ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: A bad ``max_margin``, ``scale`` or ``reduction``.
        DataValidationError: Malformed counts, a class with no samples, or a class-number
            mismatch with ``logits``.

    References:
        Cao, Wei, Gaidon, Arechiga, Ma. "Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Example:
        >>> logits = torch.tensor([[0.5, -0.2], [0.1, 0.3]])
        >>> round(float(ldam_loss(logits, torch.tensor([0, 1]), [100, 10])), 4)
        4.5001
    """
    owner = "ldam_loss"
    check_param(owner, "max_margin", max_margin, [Interval(float, 0.0, None, "neither")])
    check_param(owner, "scale", scale, [Interval(float, 0.0, None, "neither")])
    counts = _counts(owner, class_counts, logits.device)
    w = _check_common(owner, logits, target, counts.numel(), weight, reduction, ignore_index)
    margins = _margins(counts, float(max_margin))
    return _ldam(logits, target, margins, float(scale), w, reduction, ignore_index)


def vs_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    class_counts: Any,
    *,
    gamma: float = 0.2,
    tau: float = 1.0,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> torch.Tensor:
    """Vector-scaling loss: ``CE(Δ ⊙ z + ι, y)`` with ``Δ_c = (n_c/n_max)^γ``, ``ι_c = τ log π_c``.

    Args:
        logits: Scores of shape ``(N, C)``.
        target: Class indices of shape ``(N,)``.
        class_counts: Training samples per class, shape ``(C,)``, all > 0.
        gamma: Exponent of the multiplicative scales, a float >= 0.
        tau: Strength of the additive (logit-adjustment) offsets, a float >= 0.
        weight: Optional per-class weights ``(C,)``, as in ``F.cross_entropy``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        ignore_index: Target value whose rows do not count.

    Returns:
        The loss: a scalar, or shape ``(N,)`` with ``reduction="none"``.

    Raises:
        InvalidParameterError: A bad ``gamma``, ``tau`` or ``reduction``.
        DataValidationError: Malformed counts, a class with no samples, or a class-number
            mismatch with ``logits``.

    References:
        Kini, Paraskevas, Oymak, Thrampoulidis. "Label-Imbalanced and Group-Sensitive
        Classification under Overparameterization", NeurIPS 2021, Eq. (9).

    Example:
        >>> logits = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(vs_loss(logits, torch.tensor([0, 1]), [90, 10])), 4)
        0.8924
    """
    owner = "vs_loss"
    check_param(owner, "gamma", gamma, [Interval(float, 0.0, None)])
    check_param(owner, "tau", tau, [Interval(float, 0.0, None)])
    counts = _counts(owner, class_counts, logits.device)
    w = _check_common(owner, logits, target, counts.numel(), weight, reduction, ignore_index)
    return _vs(
        logits,
        target,
        _scales(counts, float(gamma)),
        log_priors(counts),
        float(tau),
        w,
        reduction,
        ignore_index,
    )
