"""Score-based metrics: ROC and precision-recall curves, ROC AUC and average precision.

One sort per binary problem (``torch.sort(stable=True)``), cumulative sums at the distinct
score values, as scikit-learn's ``_binary_clf_curve``; everything stays on the scores' device.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ._common import (
    as_label_tensor,
    as_score_tensor,
    check_average,
    check_same_length,
    labels_array,
    one_column_as_1d,
    out_array,
    row_sum_deviation,
    warn_undefined,
)

__all__ = ["average_precision_score", "precision_recall_curve", "roc_auc_score", "roc_curve"]


def _binary_targets(y_true: Any, pos_label: Any, owner: str) -> tuple[torch.Tensor, bool, Any]:
    """``y_true == pos_label`` as a bool tensor (``pos_label=None``: 1 for {0,1}/{-1,1})."""
    t, from_numpy = as_label_tensor(y_true, "y_true", owner)
    if isinstance(t, np.ndarray):
        classes = np.unique(t)
        if pos_label is None:
            raise InvalidParameterError(
                f"{owner}: pos_label=None is invalid for string labels {classes.tolist()}; "
                "pass pos_label explicitly."
            )
        if len(classes) > 2:
            raise DataValidationError(f"{owner}: multiclass format is not supported.")
        return torch.from_numpy(t == pos_label), from_numpy, pos_label
    values = torch.unique(t).tolist() if t.numel() else []
    if len(values) > 2:
        raise DataValidationError(
            f"{owner}: y_true holds {len(values)} classes; multiclass format is not supported "
            "(pass one column per class, or use roc_auc_score(multi_class=...))."
        )
    if pos_label is None:
        if values and not (set(values) <= {0, 1} or set(values) <= {-1, 1}):
            raise InvalidParameterError(
                f"{owner}: y_true takes value in {values} and pos_label is not specified: "
                "either make y_true take value in {0, 1} or {-1, 1} or pass pos_label "
                "explicitly."
            )
        pos_label = 1
    return t == pos_label, from_numpy, pos_label


def _clf_curve(
    y: torch.Tensor, score: torch.Tensor, presorted: bool = False
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """False and true positive counts (float64) at each distinct score, decreasing.

    The order within tied scores does not matter (only the last position of each run of equal
    scores is kept), so the sort need not be stable. ``presorted``: ``score`` is already
    decreasing and ``y`` in the same order.
    """
    if presorted:
        score_sorted, y_sorted = score, y.double()
    else:
        score_sorted, order = torch.sort(score, descending=True)
        y_sorted = y[order].double()
    distinct = torch.nonzero(score_sorted[1:] != score_sorted[:-1]).reshape(-1)
    last = torch.tensor([score.numel() - 1], device=score.device)
    idx = torch.cat([distinct, last])
    tps = torch.cumsum(y_sorted, 0)[idx]
    fps = 1 + idx.double() - tps
    return fps, tps, score_sorted[idx]


def _check_binary_inputs(
    y_true: Any, y_score: Any, pos_label: Any, owner: str
) -> tuple[torch.Tensor, torch.Tensor, bool]:
    y, from_numpy, _ = _binary_targets(y_true, pos_label, owner)
    score = one_column_as_1d(as_score_tensor(y_score, "y_score", owner))
    if score.dim() != 1:
        raise DataValidationError(
            f"{owner}: y_score must be 1-D (n_samples,) for binary targets, got shape "
            f"{tuple(score.shape)}."
        )
    check_same_length(owner, y_true=y, y_score=score)
    if y.numel() == 0:
        raise DataValidationError(f"{owner}: y_true is empty; at least one sample is needed.")
    return y.to(score.device), score, from_numpy


def roc_curve(
    y_true: Any, y_score: Any, *, pos_label: Any = None, drop_intermediate: bool = True
) -> tuple[Any, Any, Any]:
    """Receiver operating characteristic curve of a binary problem.

    Same as :func:`sklearn.metrics.roc_curve`, including ``drop_intermediate`` (drop
    thresholds that are collinear on the curve), the leading ``inf`` threshold and the
    warnings when a class is missing.

    Args:
        y_true: Binary labels ``(n_samples,)``.
        y_score: Scores ``(n_samples,)``, higher meaning more positive.
        pos_label: The positive label (default 1 for {0, 1} or {-1, 1} labels).
        drop_intermediate: Drop suboptimal thresholds for a lighter curve.

    Returns:
        ``(fpr, tpr, thresholds)`` as float64 tensors (NumPy arrays for NumPy input).

    Raises:
        DataValidationError: Mismatched lengths, NaN scores, more than two classes.

    Example:
        >>> import torch
        >>> y, s = torch.tensor([0, 0, 1, 1]), torch.tensor([0.1, 0.4, 0.35, 0.8])
        >>> fpr, tpr, thr = roc_curve(y, s)
        >>> fpr.tolist(), tpr.tolist()
        ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    owner = "roc_curve"
    y, score, from_numpy = _check_binary_inputs(y_true, y_score, pos_label, owner)
    fps, tps, thresholds = _clf_curve(y, score)
    if drop_intermediate and fps.numel() > 2:
        d2f = fps[2:] - 2 * fps[1:-1] + fps[:-2]
        d2t = tps[2:] - 2 * tps[1:-1] + tps[:-2]
        keep = torch.ones_like(fps, dtype=torch.bool)
        keep[1:-1] = (d2f != 0) | (d2t != 0)
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    zero = torch.zeros(1, dtype=torch.float64, device=fps.device)
    fps, tps = torch.cat([zero, fps]), torch.cat([zero, tps])
    thresholds = torch.cat([zero + torch.inf, thresholds.double()])
    if float(fps[-1]) <= 0:
        warn_undefined("No negative samples in y_true, false positive value should be meaningless")
        fpr = torch.full_like(fps, torch.nan)
    else:
        fpr = fps / fps[-1]
    if float(tps[-1]) <= 0:
        warn_undefined("No positive samples in y_true, true positive value should be meaningless")
        tpr = torch.full_like(tps, torch.nan)
    else:
        tpr = tps / tps[-1]
    return out_array(fpr, from_numpy), out_array(tpr, from_numpy), out_array(thresholds, from_numpy)


