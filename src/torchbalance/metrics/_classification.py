"""Label-based metrics with scikit-learn's and imbalanced-learn's names and semantics.

Every function reduces the labels to per-class counts (one ``bincount``) and computes the
metric from the counts in float64, on the labels' device. Zero divisions follow scikit-learn:
``zero_division="warn"`` gives 0 and an :class:`UndefinedMetricWarning` with scikit-learn's
message; ``0``, ``1`` or ``nan`` give that value silently (``nan`` entries are left out of
averages).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from inspect import signature
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ._common import (
    Encoded,
    check_average,
    check_zero_division,
    encode,
    labels_array,
    out_array,
    warn_undefined,
)
from ._confusion import full_confusion, select_confusion, warn_single_label

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "cohen_kappa_score",
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "make_index_balanced_accuracy",
    "matthews_corrcoef",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]

_PRF_AVERAGES = (None, "binary", "micro", "macro", "weighted", "samples")


# ----------------------------------------------------------------------------- helpers
def _divide(
    num: torch.Tensor,
    den: torch.Tensor,
    metric: str,
    modifier: str,
    average: str | None,
    warn_for: Sequence[str] | str,
    zero_division: Any,
    zero_value: float,
) -> torch.Tensor:
    """``num / den`` with scikit-learn's ``_prf_divide`` handling of ``den == 0``."""
    num, den = num.double(), den.double()
    mask = den == 0
    result = num / torch.where(mask, torch.ones_like(den), den)
    if not bool(mask.any()):
        return result
    result = torch.where(mask, torch.full_like(result, zero_value), result)
    if isinstance(zero_division, str) and zero_division == "warn" and metric in warn_for:
        axis0, axis1 = ("label", "sample") if average == "samples" else ("sample", "label")
        where = "due to" if result.shape[0] == 1 else f"in {axis1}s with"
        warn_undefined(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
            f"{axis0}s. Use `zero_division` parameter to control this behavior.",
            stacklevel=4,
        )
    return result


def _nanaverage(values: torch.Tensor, weights: torch.Tensor | None = None) -> float:
    """scikit-learn's ``_nanaverage``: NaN entries left out; all-zero weights ignored."""
    if values.numel() == 0:
        return math.nan
    keep = ~torch.isnan(values)
    if not bool(keep.any()):
        return math.nan
    v = values[keep]
    if weights is not None:
        w = weights.double()[keep]
        total = w.sum()
        if bool(total != 0):
            return float((v * w).sum() / total)
    return float(v.mean())


def _present_values(enc: Encoded, true_sum: torch.Tensor, pred_sum: torch.Tensor) -> list[Any]:
    values = enc.class_values()
    present = ((true_sum + pred_sum) > 0).tolist()
    return [v for v, keep in zip(values, present, strict=True) if keep]


def _warn_pos_label(pos_label: Any, average: Any) -> None:
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive "
            "class.",
            UserWarning,
            stacklevel=4,
        )


