"""What every loss of :mod:`torchbalance.functional` shares: checks, dtypes, reductions.

Everything here branches on Python values and on tensor *shapes and dtypes* only, never on
tensor values, so the losses built on it trace into a single ``torch.compile`` graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ..labels import class_counts as count_labels
from ..utils import Interval, Options, check_param

__all__ = [
    "REDUCTIONS",
    "as_class_vector",
    "check_binary_inputs",
    "check_class_counts",
    "check_class_inputs",
    "check_class_priors",
    "check_reduction",
    "ignore_mask",
    "reduce",
    "resolve_class_counts",
    "upcast",
]

REDUCTIONS = ("mean", "sum", "none")
_LOW_PRECISION = (torch.float16, torch.bfloat16)
_INDEX_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)


def check_reduction(owner: str, reduction: Any) -> None:
    """Refuse a ``reduction`` other than ``"mean"``, ``"sum"`` or ``"none"``."""
    check_param(owner, "reduction", reduction, [Options(REDUCTIONS)])


def upcast(x: torch.Tensor) -> torch.Tensor:
    """``x`` in float32 when it is float16/bfloat16 (losses are computed in float32), else ``x``."""
    return x.float() if x.dtype in _LOW_PRECISION else x


def _check_logits(owner: str, logits: Any) -> None:
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        kind = (
            f"dtype {logits.dtype}" if isinstance(logits, torch.Tensor) else type(logits).__name__
        )
        raise DataValidationError(
            f"{owner}: logits must be a floating-point tensor, got {kind}; pass the model's raw "
            "scores (before softmax/sigmoid)."
        )


def check_class_inputs(
    owner: str,
    logits: torch.Tensor,
    target: torch.Tensor,
    num_classes: int | None = None,
    source: str = "class_counts",
) -> None:
    """Check ``(N, C)`` logits and ``(N,)`` integer class indices (shapes and dtypes only).

    Args:
        owner: Name used in error messages.
        logits: The model's scores.
        target: Class indices.
        num_classes: ``C`` the loss was built for, or ``None``.
        source: What ``num_classes`` came from, for the message.

    Raises:
        DataValidationError: Wrong shapes or dtypes, or ``logits.shape[-1] != num_classes``.
    """
    _check_logits(owner, logits)
    if logits.dim() != 2:
        raise DataValidationError(
            f"{owner}: logits must be 2-D (batch, classes), got shape {tuple(logits.shape)}; "
            "flatten extra dimensions first (e.g. logits.movedim(1, -1).reshape(-1, C))."
        )
    if not isinstance(target, torch.Tensor) or target.dtype not in _INDEX_DTYPES:
        kind = (
            f"dtype {target.dtype}" if isinstance(target, torch.Tensor) else type(target).__name__
        )
        raise DataValidationError(
            f"{owner}: target must be an integer tensor of class indices, got {kind} (use "
            "target.long(); one-hot or soft targets are not supported by this loss)."
        )
    if target.dim() != 1 or target.shape[0] != logits.shape[0]:
        raise DataValidationError(
            f"{owner}: target must have shape ({logits.shape[0]},), one class index per row of "
            f"logits, got {tuple(target.shape)}."
        )
    if num_classes is not None and logits.shape[1] != num_classes:
        raise DataValidationError(
            f"{owner}: logits have {logits.shape[1]} classes (logits.shape[-1]) but {source} "
            f"has {num_classes}; they must agree (build the loss with the counts of every class "
            "the model predicts)."
        )


def check_binary_inputs(
    owner: str, logits: torch.Tensor, target: torch.Tensor, num_labels: int | None = None
) -> None:
    """Check logits and same-shape 0/1 (or soft) targets of a binary or multi-label loss.

    Raises:
        DataValidationError: Non-float logits, a target of another shape or a complex one, or
            ``logits.shape[-1] != num_labels``.
    """
    _check_logits(owner, logits)
    if not isinstance(target, torch.Tensor) or target.is_complex():
        raise DataValidationError(
            f"{owner}: target must be a real tensor of 0/1 labels (or probabilities), got "
            f"{type(target).__name__ if not isinstance(target, torch.Tensor) else target.dtype}."
        )
    if target.shape != logits.shape:
        raise DataValidationError(
            f"{owner}: target must have the shape of logits {tuple(logits.shape)}, got "
            f"{tuple(target.shape)} (for multi-label data pass the (batch, labels) 0/1 matrix)."
        )
    if num_labels is not None and (logits.dim() == 0 or logits.shape[-1] != num_labels):
        got = logits.shape[-1] if logits.dim() else 1
        raise DataValidationError(
            f"{owner}: logits have {got} labels (logits.shape[-1]) but the loss was built for "
            f"{num_labels}; they must agree."
        )


def _compiling() -> bool:
    check = getattr(torch.compiler, "is_compiling", None)  # torch >= 2.3
    return bool(check()) if check is not None else False


def ignore_mask(
    target: torch.Tensor, ignore_index: int, n_classes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(valid, safe)``: rows not equal to ``ignore_index``, and ``target`` with those rows set
    to class 0 so it can index safely (their loss is masked afterwards).

    Raises:
        DataValidationError: A class index outside ``0 .. n_classes - 1`` (checked on the CPU;
            on a GPU the indexing itself asserts, without a host sync here).
    """
    # compared in the target's dtype, -100 would wrap (to 156 in uint8): no such row there
    if target.dtype != torch.bool and not target.is_floating_point():
        bounds = torch.iinfo(target.dtype)
        representable = bounds.min <= ignore_index <= bounds.max
    else:
        representable = True
    valid = target != ignore_index if representable else torch.ones_like(target, dtype=torch.bool)
    # no data-dependent branch while torch.compile / torch.export traces the loss
    if target.device.type == "cpu" and not _compiling():
        wide = target.long()  # n_classes too would wrap in a narrow dtype
        bad = valid & ((wide < 0) | (wide >= n_classes))
        if bool(bad.any()):
            shown = sorted(set(target[bad].tolist()))[:5]
            raise DataValidationError(
                f"target holds class indices {shown} outside 0..{n_classes - 1} (and not "
                f"ignore_index={ignore_index}); labels must be class indices of the logits."
            )
    return valid, torch.where(valid, target, torch.zeros_like(target)).long()