def precision_recall_curve(
    y_true: Any, y_score: Any, *, pos_label: Any = None, drop_intermediate: bool = False
) -> tuple[Any, Any, Any]:
    """Precision-recall pairs for each distinct threshold of a binary problem.

    Same as :func:`sklearn.metrics.precision_recall_curve`: ``precision`` and ``recall`` end
    with ``1`` and ``0`` (one element more than ``thresholds``), thresholds increase; with no
    positive sample, recall is 1 at every threshold (with a warning).

    Args:
        y_true: Binary labels ``(n_samples,)``.
        y_score: Scores ``(n_samples,)``.
        pos_label: The positive label (default 1 for {0, 1} or {-1, 1} labels).
        drop_intermediate: Drop thresholds that give no new recall value.

    Returns:
        ``(precision, recall, thresholds)`` as float64 tensors (NumPy for NumPy input).

    Raises:
        DataValidationError: Mismatched lengths, NaN scores, more than two classes.

    Example:
        >>> import torch
        >>> y, s = torch.tensor([0, 0, 1, 1]), torch.tensor([0.1, 0.4, 0.35, 0.8])
        >>> p, r, t = precision_recall_curve(y, s)
        >>> [round(v, 3) for v in p.tolist()], r.tolist()
        ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0])
    """
    owner = "precision_recall_curve"
    y, score, from_numpy = _check_binary_inputs(y_true, y_score, pos_label, owner)
    fps, tps, thresholds = _clf_curve(y, score)
    precision, recall = _pr_from_counts(fps, tps, drop_intermediate)
    if drop_intermediate and fps.numel() > 2:
        keep = _pr_keep(tps)
        thresholds = thresholds[keep]
    one = torch.ones(1, dtype=torch.float64, device=fps.device)
    precision = torch.cat([precision.flip(0), one])
    recall = torch.cat([recall.flip(0), one * 0])
    return (
        out_array(precision, from_numpy),
        out_array(recall, from_numpy),
        out_array(thresholds.double().flip(0), from_numpy),
    )


def _pr_keep(tps: torch.Tensor) -> torch.Tensor:
    keep = torch.ones_like(tps, dtype=torch.bool)
    keep[1:-1] = (tps[1:-1] != tps[:-2]) | (tps[2:] != tps[1:-1])
    return keep