def _class_counts(
    owner: str,
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any,
    pos_label: Any,
    average: Any,
    num_classes: int | None,
    binary_absent: str = "zeros",
) -> tuple[Encoded, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, list[Any]] | None:
    """Per-class ``tp, pred_sum, true_sum, tn`` for the classes the metric reports.

    Returns ``None`` for imbalanced-learn's binary short cut (``pos_label`` absent and only one
    class present) when ``binary_absent="none"``.
    """
    enc = encode(owner, y_true, y_pred, labels=labels, num_classes=num_classes)
    cm = full_confusion(enc)
    tp = cm.diagonal()
    true_sum = cm.sum(1)
    pred_sum = cm.sum(0)
    n = enc.true.numel()
    present = _present_values(enc, true_sum, pred_sum)
    select = enc.select
    if average == "binary":
        n_types = num_classes if num_classes is not None else len(present)
        if n_types > 2:
            raise DataValidationError(
                f"{owner}: Target is multiclass but average='binary'. Please choose another "
                "average setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        values = enc.class_values()
        if pos_label not in present:
            if len(present) >= 2:
                raise InvalidParameterError(
                    f"{owner}: pos_label={pos_label!r} is not a valid label. It should be one "
                    f"of {present}."
                )
            if binary_absent == "none":
                return None
            zero = torch.zeros(1, dtype=torch.long, device=cm.device)
            return enc, zero, zero, zero, zero + n, [pos_label]
        index = values.index(pos_label)
        select = torch.tensor([index], device=cm.device)
    else:
        _warn_pos_label(pos_label, average)
    tn = n - (pred_sum + true_sum - tp)
    if select is not None:
        select = select.to(cm.device)
        tp, pred_sum, true_sum, tn = (
            x.index_select(0, select) for x in (tp, pred_sum, true_sum, tn)
        )
        shown = [enc.class_values()[i] for i in select.tolist()]
    else:
        shown = enc.class_values()
    return enc, tp, pred_sum, true_sum, tn, shown


def _is_multilabel(y: Any) -> bool:
    if isinstance(y, torch.Tensor):
        return y.dim() == 2 and y.shape[1] > 1
    try:  # arrays, DataFrames, and lists of rows, as scikit-learn reads them
        shape = np.shape(y)
    except ValueError:  # ragged rows: not an indicator matrix
        return False
    return len(shape) == 2 and shape[1] > 1


def _indicator(y: Any, name: str, owner: str) -> torch.Tensor:
    tensor = y if isinstance(y, torch.Tensor) else torch.as_tensor(np.asarray(y))
    if tensor.dim() != 2:
        raise DataValidationError(
            f"{owner}: {name} must be a (n_samples, n_labels) indicator matrix for multi-label "
            f"input, got shape {tuple(tensor.shape)}."
        )
    if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
        raise DataValidationError(f"{owner}: {name} contains NaN or inf.")
    if not bool(((tensor == 0) | (tensor == 1)).all()):
        raise DataValidationError(
            f"{owner}: {name} must hold only 0 and 1 in a multi-label indicator matrix "
            "(threshold scores first, e.g. probs >= 0.5)."
        )
    return tensor.bool()


# ----------------------------------------------------------------------------- P/R/F
def _fscore(
    tp: torch.Tensor,
    pred_sum: torch.Tensor,
    true_sum: torch.Tensor,
    beta: float,
    average: Any,
    warn_for: Sequence[str],
    zero_division: Any,
    zero_value: float,
    *,
    precision: torch.Tensor | None = None,
    recall: torch.Tensor | None = None,
) -> torch.Tensor:
    """F-beta per class; ``beta=inf`` is the recall and ``beta=0`` the precision given."""
    if math.isinf(beta):
        assert recall is not None
        return recall
    if beta == 0:
        assert precision is not None
        return precision
    beta2 = beta**2
    return _divide(
        (1 + beta2) * tp.double(),
        beta2 * true_sum.double() + pred_sum.double(),
        "f-score",
        "true nor predicted",
        average,
        warn_for,
        zero_division,
        zero_value,
    )


def _prf_from_counts(
    tp: torch.Tensor,
    pred_sum: torch.Tensor,
    true_sum: torch.Tensor,
    *,
    beta: float,
    average: Any,
    warn_for: Sequence[str],
    zero_division: Any,
) -> tuple[Any, Any, Any, Any]:
    zero_value = check_zero_division(zero_division, "precision_recall_fscore_support")
    if average == "micro":
        tp, pred_sum, true_sum = (x.sum().reshape(1) for x in (tp, pred_sum, true_sum))
    precision = _divide(
        tp, pred_sum, "precision", "predicted", average, warn_for, zero_division, zero_value
    )
    recall = _divide(tp, true_sum, "recall", "true", average, warn_for, zero_division, zero_value)
    f = _fscore(
        tp,
        pred_sum,
        true_sum,
        beta,
        average,
        warn_for,
        zero_division,
        zero_value,
        precision=precision,
        recall=recall,
    )
    if average is None:
        return precision, recall, f, true_sum
    weights = true_sum if average == "weighted" else None
    return (
        _nanaverage(precision, weights),
        _nanaverage(recall, weights),
        _nanaverage(f, weights),
        None,
    )


def _check_beta(beta: Any, owner: str) -> float:
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not beta >= 0:
        raise InvalidParameterError(
            f"{owner}: beta={beta!r} is invalid; it must be a float in [0, inf]."
        )
    return float(beta)


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: Sequence[str] = ("precision", "recall", "f-score"),
    zero_division: Any = "warn",
    num_classes: int | None = None,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support per class, or averaged.

    Same semantics as :func:`sklearn.metrics.precision_recall_fscore_support`, including
    ``zero_division`` and its warnings. Multi-label input (``(n_samples, n_labels)`` 0/1
    indicator matrices) is supported per label, with ``average`` in ``None``, ``"micro"``,
    ``"macro"``, ``"weighted"`` or ``"samples"``.

    Args:
        y_true: True labels ``(n_samples,)`` or indicator matrix ``(n_samples, n_labels)``.
        y_pred: Predicted labels, same shape.
        beta: Weight of recall in the F-score (``inf`` gives recall, ``0`` precision).
        labels: Classes to report and average over, in this order.
        pos_label: The positive class when ``average="binary"``.
        average: ``None`` (per class), ``"binary"``, ``"micro"``, ``"macro"``, ``"weighted"``
            (by support) or ``"samples"`` (multi-label only).
        warn_for: Which metrics warn on a zero division (for wrappers).
        zero_division: ``"warn"`` (0 and a warning), ``0``, ``1`` or ``nan``.
        num_classes: Declare classes ``0..num_classes-1`` (like ``labels=range(num_classes)``).

    Returns:
        ``(precision, recall, fbeta, support)``: float64 tensors of shape ``(n_labels,)`` and
        int64 support for ``average=None`` (NumPy arrays for NumPy/list input); floats and
        ``None`` support otherwise.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``,
            ``average="binary"`` on multiclass targets.
        InvalidParameterError: A bad ``average``, ``beta``, ``zero_division`` or ``pos_label``.

    Example:
        >>> import torch
        >>> y_true = torch.tensor([0, 1, 2, 0, 1, 2])
        >>> y_pred = torch.tensor([0, 2, 1, 0, 0, 1])
        >>> p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average="macro")
        >>> round(p, 3), round(r, 3), round(f, 3)
        (0.222, 0.333, 0.267)
    """
    owner = "precision_recall_fscore_support"
    check_average(average, _PRF_AVERAGES, owner)
    beta = _check_beta(beta, owner)
    check_zero_division(zero_division, owner)
    if _is_multilabel(y_true) or _is_multilabel(y_pred):
        return _multilabel_prf(
            y_true, y_pred, beta, labels, average, warn_for, zero_division, owner
        )
    if average == "samples":
        raise InvalidParameterError(
            f"{owner}: average='samples' is only meaningful for multi-label input; use "
            "accuracy_score, or another average."
        )
    counts = _class_counts(
        owner,
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        num_classes=num_classes,
    )
    assert counts is not None
    enc, tp, pred_sum, true_sum, _, _ = counts
    p, r, f, s = _prf_from_counts(
        tp,
        pred_sum,
        true_sum,
        beta=beta,
        average=average,
        warn_for=warn_for,
        zero_division=zero_division,
    )
    if average is None:
        return (
            out_array(p, enc.numpy_out),
            out_array(r, enc.numpy_out),
            out_array(f, enc.numpy_out),
            out_array(s, enc.numpy_out),
        )
    return p, r, f, s


def _multilabel_prf(
    y_true: Any,
    y_pred: Any,
    beta: float,
    labels: Any,
    average: Any,
    warn_for: Sequence[str],
    zero_division: Any,
    owner: str,
) -> tuple[Any, Any, Any, Any]:
    t = _indicator(y_true, "y_true", owner)
    p = _indicator(y_pred, "y_pred", owner)
    numpy_out = not isinstance(y_true, torch.Tensor)
    if t.shape != p.shape:
        raise DataValidationError(
            f"{owner}: y_true has shape {tuple(t.shape)} but y_pred has {tuple(p.shape)}; "
            "they must match."
        )
    if t.device != p.device:
        raise DataValidationError(f"{owner}: y_true and y_pred are on different devices.")
    if average == "binary":
        raise DataValidationError(
            f"{owner}: Target is multilabel-indicator but average='binary'. Please choose "
            "another average setting, one of [None, 'micro', 'macro', 'weighted', 'samples']."
        )
    if labels is not None:
        cols = torch.as_tensor(labels_array(labels).astype(np.int64), device=t.device)
        if bool((cols < 0).any()) or bool((cols >= t.shape[1]).any()):
            raise InvalidParameterError(
                f"{owner}: labels={labels_array(labels).tolist()!r} is invalid; all labels must "
                f"be in [0, {t.shape[1]}) for multilabel targets."
            )
        t, p = t.index_select(1, cols), p.index_select(1, cols)
    dim = 1 if average == "samples" else 0
    tp = (t & p).sum(dim)
    pred_sum = p.sum(dim)
    true_sum = t.sum(dim)
    if average == "samples":
        zero_value = check_zero_division(zero_division, owner)
        precision = _divide(
            tp, pred_sum, "precision", "predicted", average, warn_for, zero_division, zero_value
        )
        recall = _divide(
            tp, true_sum, "recall", "true", average, warn_for, zero_division, zero_value
        )
        f = _fscore(
            tp,
            pred_sum,
            true_sum,
            beta,
            average,
            warn_for,
            zero_division,
            zero_value,
            precision=precision,
            recall=recall,
        )
        return _nanaverage(precision), _nanaverage(recall), _nanaverage(f), None
    res = _prf_from_counts(
        tp,
        pred_sum,
        true_sum,
        beta=beta,
        average=average,
        warn_for=warn_for,
        zero_division=zero_division,
    )
    if average is None:
        return (
            out_array(res[0], numpy_out),
            out_array(res[1], numpy_out),
            out_array(res[2], numpy_out),
            out_array(res[3], numpy_out),
        )
    return res


def _single(
    which: int,
    name: str,
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any,
    pos_label: Any,
    average: Any,
    zero_division: Any,
    num_classes: int | None,
) -> Any:
    warn_for = {0: ("precision",), 1: ("recall",), 2: ("f-score",)}[which]
    return precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=warn_for,
        zero_division=zero_division,
        num_classes=num_classes,
    )[which]


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: Any = "warn",
    num_classes: int | None = None,
) -> Any:
    """Precision ``tp / (tp + fp)`` (see :func:`precision_recall_fscore_support`).

    Example:
        >>> import torch
        >>> precision_score(torch.tensor([0, 1, 1, 1]), torch.tensor([1, 1, 1, 0]))
        0.6666666666666666
    """
    return _single(
        0,
        "precision_score",
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        zero_division=zero_division,
        num_classes=num_classes,
    )


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: Any = "warn",
    num_classes: int | None = None,
) -> Any:
    """Recall (sensitivity) ``tp / (tp + fn)`` (see :func:`precision_recall_fscore_support`).

    Example:
        >>> import torch
        >>> recall_score(torch.tensor([0, 1, 1, 1]), torch.tensor([1, 1, 1, 0]))
        0.6666666666666666
    """
    return _single(
        1,
        "recall_score",
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        zero_division=zero_division,
        num_classes=num_classes,
    )


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: Any = "warn",
    num_classes: int | None = None,
) -> Any:
    """F-beta score (see :func:`precision_recall_fscore_support`).

    Example:
        >>> import torch
        >>> fbeta_score(torch.tensor([0, 1, 1, 1]), torch.tensor([1, 1, 1, 0]), beta=2.0)
        0.6666666666666666
    """
    return _single(
        2,
        "fbeta_score",
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        zero_division=zero_division,
        num_classes=num_classes,
    )


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: Any = "warn",
    num_classes: int | None = None,
) -> Any:
    """F1 score, the harmonic mean of precision and recall.

    Example:
        >>> import torch
        >>> y_true, y_pred = torch.tensor([0, 1, 2, 0, 1, 2]), torch.tensor([0, 2, 1, 0, 0, 1])
        >>> round(f1_score(y_true, y_pred, average="macro"), 4)
        0.2667
    """
    return _single(
        2,
        "f1_score",
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        zero_division=zero_division,
        num_classes=num_classes,
    )


# ----------------------------------------------------------------------------- accuracy
def accuracy_score(y_true: Any, y_pred: Any, *, normalize: bool = True) -> float:
    """Fraction (or number, ``normalize=False``) of correct predictions.

    Example:
        >>> import torch
        >>> accuracy_score(torch.tensor([0, 1, 1, 1]), torch.tensor([1, 1, 1, 0]))
        0.5
    """
    enc = encode("accuracy_score", y_true, y_pred)
    assert enc.pred is not None
    correct = (enc.true == enc.pred).sum()
    return float(correct.double() / enc.true.numel()) if normalize else float(correct)


def _balanced_accuracy_from_cm(cm: torch.Tensor, adjusted: bool) -> float:
    c = cm.double()
    true_sum = c.sum(1)
    has_true = true_sum > 0
    if bool((~has_true & (c.sum(0) > 0)).any()):
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=3)
    per_class = c.diagonal()[has_true] / true_sum[has_true]
    score = float(per_class.mean())
    if adjusted:
        chance = 1 / per_class.numel()
        if chance == 1:  # a single class: 0/0 as in scikit-learn (NumPy gives NaN)
            return math.nan if score == 1 else math.copysign(math.inf, score - 1)
        score = (score - chance) / (1 - chance)
    return score


def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, adjusted: bool = False, num_classes: int | None = None
) -> float:
    """Balanced accuracy: the mean of per-class recall over the classes present in ``y_true``.

    Same as :func:`sklearn.metrics.balanced_accuracy_score` (classes predicted but absent from
    ``y_true`` are skipped with a warning; ``adjusted=True`` rescales so chance scores 0).
    With ``num_classes``, classes absent from both ``y_true`` and ``y_pred`` are skipped
    silently, so the result equals the one without ``num_classes``.

    Args:
        y_true: True labels ``(n_samples,)``.
        y_pred: Predicted labels ``(n_samples,)``.
        adjusted: Rescale so that random guessing scores 0 and perfect scores 1.
        num_classes: Declare classes ``0..num_classes-1`` and refuse labels outside.

    Returns:
        The score as a float.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``.

    References:
        Brodersen et al., "The balanced accuracy and its posterior distribution", ICPR 2010.

    Example:
        >>> import torch
        >>> y_true, y_pred = torch.tensor([0, 1, 0, 0, 1, 0]), torch.tensor([0, 1, 0, 0, 0, 1])
        >>> balanced_accuracy_score(y_true, y_pred)
        0.625
    """
    enc = encode("balanced_accuracy_score", y_true, y_pred, num_classes=num_classes)
    cm = full_confusion(enc)
    warn_single_label(cm)
    return _balanced_accuracy_from_cm(cm, adjusted)


def _mcc_from_cm(cm: torch.Tensor) -> float:
    c = cm.double()
    t_sum = c.sum(1)
    p_sum = c.sum(0)
    n_correct = c.trace()
    n = p_sum.sum()
    cov_ytyp = n_correct * n - t_sum @ p_sum
    cov_ypyp = n * n - p_sum @ p_sum
    cov_ytyt = n * n - t_sum @ t_sum
    denom = cov_ypyp * cov_ytyt
    if float(denom) == 0:
        return 0.0
    return float(cov_ytyp / torch.sqrt(denom))


def matthews_corrcoef(y_true: Any, y_pred: Any, *, num_classes: int | None = None) -> float:
    """Matthews correlation coefficient (its multiclass generalisation, Gorodkin's R_K).

    Same as :func:`sklearn.metrics.matthews_corrcoef`: 0 when undefined.

    Args:
        y_true: True labels ``(n_samples,)``.
        y_pred: Predicted labels ``(n_samples,)``.
        num_classes: Declare classes ``0..num_classes-1`` and refuse labels outside.

    Returns:
        The coefficient in ``[-1, 1]`` as a float.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``.

    References:
        Gorodkin, "Comparing two K-category assignments by a K-category correlation
        coefficient", Comput. Biol. Chem. 28 (2004).

    Example:
        >>> import torch
        >>> round(matthews_corrcoef(torch.tensor([1, 1, 1, 0]), torch.tensor([1, 0, 1, 1])), 4)
        -0.3333
    """
    enc = encode("matthews_corrcoef", y_true, y_pred, num_classes=num_classes)
    cm = full_confusion(enc)
    warn_single_label(cm)
    return _mcc_from_cm(cm)


def _kappa_from_cm(cm: torch.Tensor, weights: str | None, replace_undefined_by: float) -> float:
    c = cm.double()
    k = c.shape[0]
    sum0 = c.sum(0)
    sum1 = c.sum(1)
    total = sum0.sum()
    if float(total) == 0:
        warn_undefined(
            "`y2` contains no labels that are present in both `y1` and `labels`."
            "`cohen_kappa_score` is undefined and set to the value defined by "
            f"the `replace_undefined_by` param, which is set to {replace_undefined_by}.",
            stacklevel=4,
        )
        return replace_undefined_by
    expected = torch.outer(sum0, sum1) / total
    idx = torch.arange(k, device=c.device, dtype=torch.float64)
    if weights is None:
        w = 1.0 - torch.eye(k, device=c.device, dtype=torch.float64)
    elif weights == "linear":
        w = (idx[None, :] - idx[:, None]).abs()
    else:
        w = (idx[None, :] - idx[:, None]) ** 2
    den = (w * expected).sum()
    if float(den) == 0:
        warn_undefined(
            "`y1`, `y2` and `labels` have only one label in common. "
            "`cohen_kappa_score` is undefined and set to the value defined by the "
            f"the `replace_undefined_by` param, which is set to {replace_undefined_by}.",
            stacklevel=4,
        )
        return replace_undefined_by
    return float(1 - (w * c).sum() / den)


def cohen_kappa_score(
    y1: Any,
    y2: Any,
    *,
    labels: Any = None,
    weights: str | None = None,
    replace_undefined_by: float = math.nan,
    num_classes: int | None = None,
) -> float:
    """Cohen's kappa: agreement between two labelings beyond chance.

    Same as :func:`sklearn.metrics.cohen_kappa_score` (``weights`` ``None``, ``"linear"`` or
    ``"quadratic"``; the class order, for weights, is that of ``labels`` or sorted).

    Args:
        y1: Labels of the first annotator ``(n_samples,)``.
        y2: Labels of the second annotator ``(n_samples,)``.
        labels: Classes to use, in this order.
        weights: ``None``, ``"linear"`` or ``"quadratic"`` disagreement weights.
        replace_undefined_by: Value returned (with an :class:`UndefinedMetricWarning`) when
            kappa is undefined.
        num_classes: Declare classes ``0..num_classes-1`` and refuse labels outside.

    Returns:
        Kappa as a float.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``, no label of
            ``labels`` in ``y1``.
        InvalidParameterError: A bad ``weights``.

    References:
        Cohen, "A coefficient of agreement for nominal scales", Educ. Psychol. Meas. 20 (1960).

    Example:
        >>> import torch
        >>> cohen_kappa_score(torch.tensor([0, 1, 0, 2, 1]), torch.tensor([0, 1, 0, 2, 0]))
        0.6875
    """
    owner = "cohen_kappa_score"
    if weights not in (None, "linear", "quadratic"):
        raise InvalidParameterError(
            f"{owner}: weights={weights!r} is invalid; it must be one of "
            "{None, 'linear', 'quadratic'}."
        )
    enc = encode(
        owner, y1, y2, labels=labels, num_classes=num_classes, true_name="y1", pred_name="y2"
    )
    cm = full_confusion(enc)
    if enc.select is not None:
        if not bool((cm.sum(1).index_select(0, enc.select.to(cm.device)) > 0).any()):
            raise DataValidationError(
                f"{owner}: At least one label in `labels` must be present in `y1` (even though "
                "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and `y2`)."
            )
        cm = select_confusion(cm, enc.select)
    warn_single_label(cm)
    return _kappa_from_cm(cm, weights, float(replace_undefined_by))


# ----------------------------------------------------------------------------- imblearn
_SS_AVERAGES = (None, "binary", "micro", "macro", "weighted", "samples")


def sensitivity_specificity_support(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: Sequence[str] = ("sensitivity", "specificity"),
    num_classes: int | None = None,
) -> tuple[Any, Any, Any]:
    """Sensitivity (recall), specificity ``tn / (tn + fp)`` and support per class, or averaged.

    Same semantics as :func:`imblearn.metrics.sensitivity_specificity_support` (zero
    divisions give 0 with an :class:`UndefinedMetricWarning`; with ``average="binary"``, a
    ``pos_label`` absent from data holding a single class gives ``(0.0, 0.0, 0)``).

    Args:
        y_true: True labels ``(n_samples,)``.
        y_pred: Predicted labels ``(n_samples,)``.
        labels: Classes to report and average over, in this order.
        pos_label: The positive class when ``average="binary"``.
        average: ``None``, ``"binary"``, ``"micro"``, ``"macro"`` or ``"weighted"``.
        warn_for: Which of ``"sensitivity"``, ``"specificity"`` warn on a zero division.
        num_classes: Declare classes ``0..num_classes-1`` (like ``labels=range(num_classes)``).

    Returns:
        ``(sensitivity, specificity, support)``: float64 tensors and int64 support per class
        for ``average=None``; floats and ``None`` otherwise.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``,
            ``average="binary"`` on multiclass targets.
        InvalidParameterError: A bad ``average`` or ``pos_label``.

    Example:
        >>> import torch
        >>> y_true = torch.tensor([0, 1, 2, 0, 1, 2])
        >>> y_pred = torch.tensor([0, 2, 1, 0, 0, 1])
        >>> sen, spe, _ = sensitivity_specificity_support(y_true, y_pred, average="macro")
        >>> round(sen, 4), round(spe, 4)
        (0.3333, 0.6667)
    """
    owner = "sensitivity_specificity_support"
    check_average(average, _SS_AVERAGES, owner)
    if average == "samples":
        raise InvalidParameterError(
            f"{owner}: average='samples' is not meaningful outside multi-label classification."
        )
    counts = _class_counts(
        owner,
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        num_classes=num_classes,
        binary_absent="none",
    )
    if counts is None:
        return 0.0, 0.0, 0
    enc, tp, pred_sum, true_sum, tn = counts[:5]
    return _ss_from_counts(tp, pred_sum, true_sum, tn, average, warn_for, enc.numpy_out)


def _ss_from_counts(
    tp: torch.Tensor,
    pred_sum: torch.Tensor,
    true_sum: torch.Tensor,
    tn: torch.Tensor,
    average: Any,
    warn_for: Sequence[str],
    numpy_out: bool,
) -> tuple[Any, Any, Any]:
    if average == "micro":
        tp, pred_sum, true_sum, tn = (x.sum().reshape(1) for x in (tp, pred_sum, true_sum, tn))
    specificity = _divide(
        tn, tn + pred_sum - tp, "specificity", "predicted", average, warn_for, "warn", 0.0
    )
    sensitivity = _divide(tp, true_sum, "sensitivity", "true", average, warn_for, "warn", 0.0)
    if average is None:
        return (
            out_array(sensitivity, numpy_out),
            out_array(specificity, numpy_out),
            out_array(true_sum, numpy_out),
        )
    if average == "weighted":
        w = true_sum.double()
        if float(w.sum()) == 0:
            return 0, 0, None
        return (
            float((sensitivity * w).sum() / w.sum()),
            float((specificity * w).sum() / w.sum()),
            None,
        )
    return float(sensitivity.mean()), float(specificity.mean()), None


def sensitivity_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    num_classes: int | None = None,
) -> Any:
    """Sensitivity (recall) ``tp / (tp + fn)``, as :func:`imblearn.metrics.sensitivity_score`.

    Example:
        >>> import torch
        >>> sensitivity_score(torch.tensor([0, 1, 1, 0]), torch.tensor([0, 1, 0, 0]))
        0.5
    """
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("sensitivity",),
        num_classes=num_classes,
    )[0]


def specificity_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    num_classes: int | None = None,
) -> Any:
    """Specificity ``tn / (tn + fp)``, as :func:`imblearn.metrics.specificity_score`.

    Example:
        >>> import torch
        >>> specificity_score(torch.tensor([0, 1, 1, 0]), torch.tensor([0, 1, 0, 1]))
        0.5
    """
    return sensitivity_specificity_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("specificity",),
        num_classes=num_classes,
    )[1]


def _sensitivity_specificity_gmean(sen: torch.Tensor, spe: torch.Tensor) -> torch.Tensor:
    """``sqrt(sensitivity * specificity)`` per class, correctly rounded as NumPy's (and so
    imbalanced-learn's): torch's CPU ``sqrt`` of float64 can be one unit in the last place off,
    which flips a rounded report digit at a tie such as 0.525."""
    product = (sen.double() * spe.double()).cpu().numpy()
    return torch.from_numpy(np.sqrt(product)).to(sen.device)


def _gmean_multiclass(tp: torch.Tensor, true_sum: torch.Tensor, correction: float) -> float:
    recall = _divide(tp, true_sum, "recall", "true", None, "recall", "warn", 0.0)
    recall = torch.where(recall == 0, torch.full_like(recall, correction), recall)
    if bool((recall == 0).any()):
        return 0.0
    return float(torch.exp(torch.log(recall).mean()))


def geometric_mean_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "multiclass",
    correction: float = 0.0,
    num_classes: int | None = None,
) -> Any:
    """Geometric mean of per-class recall (or of sensitivity and specificity).

    Same semantics as :func:`imblearn.metrics.geometric_mean_score`: with
    ``average="multiclass"`` (default) the geometric mean of the recalls of all classes, zero
    recalls replaced by ``correction``; with another ``average``, ``sqrt(sensitivity *
    specificity)`` per class or averaged (as imbalanced-learn computes it).

    Args:
        y_true: True labels ``(n_samples,)``.
        y_pred: Predicted labels ``(n_samples,)``.
        labels: Classes to use, in this order.
        pos_label: The positive class when ``average="binary"``.
        average: ``"multiclass"``, ``None``, ``"binary"``, ``"micro"``, ``"macro"`` or
            ``"weighted"``.
        correction: Value that replaces a zero recall (``average="multiclass"``).
        num_classes: Declare classes ``0..num_classes-1`` (like ``labels=range(num_classes)``).

    Returns:
        A float, or a float64 tensor per class for ``average=None``.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``.
        InvalidParameterError: A bad ``average`` or ``correction``.

    References:
        Kubat & Matwin, "Addressing the curse of imbalanced training sets: one-sided
        selection", ICML 1997.

    Example:
        >>> import torch
        >>> y_true = torch.tensor([0, 1, 2, 0, 1, 2])
        >>> y_pred = torch.tensor([0, 2, 1, 0, 0, 1])
        >>> geometric_mean_score(y_true, y_pred)
        0.0
        >>> round(geometric_mean_score(y_true, y_pred, correction=0.001), 4)
        0.01
    """
    owner = "geometric_mean_score"
    check_average(average, ("multiclass", *_SS_AVERAGES), owner)
    if (
        isinstance(correction, bool)
        or not isinstance(correction, (int, float))
        or not (correction >= 0 and math.isfinite(correction))
    ):
        raise InvalidParameterError(
            f"{owner}: correction={correction!r} is invalid; it must be a float in [0, inf)."
        )
    if average != "multiclass":
        sen, spe, _ = sensitivity_specificity_support(
            y_true,
            y_pred,
            labels=labels,
            pos_label=pos_label,
            average=average,
            warn_for=("specificity", "specificity"),
            num_classes=num_classes,
        )
        if isinstance(sen, torch.Tensor):
            return _sensitivity_specificity_gmean(sen, spe).to(sen.dtype)
        if isinstance(sen, np.ndarray):
            return np.sqrt(sen * spe)
        return math.sqrt(sen * spe)
    enc = encode(owner, y_true, y_pred, labels=labels, num_classes=num_classes)
    cm = full_confusion(enc)
    tp, true_sum = cm.diagonal(), cm.sum(1)
    if enc.select is not None:
        sel = enc.select.to(cm.device)
        tp, true_sum = tp.index_select(0, sel), true_sum.index_select(0, sel)
    return _gmean_multiclass(tp, true_sum, float(correction))


def make_index_balanced_accuracy(
    *, alpha: float = 0.1, squared: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator turning a label-based metric into its index balanced accuracy (IBA).

    ``IBA = (1 + alpha * (sensitivity - specificity)) * metric`` (``metric ** 2`` when
    ``squared``), with sensitivity and specificity from
    :func:`sensitivity_specificity_support` with the same ``labels``, ``pos_label`` and
    ``average`` as the metric call. Same as :func:`imblearn.metrics.make_index_balanced_accuracy`.

    Args:
        alpha: Weight of the dominance ``sensitivity - specificity``.
        squared: Square the metric before weighting.

    Returns:
        A decorator for metrics taking ``(y_true, y_pred, ...)``.

    Raises:
        AttributeError: When the decorated metric takes scores (``y_score``, ``y_prob``,
            ``y2``), for which dominance is undefined.

    References:
        García, Sánchez & Mollineda, "On the effectiveness of preprocessing methods when
        dealing with different levels of class imbalance", Knowl.-Based Syst. 25 (2012).

    Example:
        >>> import torch
        >>> gmean = make_index_balanced_accuracy(alpha=0.1, squared=True)(geometric_mean_score)
        >>> y_true, y_pred = torch.tensor([1, 0, 0, 1, 0, 1]), torch.tensor([0, 0, 1, 1, 0, 1])
        >>> [round(v, 4) for v in gmean(y_true, y_pred, average=None).tolist()]
        [0.4444, 0.4444]
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise InvalidParameterError(
            f"make_index_balanced_accuracy: alpha={alpha!r} is invalid; it must be a float."
        )
    if not isinstance(squared, bool):
        raise InvalidParameterError(
            f"make_index_balanced_accuracy: squared={squared!r} is invalid; it must be a bool."
        )

    def decorate(scoring_func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(scoring_func)
        def compute_score(*args: Any, **kwargs: Any) -> Any:
            sig = signature(scoring_func)
            if {"y_score", "y_prob", "y2"} & set(sig.parameters):
                raise AttributeError(
                    f"The function {scoring_func.__name__} has an unsupported attribute. "
                    "Only metrics taking `y_pred` can be turned into an index balanced "
                    "accuracy."
                )
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            score = scoring_func(*bound.args, **bound.kwargs)
            if squared:
                score = score**2
            common = set(signature(sensitivity_specificity_support).parameters) & set(
                bound.arguments
            )
            ss_args = {k: bound.arguments[k] for k in common}
            name = scoring_func.__name__
            if name == "geometric_mean_score":
                if ss_args.get("average") == "multiclass":
                    ss_args["average"] = "macro"
            elif name in ("accuracy_score", "jaccard_score"):
                ss_args["average"] = "binary"
            sensitivity, specificity, _ = sensitivity_specificity_support(**ss_args)
            return (1.0 + alpha * (sensitivity - specificity)) * score

        return compute_score

    return decorate