def reduce(
    loss: torch.Tensor, reduction: str, denominator: torch.Tensor | None = None
) -> torch.Tensor:
    """Reduce per-sample losses; ``"mean"`` divides the sum by ``denominator`` when given."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if denominator is None:
        return loss.mean()
    return loss.sum() / denominator


def as_class_vector(owner: str, name: str, value: Any, *, positive: bool = False) -> torch.Tensor:
    """A finite, non-negative (or positive) 1-D float tensor of per-class values.

    Raises:
        DataValidationError: Not 1-D, empty, non-finite, negative (or zero with ``positive``).
    """
    try:
        tensor = torch.as_tensor(np.array(value) if isinstance(value, np.ndarray) else value)
    except (TypeError, ValueError, RuntimeError) as error:
        raise DataValidationError(
            f"{owner}: {name} must be a 1-D sequence of numbers, one per class; got "
            f"{type(value).__name__}."
        ) from error
    if (
        tensor.dim() != 1
        or tensor.numel() == 0
        or tensor.is_complex()
        or tensor.dtype == torch.bool
    ):
        raise DataValidationError(
            f"{owner}: {name} must be a non-empty 1-D tensor of numbers, one per class; got "
            f"shape {tuple(tensor.shape)} and dtype {tensor.dtype}."
        )
    tensor = tensor.to(torch.float64)
    if not bool(torch.isfinite(tensor).all()):
        raise DataValidationError(f"{owner}: {name} contains NaN or inf; it must be finite.")
    bad = tensor <= 0 if positive else tensor < 0
    if bool(bad.any()):
        classes = torch.nonzero(bad).reshape(-1).tolist()
        bound = "> 0" if positive else ">= 0"
        raise DataValidationError(
            f"{owner}: {name} must be {bound} for every class; class(es) {classes} are not."
        )
    return tensor


def check_class_counts(owner: str, class_counts: Any) -> torch.Tensor:
    """Validate per-class sample counts: 1-D, finite, every class with at least one sample.

    Returns:
        Float64 tensor of shape ``(C,)`` on the input's device.

    Raises:
        DataValidationError: Malformed counts, or a class with a count of 0 (its margin, prior or
            weight would be infinite; the message names the classes and the fix).
    """
    counts = as_class_vector(owner, "class_counts", class_counts)
    empty = counts == 0
    if bool(empty.any()):
        classes = torch.nonzero(empty).reshape(-1).tolist()
        raise DataValidationError(
            f"{owner}: class_counts has no samples in class(es) {classes}, so their prior is 0 "
            "and the loss would be infinite. Drop those classes from the model's outputs, or "
            "smooth the counts yourself (e.g. class_counts.clamp_min(1))."
        )
    return counts


def resolve_class_counts(
    owner: str, class_counts: Any, labels: Any, num_classes: int | None
) -> torch.Tensor:
    """Counts from ``class_counts`` or from ``labels`` (a dataset or labels; exactly one).

    Returns:
        Validated float64 counts of shape ``(C,)``.

    Raises:
        InvalidParameterError: Both or neither given, or a bad ``num_classes``.
        DataValidationError: As :func:`check_class_counts`, or unreadable labels.
    """
    check_param(owner, "num_classes", num_classes, [Interval(int, 1, None), None])
    if (class_counts is None) == (labels is None):
        raise InvalidParameterError(
            f"{owner}: pass exactly one of class_counts=<samples per class> or "
            "labels=<a dataset or its labels>; got "
            + ("both." if class_counts is not None else "neither.")
        )
    if labels is not None:
        try:
            counts = count_labels(labels, num_classes)
        except DataValidationError as error:
            raise DataValidationError(f"{owner}: labels cannot be counted: {error}") from error
        return check_class_counts(owner, counts)
    counts_tensor = check_class_counts(owner, class_counts)
    check_num_classes_agree(owner, num_classes, "class_counts", counts_tensor)
    return counts_tensor


def check_num_classes_agree(
    owner: str, num_classes: int | None, name: str, per_class: torch.Tensor
) -> None:
    """Refuse a ``num_classes`` that differs from the length of the per-class ``name``."""
    check_param(owner, "num_classes", num_classes, [Interval(int, 1, None), None])
    if num_classes is not None and per_class.numel() != num_classes:
        raise DataValidationError(
            f"{owner}: num_classes={num_classes} but {name} has {per_class.numel()} "
            "entries; they must agree."
        )


def check_class_priors(owner: str, class_priors: Any) -> torch.Tensor:
    """Validate class priors: 1-D, every entry > 0, summing to 1 (within 1e-5).

    Returns:
        Float64 tensor of shape ``(C,)``.
    """
    priors = as_class_vector(owner, "class_priors", class_priors, positive=True)
    total = float(priors.sum())
    if abs(total - 1.0) > 1e-5:
        raise DataValidationError(
            f"{owner}: class_priors sums to {total:.6g}; priors must sum to 1 (pass "
            "class_counts=... instead to use unnormalised counts)."
        )
    return priors