def _pr_from_counts(
    fps: torch.Tensor, tps: torch.Tensor, drop_intermediate: bool = False, warn: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    if drop_intermediate and fps.numel() > 2:
        keep = _pr_keep(tps)
        fps, tps = fps[keep], tps[keep]
    ps = tps + fps
    precision = torch.where(ps != 0, tps / torch.where(ps != 0, ps, torch.ones_like(ps)), 0.0)
    if float(tps[-1]) == 0:
        if warn:
            warn_undefined(
                "No positive class found in y_true, recall is set to one for all thresholds."
            )
        recall = torch.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return precision, recall


def _binary_ap(y: torch.Tensor, score: torch.Tensor, presorted: bool = False) -> float:
    fps, tps, _ = _clf_curve(y, score, presorted)
    precision, recall = _pr_from_counts(fps, tps)
    # sum over thresholds (highest first) of (R_k - R_{k-1}) * P_k with R_0 = 0
    prev = torch.cat([torch.zeros(1, dtype=recall.dtype, device=recall.device), recall[:-1]])
    return max(0.0, float(((recall - prev) * precision).sum()))


def _binary_auc(
    y: torch.Tensor, score: torch.Tensor, max_fpr: float | None = None, presorted: bool = False
) -> float:
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == y.numel():
        warn_undefined(
            "Only one class is present in y_true. ROC AUC score is not defined in that case."
        )
        return float("nan")
    fps, tps, _ = _clf_curve(y, score, presorted)
    zero = torch.zeros(1, dtype=torch.float64, device=fps.device)
    fpr = torch.cat([zero, fps]) / fps[-1]
    tpr = torch.cat([zero, tps]) / tps[-1]
    if max_fpr is None or max_fpr == 1:
        return float(torch.trapezoid(tpr, fpr))
    stop = int(
        torch.searchsorted(
            fpr, torch.tensor(max_fpr, dtype=fpr.dtype, device=fpr.device), right=True
        )
    )
    x0, x1, y0, y1 = float(fpr[stop - 1]), float(fpr[stop]), float(tpr[stop - 1]), float(tpr[stop])
    y_interp = y0 + (y1 - y0) * (max_fpr - x0) / (x1 - x0) if x1 != x0 else y1
    tpr_p = torch.cat([tpr[:stop], tpr.new_tensor([y_interp])])
    fpr_p = torch.cat([fpr[:stop], fpr.new_tensor([max_fpr])])
    partial = float(torch.trapezoid(tpr_p, fpr_p))
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (partial - min_area) / (max_area - min_area))


def _average_columns(
    metric: Any, y: torch.Tensor, score: torch.Tensor, average: Any, numpy_out: bool
) -> Any:
    """scikit-learn's ``_average_binary_score`` over the columns of an indicator matrix."""
    if average == "micro":
        return metric(y.reshape(-1), score.reshape(-1))
    if average == "samples":
        values = [metric(y[i], score[i]) for i in range(y.shape[0])]
        return float(np.average(values))
    if average == "weighted" and float(y.double().sum()) == 0:
        return 0.0  # as scikit-learn: no positive anywhere, decided before any column is scored
    # one sort of all columns at once (much faster than a sort per strided column)
    score_sorted, order = torch.sort(score.T.contiguous(), dim=1, descending=True)
    y_sorted = torch.gather(y.T.contiguous(), 1, order)
    per = torch.tensor(
        [metric(y_sorted[c], score_sorted[c], presorted=True) for c in range(y.shape[1])],
        dtype=torch.float64,
    )
    if average is None:
        return out_array(per.to(score.device), numpy_out)
    if average == "weighted":
        w = y.double().sum(0).cpu()
        per = torch.where(w == 0, torch.zeros_like(per), per)  # as scikit-learn: 0-weight NaN
        return float((per * w).sum() / w.sum())
    return float(per.mean())


def _check_2d_scores(y_score: Any, owner: str) -> torch.Tensor:
    score = as_score_tensor(y_score, "y_score", owner)
    if score.dim() != 2:
        raise DataValidationError(
            f"{owner}: y_score must be (n_samples, n_classes) for multiclass or multi-label "
            f"targets, got shape {tuple(score.shape)}."
        )
    return score


