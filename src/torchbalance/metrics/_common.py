"""Input handling shared by the metric functions: labels to codes, warnings, outputs.

Labels arrive as integer tensors (the fast path: no sort, no NumPy), or as NumPy arrays / lists
of any label type at the boundary. Both ``y_true`` and ``y_pred`` are mapped to codes
``0..K-1`` into one sorted array of classes: the union of the labels present (and those given
in ``labels``), exactly as scikit-learn's ``unique_labels`` does.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError, UndefinedMetricWarning

__all__ = ["UndefinedMetricWarning"]

_INT_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool)
# Labels with values in [0, _DENSE_LIMIT) are found by bincount (O(n), no sort).
_DENSE_LIMIT = 1 << 20
# Below this largest label, the confusion matrix over 0..max is counted in the same pass.
_DENSE_CM_LIMIT = 1 << 10


def dense_confusion(t: torch.Tensor, p: torch.Tensor, size: int) -> torch.Tensor:
    """``(size, size)`` int64 counts of the pairs ``(t, p)``, by one ``bincount``."""
    if t.numel() == 0:
        return torch.zeros((size, size), dtype=torch.long, device=t.device)
    # the pair key t * size + p in the narrowest integer type that holds it: bincount then
    # reads 1-4 bytes per sample instead of 8 (memory-bound, ~1.7x faster for 10 classes)
    bins = size * size
    if bins <= 256:
        dtype = torch.uint8
    elif bins <= 32768:
        dtype = torch.int16
    elif bins <= 2**31:
        dtype = torch.int32
    else:
        dtype = torch.int64
    flat = t.to(dtype, copy=True)  # a copy: the in-place ops below never touch the input
    flat.mul_(size).add_(p.to(dtype))
    return torch.bincount(flat, minlength=size * size).reshape(size, size)


def warn_undefined(message: str, stacklevel: int = 3) -> None:
    """Raise an :class:`UndefinedMetricWarning`."""
    warnings.warn(message, UndefinedMetricWarning, stacklevel=stacklevel)


@dataclass
class Encoded:
    """Codes of ``y_true`` and ``y_pred`` into ``classes``, and where output should go.

    Attributes:
        true: int64 codes of ``y_true`` in ``[0, K)``.
        pred: int64 codes of ``y_pred`` in ``[0, K)`` (or ``None``).
        n_classes: ``K``, the number of classes in the union.
        classes: The label value of each code (a tensor of integers, or a NumPy array).
        select: Indices (into ``classes``) of the ``labels`` asked for, in that order; ``None``
            when all classes are used in sorted order.
        numpy_out: Whether array results go back as NumPy arrays.
        present_true: Which codes occur in ``y_true`` (bool, ``(K,)``).
    """

    true: torch.Tensor
    pred: torch.Tensor | None
    n_classes: int
    classes: Any
    select: torch.Tensor | None
    numpy_out: bool
    cm: torch.Tensor | None = None  # (K, K) counts, when found while encoding

    def class_values(self) -> list[Any]:
        """Label values of all classes as Python objects."""
        values = self.classes
        return values.tolist() if hasattr(values, "tolist") else list(values)

    def selected_values(self) -> list[Any]:
        """Label values of the selected classes, in the order asked for."""
        values = self.class_values()
        if self.select is None:
            return values
        return [values[i] for i in self.select.tolist()]


def _to_numpy_labels(y: Any, name: str, owner: str) -> np.ndarray:
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        y = y.to_numpy()
    try:
        array = np.asarray(y)
    except ValueError as error:
        raise DataValidationError(f"{owner}: {name} is ragged; one label per sample.") from error
    return array


def as_label_tensor(y: Any, name: str, owner: str) -> tuple[torch.Tensor | np.ndarray, bool]:
    """A 1-D label tensor (integers) or a 1-D NumPy array of non-integer labels.

    Returns ``(labels, came_from_numpy)``.
    """
    if isinstance(y, torch.Tensor):
        if y.dim() == 2 and y.shape[1] == 1:
            y = y.reshape(-1)
        if y.dim() != 1:
            raise DataValidationError(
                f"{owner}: {name} must be 1-D (n_samples,), got shape {tuple(y.shape)}."
            )
        if y.dtype not in _INT_DTYPES:
            if y.is_floating_point():
                if not bool(torch.isfinite(y).all()):
                    raise DataValidationError(f"{owner}: {name} contains NaN or inf labels.")
                if not bool((y == y.round()).all()):
                    raise DataValidationError(
                        f"{owner}: {name} holds non-integer values; class labels must be "
                        f"integers (for scores use a *_score function, or {name}.argmax(1))."
                    )
                return y.long(), False
            raise DataValidationError(
                f"{owner}: {name} has dtype {y.dtype}; class labels must be integers."
            )
        return y.long(), False
    array = _to_numpy_labels(y, name, owner)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise DataValidationError(
            f"{owner}: {name} must be 1-D (n_samples,), got shape {array.shape}."
        )
    if array.dtype.kind in "iub":
        return torch.from_numpy(array.astype(np.int64)), True
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise DataValidationError(f"{owner}: {name} contains NaN or inf labels.")
        if np.all(array == np.round(array)):
            return torch.from_numpy(array.astype(np.int64)), True
        raise DataValidationError(
            f"{owner}: {name} holds non-integer values; class labels must be integers or strings."
        )
    if array.dtype.kind in "OUS":
        if any(v is None for v in array.tolist()):
            raise DataValidationError(f"{owner}: {name} contains missing labels (None).")
        return array, True
    raise DataValidationError(
        f"{owner}: {name} has dtype {array.dtype}, which cannot hold class labels."
    )


def check_same_length(owner: str, **arrays: Any) -> None:
    """Refuse arrays of different lengths, naming them."""
    names = list(arrays)
    lengths = [len(arrays[n]) for n in names]
    if len(set(lengths)) > 1:
        desc = ", ".join(f"{n} has {k}" for n, k in zip(names, lengths, strict=True))
        raise DataValidationError(
            f"{owner}: inconsistent numbers of samples ({desc}); they must have the same length."
        )


def row_sum_deviation(probabilities: torch.Tensor, floor: float = 1.1e-5) -> float | None:
    """The largest ``|row sum - 1|`` of ``(n, C)`` probabilities when it is more than their
    dtype's rounding allows (``floor``, or 4 ulps for float16/bfloat16, whose softmax rows miss
    1 by a few ulps), else ``None``."""
    if probabilities.numel() == 0:
        return None
    deviation = float((probabilities.double().sum(1) - 1).abs().max())
    tolerance = max(floor, 4 * torch.finfo(probabilities.dtype).eps)
    return deviation if deviation > tolerance else None


def labels_array(labels: Any) -> np.ndarray:
    """The ``labels`` parameter as a flat NumPy array (a tensor may be on any device)."""
    if isinstance(labels, torch.Tensor):
        return labels.detach().cpu().reshape(-1).numpy()
    return np.asarray(labels).reshape(-1)


def _check_labels_param(labels: Any, owner: str) -> Any:
    if labels is None:
        return None
    values = labels_array(labels)
    if values.size == 0:
        raise InvalidParameterError(
            f"{owner}: labels={list(values)!r} is invalid; it must hold at least one label."
        )
    if len(np.unique(values)) != values.size:
        raise InvalidParameterError(
            f"{owner}: labels={values.tolist()!r} is invalid; it must not repeat a label."
        )
    return values


def check_num_classes(num_classes: Any, owner: str) -> int | None:
    """Validate ``num_classes`` (``None`` or an int >= 1)."""
    if num_classes is None:
        return None
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, numbers.Integral)
        or num_classes < 1
    ):
        raise InvalidParameterError(
            f"{owner}: num_classes={num_classes!r} is invalid; it must be None or an int >= 1."
        )
    return int(num_classes)


def _check_range(y: torch.Tensor, name: str, num_classes: int, owner: str) -> None:
    if y.numel() == 0:
        return
    low_t, high_t = torch.aminmax(y)
    low, high = int(low_t), int(high_t)
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise DataValidationError(
            f"{owner}: {name} holds the label {bad}, outside [0, {num_classes}) given by "
            f"num_classes={num_classes}; labels must be codes 0..num_classes-1."
        )


def encode(
    owner: str,
    y_true: Any,
    y_pred: Any = None,
    *,
    labels: Any = None,
    num_classes: int | None = None,
    true_name: str = "y_true",
    pred_name: str = "y_pred",
    allow_empty: bool = False,
) -> Encoded:
    """Map ``y_true`` (and ``y_pred``) to codes into the sorted union of their classes.

    ``num_classes=C`` declares the classes to be ``0..C-1`` (values outside are refused) and
    acts like ``labels=range(C)``.
    """
    num_classes = check_num_classes(num_classes, owner)
    label_values = _check_labels_param(labels, owner)
    if num_classes is not None and label_values is not None:
        raise InvalidParameterError(
            f"{owner}: labels and num_classes were both given; pass only one of them."
        )
    t, t_np = as_label_tensor(y_true, true_name, owner)
    has_pred = y_pred is not None
    p: torch.Tensor | np.ndarray | None = None
    p_np = False
    if has_pred:
        p, p_np = as_label_tensor(y_pred, pred_name, owner)
        check_same_length(owner, **{true_name: t, pred_name: p})
    if len(t) == 0 and not allow_empty:
        raise DataValidationError(f"{owner}: {true_name} is empty; at least one sample is needed.")
    numpy_out = t_np and (p_np or not has_pred)
    if isinstance(t, torch.Tensor) and isinstance(p, torch.Tensor) and t.device != p.device:
        raise DataValidationError(
            f"{owner}: {true_name} is on {t.device} but {pred_name} is on {p.device}; move both "
            f"to one device (e.g. {pred_name}.to({true_name}.device))."
        )

    if num_classes is not None:
        if not isinstance(t, torch.Tensor) or (has_pred and not isinstance(p, torch.Tensor)):
            raise DataValidationError(
                f"{owner}: num_classes needs integer labels; got non-integer labels."
            )
        _check_range(t, true_name, num_classes, owner)
        if isinstance(p, torch.Tensor):
            _check_range(p, pred_name, num_classes, owner)
        classes = torch.arange(num_classes)
        p_t = p if isinstance(p, torch.Tensor) else None
        cm = dense_confusion(t, p_t, num_classes) if p_t is not None else None
        return Encoded(t, p_t, num_classes, classes, None, numpy_out, cm)

    if isinstance(t, torch.Tensor) and (not has_pred or isinstance(p, torch.Tensor)):
        if label_values is not None and label_values.dtype.kind not in "iub":
            if label_values.dtype.kind == "f" and np.all(label_values == np.round(label_values)):
                label_values = label_values.astype(np.int64)
            else:
                raise DataValidationError(
                    f"{owner}: labels={label_values.tolist()!r} does not match the integer "
                    f"labels in {true_name}."
                )
        return _encode_int(t, p if isinstance(p, torch.Tensor) else None, label_values, numpy_out)
    return _encode_objects(owner, t, p, label_values, numpy_out, true_name, pred_name)


def _encode_int(
    t: torch.Tensor,
    p: torch.Tensor | None,
    label_values: np.ndarray | None,
    numpy_out: bool,
) -> Encoded:
    device = t.device
    parts = [t] if p is None else [t, p]
    if sum(x.numel() for x in parts) == 0:
        low, high = 0, -1
    else:
        bounds = [torch.aminmax(x) for x in parts if x.numel()]
        low = min(int(b[0]) for b in bounds)
        high = max(int(b[1]) for b in bounds)
    extra = (
        torch.from_numpy(label_values.astype(np.int64)).to(device)
        if label_values is not None
        else None
    )
    if extra is not None:
        low, high = min(low, int(extra.min())), max(high, int(extra.max()))
    if p is not None and low >= 0 and high < _DENSE_CM_LIMIT:
        # small label values: count the (size x size) confusion matrix directly (one pass);
        # the classes present are its non-empty rows and columns
        size = high + 1
        dense = dense_confusion(t, p, size)
        present = (dense.sum(0) + dense.sum(1)) > 0
        if extra is not None:
            present[extra] = True
        classes = torch.nonzero(present).reshape(-1)
        codes_t: torch.Tensor
        codes_p: torch.Tensor | None
        if classes.numel() == size:
            cm, codes_t, codes_p = dense, t, p
        else:
            cm = dense.index_select(0, classes).index_select(1, classes)
            lookup = torch.full((size,), -1, dtype=torch.long, device=device)
            lookup[classes] = torch.arange(classes.numel(), device=device)
            codes_t, codes_p = lookup[t], lookup[p]
        select = torch.searchsorted(classes, extra) if extra is not None else None
        return Encoded(codes_t, codes_p, int(classes.numel()), classes, select, numpy_out, cm)
    if low >= 0 and high < _DENSE_LIMIT:
        size = high + 1
        present = torch.zeros(size, dtype=torch.bool, device=device)
        for x in parts:
            if x.numel():
                present |= torch.bincount(x, minlength=size) > 0
        if extra is not None:
            present[extra] = True
        classes = torch.nonzero(present).reshape(-1)
        if classes.numel() == size:  # labels are exactly 0..K-1: codes are the labels
            codes_t, codes_p = t, p
        else:
            lookup = torch.full((size,), -1, dtype=torch.long, device=device)
            lookup[classes] = torch.arange(classes.numel(), device=device)
            codes_t = lookup[t]
            codes_p = lookup[p] if p is not None else None
    else:
        joined = torch.cat([*parts, *([extra] if extra is not None else [])])
        classes, inverse = torch.unique(joined, sorted=True, return_inverse=True)
        codes_t = inverse[: t.numel()]
        codes_p = inverse[t.numel() : t.numel() + p.numel()] if p is not None else None
    select = None
    if extra is not None:
        select = torch.searchsorted(classes, extra)
    return Encoded(codes_t, codes_p, int(classes.numel()), classes, select, numpy_out)


def _encode_objects(
    owner: str,
    t: Any,
    p: Any,
    label_values: np.ndarray | None,
    numpy_out: bool,
    true_name: str,
    pred_name: str,
) -> Encoded:
    arrays = [t.cpu().numpy() if isinstance(t, torch.Tensor) else t]
    if p is not None:
        arrays.append(p.cpu().numpy() if isinstance(p, torch.Tensor) else p)
    if label_values is not None:
        arrays.append(label_values)
    kinds = {a.dtype.kind in "OUS" for a in arrays if a.size}
    if len(kinds) > 1:
        raise DataValidationError(
            f"{owner}: {true_name} and {pred_name} (and labels) mix numeric arrays with string "
            "or object arrays; use one label type (an object column of numbers: "
            ".astype(int))."
        )
    try:
        classes, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
    except TypeError as error:
        raise DataValidationError(
            f"{owner}: {true_name}/{pred_name} mix label types; use one type for all labels."
        ) from error
    codes = torch.from_numpy(inverse.reshape(-1).astype(np.int64))
    n_t = len(arrays[0])
    codes_t = codes[:n_t]
    codes_p = codes[n_t : n_t + len(arrays[1])] if p is not None else None
    select = None
    if label_values is not None:
        select = torch.from_numpy(np.searchsorted(classes, label_values).astype(np.int64))
    return Encoded(codes_t, codes_p, len(classes), classes, select, numpy_out)


def check_zero_division(zero_division: Any, owner: str) -> float:
    """Validate ``zero_division`` ("warn", 0, 1 or NaN) and return its value."""
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, str) and zero_division == "nan":
        return math.nan
    if isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        value = float(zero_division)
        if value in (0.0, 1.0) or math.isnan(value):
            return value
    raise InvalidParameterError(
        f"{owner}: zero_division={zero_division!r} is invalid; it must be one of "
        "{'warn', 0, 1, nan}."
    )


def check_average(average: Any, options: Sequence[Any], owner: str) -> None:
    """Validate ``average`` against ``options`` (``None`` allowed if listed)."""
    if any(average is o or (isinstance(average, str) and average == o) for o in options):
        return
    shown = ", ".join(repr(o) for o in options)
    raise InvalidParameterError(
        f"{owner}: average={average!r} is invalid; it must be one of {{{shown}}}."
    )


def out_array(values: torch.Tensor, numpy_out: bool) -> Any:
    """Per-class results as a tensor, or a NumPy array when the input was NumPy/list."""
    if numpy_out:
        return values.detach().cpu().numpy()
    return values


def one_column_as_1d(score: torch.Tensor) -> torch.Tensor:
    """An ``(n, 1)`` score (a sigmoid head's output) as the ``(n,)`` binary score it is."""
    return score.reshape(-1) if score.dim() == 2 and score.shape[1] == 1 else score


def as_score_tensor(y_score: Any, name: str, owner: str) -> torch.Tensor:
    """Scores or probabilities as a floating tensor, refusing NaN/inf."""
    if isinstance(y_score, torch.Tensor):
        scores = y_score
    else:
        array = np.asarray(y_score.to_numpy() if hasattr(y_score, "to_numpy") else y_score)
        if array.dtype.kind not in "biuf":
            raise DataValidationError(f"{owner}: {name} has dtype {array.dtype}; numbers needed.")
        scores = torch.from_numpy(np.ascontiguousarray(array))
    if not scores.is_floating_point():
        scores = scores.double()
    if scores.numel() and not bool(torch.isfinite(scores).all()):
        n_nan = int(torch.isnan(scores).sum())
        n_inf = int(torch.isinf(scores).sum())
        raise DataValidationError(
            f"{owner}: {name} contains {n_nan} NaN and {n_inf} infinite values; every score "
            "must be finite."
        )
    return scores