def _multiclass_codes(
    y_true: Any, score: torch.Tensor, labels: Any, owner: str
) -> tuple[torch.Tensor, bool]:
    t, from_numpy = as_label_tensor(y_true, "y_true", owner)
    check_same_length(owner, y_true=t, y_score=score)
    if labels is not None:
        classes = labels_array(labels)
        if len(np.unique(classes)) != len(classes):
            raise InvalidParameterError(f"{owner}: Parameter 'labels' must be unique.")
        if not np.array_equal(np.sort(classes), classes):
            raise InvalidParameterError(f"{owner}: Parameter 'labels' must be ordered.")
        if len(classes) != score.shape[1]:
            raise InvalidParameterError(
                f"{owner}: Number of given labels, {len(classes)}, not equal to the number of "
                f"columns in 'y_score', {score.shape[1]}."
            )
    else:
        classes = None
    if isinstance(t, np.ndarray):
        if classes is None:
            classes = np.unique(t)
            if len(classes) != score.shape[1]:
                raise DataValidationError(
                    f"{owner}: Number of classes in y_true not equal to the number of columns "
                    "in 'y_score'."
                )
        tcodes = torch.from_numpy(np.searchsorted(classes, t).astype(np.int64))
        if not np.isin(t, classes).all():
            raise DataValidationError(f"{owner}: 'y_true' contains labels not in 'labels'.")
        return tcodes.to(score.device), True
    present = torch.unique(t)
    if classes is None:
        if present.numel() != score.shape[1]:
            raise DataValidationError(
                f"{owner}: Number of classes in y_true ({present.numel()}) not equal to the "
                f"number of columns in 'y_score' ({score.shape[1]}); pass labels=... or "
                "num_classes=... when a class is absent."
            )
        cls = present
    else:
        cls = torch.as_tensor(classes.astype(np.int64), device=t.device)
        if not bool(torch.isin(present, cls).all()):
            raise DataValidationError(f"{owner}: 'y_true' contains labels not in 'labels'.")
    return torch.searchsorted(cls, t).to(score.device), from_numpy


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
    num_classes: int | None = None,
) -> Any:
    """Area under the ROC curve: binary, multiclass (one-vs-rest or one-vs-one), multi-label.

    Same as :func:`sklearn.metrics.roc_auc_score`. Binary: ``y_score`` ``(n_samples,)``
    (``max_fpr`` gives the McClish-standardised partial AUC). Multiclass: ``y_score``
    ``(n_samples, n_classes)`` probabilities summing to one, ``multi_class="ovr"`` (average
    ``"macro"``, ``"weighted"``, ``"micro"`` or ``None``) or ``"ovo"`` (Hand & Till;
    ``"macro"`` or ``"weighted"`` by pair prevalence). Multi-label: a 0/1 indicator
    ``y_true`` of the same shape as ``y_score``.

    Args:
        y_true: Labels ``(n_samples,)`` or indicator matrix ``(n_samples, n_labels)``.
        y_score: Scores ``(n_samples,)`` or ``(n_samples, n_classes)``.
        average: How per-class AUCs are averaged.
        max_fpr: Partial AUC up to this false positive rate (binary only).
        multi_class: ``"ovr"`` or ``"ovo"`` for multiclass targets (``"raise"`` refuses).
        labels: The classes of ``y_score``'s columns (sorted); default: those in ``y_true``.
        num_classes: Same as ``labels=range(num_classes)``.

    Returns:
        A float (NaN with a warning if one class only is present), or a tensor per class for
        ``average=None``.

    Raises:
        DataValidationError: Mismatched lengths, NaN scores, probabilities not summing to one
            (multiclass), a column count that does not match the classes.
        InvalidParameterError: A bad ``average``, ``multi_class``, ``max_fpr`` or ``labels``.

    References:
        Hand & Till, "A simple generalisation of the area under the ROC curve for multiple
        class classification problems", Machine Learning 45 (2001).

    Example:
        >>> import torch
        >>> roc_auc_score(torch.tensor([0, 0, 1, 1]), torch.tensor([0.1, 0.4, 0.35, 0.8]))
        0.75
    """
    owner = "roc_auc_score"
    check_average(average, (None, "micro", "macro", "weighted", "samples"), owner)
    if multi_class not in ("raise", "ovr", "ovo"):
        raise InvalidParameterError(
            f"{owner}: multi_class={multi_class!r} is invalid; it must be one of "
            "{'raise', 'ovr', 'ovo'}."
        )
    if max_fpr is not None and not (isinstance(max_fpr, (int, float)) and 0 < max_fpr <= 1):
        raise InvalidParameterError(
            f"{owner}: max_fpr={max_fpr!r} is invalid; it must be None or a float in (0, 1]."
        )
    if num_classes is not None:
        if labels is not None:
            raise InvalidParameterError(f"{owner}: pass only one of labels and num_classes.")
        labels = list(range(int(num_classes)))
    y_is_2d = (isinstance(y_true, torch.Tensor) and y_true.dim() == 2 and y_true.shape[1] > 1) or (
        not isinstance(y_true, torch.Tensor) and np.ndim(y_true) == 2 and np.shape(y_true)[1] > 1
    )
    if y_is_2d:  # multi-label indicator
        score = _check_2d_scores(y_score, owner)
        y = torch.as_tensor(np.asarray(y_true)) if not isinstance(y_true, torch.Tensor) else y_true
        if tuple(y.shape) != tuple(score.shape):
            raise DataValidationError(
                f"{owner}: y_true has shape {tuple(y.shape)} but y_score has "
                f"{tuple(score.shape)}; they must match."
            )
        y = y.to(score.device).bool()

        def metric(a: torch.Tensor, b: torch.Tensor, presorted: bool = False) -> float:
            return _binary_auc(a, b, max_fpr, presorted)

        return _average_columns(metric, y, score, average, not isinstance(y_true, torch.Tensor))
    score = one_column_as_1d(as_score_tensor(y_score, "y_score", owner))
    if score.dim() == 2 and (score.shape[1] > 2 or (labels is not None and len(labels) > 2)):
        if max_fpr is not None and max_fpr != 1.0:
            raise InvalidParameterError(
                f"{owner}: max_fpr={max_fpr} is invalid for multiclass targets; partial AUC is "
                "binary only, set max_fpr=None."
            )
        if multi_class == "raise":
            raise InvalidParameterError(
                f"{owner}: multi_class='raise' is invalid for multiclass targets; pass "
                "multi_class='ovr' or 'ovo'."
            )
        return _multiclass_auc(y_true, score, labels, multi_class, average, owner)
    if score.dim() == 2 and score.shape[1] == 2:
        raise DataValidationError(
            f"{owner}: y_score has shape {tuple(score.shape)}; for binary targets pass the "
            "score of the positive class, y_score[:, 1]."
        )
    if isinstance(y_true, torch.Tensor) or np.asarray(y_true).dtype.kind in "iubf":
        t, _ = as_label_tensor(y_true, "y_true", owner)
        assert isinstance(t, torch.Tensor)
        values = torch.unique(t)
        if values.numel() > 2:
            raise DataValidationError(
                f"{owner}: y_true holds {values.numel()} classes but y_score is 1-D; pass "
                "(n_samples, n_classes) probabilities and multi_class='ovr' or 'ovo'."
            )
        y = t == values.max()
    else:
        arr = np.asarray(y_true)
        y = torch.from_numpy(arr == np.unique(arr)[-1])
    check_same_length(owner, y_true=y, y_score=score)
    if score.dim() != 1:
        raise DataValidationError(
            f"{owner}: y_score must be 1-D for binary targets, got shape {tuple(score.shape)}."
        )
    return _binary_auc(y.to(score.device), score, max_fpr)


def _check_probabilities(score: torch.Tensor, owner: str) -> None:
    worst = row_sum_deviation(score)
    if worst is not None:
        raise DataValidationError(
            f"{owner}: y_score rows must be probabilities summing to 1.0 over classes for "
            f"multiclass ROC AUC (largest deviation {worst:.3g}); apply softmax first."
        )


def _multiclass_auc(
    y_true: Any, score: torch.Tensor, labels: Any, multi_class: str, average: Any, owner: str
) -> Any:
    _check_probabilities(score, owner)
    options = (
        ("macro", "weighted", None)
        if multi_class == "ovo"
        else ("micro", "macro", "weighted", None)
    )
    if average not in options:
        raise InvalidParameterError(
            f"{owner}: average={average!r} is invalid for multiclass problems; it must be one "
            f"of {options}."
        )
    if average is None and multi_class == "ovo":
        raise InvalidParameterError(
            f"{owner}: average=None is not implemented for multi_class='ovo'."
        )
    codes, numpy_out = _multiclass_codes(y_true, score, labels, owner)
    n_classes = score.shape[1]
    if multi_class == "ovr":
        onehot = torch.nn.functional.one_hot(codes, n_classes).bool()
        return _average_columns(_binary_auc, onehot, score, average, numpy_out)
    present = torch.unique(codes).tolist()
    pair_scores, prevalence = [], []
    for a, b in itertools.combinations(present, 2):
        a_mask, b_mask = codes == a, codes == b
        ab = a_mask | b_mask
        prevalence.append(float(ab.double().mean()))
        s_a = _binary_auc(a_mask[ab], score[ab, a])
        s_b = _binary_auc(b_mask[ab], score[ab, b])
        pair_scores.append((s_a + s_b) / 2)
    return float(np.average(pair_scores, weights=prevalence if average == "weighted" else None))


def average_precision_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
) -> Any:
    """Average precision (area under the precision-recall step curve, no interpolation).

    Same as :func:`sklearn.metrics.average_precision_score`: ``sum_n (R_n - R_{n-1}) P_n``.
    Binary (``y_score`` ``(n_samples,)``), multiclass one-vs-rest (``y_score``
    ``(n_samples, n_classes)``, columns for the sorted classes of ``y_true``) and multi-label
    (indicator ``y_true``), with ``average`` ``"macro"``, ``"weighted"``, ``"micro"``,
    ``"samples"`` or ``None`` (per-label AP).

    Args:
        y_true: Labels ``(n_samples,)`` or indicator matrix ``(n_samples, n_labels)``.
        y_score: Scores ``(n_samples,)`` or ``(n_samples, n_classes)``.
        average: How per-class APs are averaged.
        pos_label: The positive class (binary only).

    Returns:
        A float, or a tensor per class for ``average=None``.

    Raises:
        DataValidationError: Mismatched lengths, NaN scores, a shape that does not match.
        InvalidParameterError: A bad ``average`` or ``pos_label``.

    Example:
        >>> import torch
        >>> y, s = torch.tensor([0, 0, 1, 1]), torch.tensor([0.1, 0.4, 0.35, 0.8])
        >>> round(average_precision_score(y, s), 4)
        0.8333
    """
    owner = "average_precision_score"
    check_average(average, (None, "micro", "macro", "weighted", "samples"), owner)
    score = one_column_as_1d(as_score_tensor(y_score, "y_score", owner))
    numpy_out = not isinstance(y_true, torch.Tensor)
    if np.ndim(y_true) == 2 if not isinstance(y_true, torch.Tensor) else y_true.dim() == 2:
        y = y_true if isinstance(y_true, torch.Tensor) else torch.as_tensor(np.asarray(y_true))
        if y.shape[1] == 1:
            y = y.reshape(-1)
        else:
            if pos_label != 1:
                raise InvalidParameterError(
                    f"{owner}: pos_label={pos_label!r} is invalid; it is fixed to 1 for "
                    "multilabel-indicator y_true."
                )
            if tuple(y.shape) != tuple(score.shape):
                raise DataValidationError(
                    f"{owner}: y_true has shape {tuple(y.shape)} but y_score has "
                    f"{tuple(score.shape)}; they must match."
                )
            return _average_columns(
                _binary_ap, y.to(score.device).bool(), score, average, numpy_out
            )
        y_true = y
    t, _ = as_label_tensor(y_true, "y_true", owner)
    present = np.unique(t) if isinstance(t, np.ndarray) else torch.unique(t).cpu().numpy()
    if len(present) > 2 or (score.dim() == 2 and score.shape[1] > 2):
        if pos_label != 1:
            raise InvalidParameterError(
                f"{owner}: pos_label={pos_label!r} is invalid; it is fixed to 1 for multiclass "
                "y_true."
            )
        if score.dim() != 2 or score.shape[1] != len(present):
            raise DataValidationError(
                f"{owner}: `y_score` needs to be of shape `(n_samples, n_classes)`, since "
                f"`y_true` contains multiple classes. Got `y_score.shape={tuple(score.shape)}`."
            )
        check_same_length(owner, y_true=t, y_score=score)
        if isinstance(t, np.ndarray):
            codes = torch.from_numpy(np.searchsorted(present, t).astype(np.int64))
        else:
            codes = torch.searchsorted(torch.as_tensor(present, device=t.device), t)
        onehot = torch.nn.functional.one_hot(codes.to(score.device), len(present)).bool()
        return _average_columns(_binary_ap, onehot, score, average, numpy_out)
    if len(present) == 2 and pos_label not in present.tolist():
        raise InvalidParameterError(
            f"{owner}: pos_label={pos_label!r} is not a valid label. It should be one of "
            f"{present.tolist()}."
        )
    y = torch.from_numpy(t == pos_label) if isinstance(t, np.ndarray) else t == pos_label
    if score.dim() != 1:
        raise DataValidationError(
            f"{owner}: y_score must be 1-D for binary targets, got shape {tuple(score.shape)}."
        )
    check_same_length(owner, y_true=y, y_score=score)
    return _binary_ap(y.to(score.device), score)
