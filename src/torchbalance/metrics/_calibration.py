"""Calibration metrics: expected calibration error and the Brier score."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ._common import (
    as_label_tensor,
    as_score_tensor,
    check_same_length,
    labels_array,
    one_column_as_1d,
    row_sum_deviation,
)

__all__ = ["brier_score_loss", "calibration_bins", "expected_calibration_error"]


def _check_probs(score: torch.Tensor, owner: str, name: str = "y_prob") -> None:
    if score.numel() and (float(score.min()) < 0 or float(score.max()) > 1):
        raise DataValidationError(
            f"{owner}: {name} holds values outside [0, 1] (min {float(score.min()):.4g}, max "
            f"{float(score.max()):.4g}); pass probabilities (apply sigmoid/softmax first)."
        )


def _check_rows_sum(score: torch.Tensor, owner: str, name: str = "y_prob") -> None:
    worst = row_sum_deviation(score)
    if worst is not None:
        raise DataValidationError(
            f"{owner}: the rows of {name} must sum to one (largest deviation {worst:.3g}); "
            "apply softmax first."
        )


def _confidence_accuracy(y_true: Any, y_prob: Any, owner: str) -> tuple[torch.Tensor, torch.Tensor]:
    prob = one_column_as_1d(as_score_tensor(y_prob, "y_prob", owner))
    t, _ = as_label_tensor(y_true, "y_true", owner)
    if not isinstance(t, torch.Tensor):
        raise DataValidationError(f"{owner}: y_true must hold integer labels 0..C-1.")
    check_same_length(owner, y_true=t, y_prob=prob)
    if t.numel() == 0:
        raise DataValidationError(f"{owner}: y_true is empty; at least one sample is needed.")
    _check_probs(prob, owner)
    t = t.to(prob.device)
    if prob.dim() == 1:
        if not bool(((t == 0) | (t == 1)).all()):
            raise DataValidationError(
                f"{owner}: y_true must hold 0/1 labels with 1-D y_prob (the probability of "
                "class 1); pass (n_samples, n_classes) probabilities for more classes."
            )
        return prob.double(), t.double()
    if prob.dim() != 2:
        raise DataValidationError(
            f"{owner}: y_prob must be (n_samples,) or (n_samples, n_classes), got shape "
            f"{tuple(prob.shape)}."
        )
    _check_rows_sum(prob, owner)
    if int(t.min()) < 0 or int(t.max()) >= prob.shape[1]:
        raise DataValidationError(
            f"{owner}: y_true holds labels outside [0, {prob.shape[1]}) (the columns of y_prob)."
        )
    conf, pred = prob.max(1)
    return conf.double(), (pred == t).double()


def calibration_bins(
    confidence: torch.Tensor, accuracy: torch.Tensor, n_bins: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-bin ``(count, sum of confidence, sum of accuracy)`` over ``n_bins`` equal bins.

    Bin ``b`` holds confidences in ``(b / n_bins, (b + 1) / n_bins]`` (0 goes to the first bin).
    """
    index = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
    count = torch.bincount(index, minlength=n_bins).double()
    # index_add_, not a weighted bincount, which CUDA's deterministic mode refuses
    zeros = torch.zeros(n_bins, dtype=torch.float64, device=confidence.device)
    conf_sum = zeros.index_add(0, index, confidence.double())
    acc_sum = zeros.index_add(0, index, accuracy.double())
    return count, conf_sum, acc_sum


def ece_from_bins(
    count: torch.Tensor, conf_sum: torch.Tensor, acc_sum: torch.Tensor, norm: str
) -> float:
    """Calibration error from per-bin sums (see :func:`expected_calibration_error`)."""
    total = count.sum()
    safe = torch.where(count > 0, count, torch.ones_like(count))
    gap = (acc_sum / safe - conf_sum / safe).abs()
    weight = count / total
    if norm == "l1":
        return float((gap * weight).sum())
    if norm == "l2":
        return float(torch.sqrt((gap**2 * weight).sum()))
    return float(gap[count > 0].max())


def expected_calibration_error(
    y_true: Any, y_prob: Any, *, n_bins: int = 15, norm: str = "l1"
) -> float:
    """Expected calibration error: the gap between confidence and accuracy, over bins.

    ``ECE = sum_b (n_b / n) |acc_b - conf_b|`` over ``n_bins`` equal-width bins
    ``(b/n_bins, (b+1)/n_bins]``. Binary (``y_prob`` ``(n_samples,)``, the probability of class
    1): confidence is that probability and "accuracy" the label (as torchmetrics'
    ``binary_calibration_error``). Multiclass (``(n_samples, n_classes)``): top-label
    confidence and whether the top label is right (Guo et al.). ``norm="l2"`` gives the
    root of the weighted mean squared gap, ``"max"`` the maximum calibration error.

    Args:
        y_true: Labels ``(n_samples,)``: 0/1 for binary, ``0..C-1`` for multiclass.
        y_prob: Probabilities ``(n_samples,)`` or ``(n_samples, n_classes)`` (rows sum to one).
        n_bins: Number of equal-width confidence bins, ``>= 1``.
        norm: ``"l1"`` (ECE), ``"l2"`` or ``"max"`` (MCE).

    Returns:
        The calibration error as a float.

    Raises:
        DataValidationError: Mismatched lengths, NaN, probabilities outside [0, 1] or rows not
            summing to one, labels outside the columns.
        InvalidParameterError: A bad ``n_bins`` or ``norm``.

    References:
        Naeini, Cooper & Hauskrecht, "Obtaining well calibrated probabilities using Bayesian
        binning", AAAI 2015; Guo et al., "On calibration of modern neural networks", ICML 2017.

    Example:
        >>> import torch
        >>> y_prob = torch.tensor([0.9, 0.8, 0.3, 0.2], dtype=torch.float64)
        >>> round(expected_calibration_error(torch.tensor([1, 0, 0, 0]), y_prob, n_bins=5), 4)
        0.35
    """
    owner = "expected_calibration_error"
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise InvalidParameterError(
            f"{owner}: n_bins={n_bins!r} is invalid; it must be an int in [1, inf)."
        )
    if norm not in ("l1", "l2", "max"):
        raise InvalidParameterError(
            f"{owner}: norm={norm!r} is invalid; it must be one of {{'l1', 'l2', 'max'}}."
        )
    conf, acc = _confidence_accuracy(y_true, y_prob, owner)
    return ece_from_bins(*calibration_bins(conf, acc, n_bins), norm)


def brier_score_loss(
    y_true: Any,
    y_proba: Any,
    *,
    pos_label: Any = None,
    labels: Any = None,
    scale_by_half: bool | str = "auto",
) -> float:
    """Brier score: mean squared difference between predicted probabilities and outcomes.

    Same as :func:`sklearn.metrics.brier_score_loss`: binary ``y_proba`` ``(n_samples,)`` is
    the probability of ``pos_label`` (default: the greater label), giving
    ``mean((y == pos_label) - p) ** 2``; multiclass ``(n_samples, n_classes)`` sums the squared
    differences over classes (columns for ``labels`` or the sorted classes of ``y_true``).
    ``scale_by_half="auto"`` halves the multiclass sum for two columns only, so binary results
    agree in both forms.

    Args:
        y_true: Labels ``(n_samples,)``.
        y_proba: Probabilities ``(n_samples,)`` or ``(n_samples, n_classes)``.
        pos_label: The positive class (binary).
        labels: The classes of ``y_proba``'s columns (multiclass).
        scale_by_half: Halve the score (``"auto"``: for one or two columns).

    Returns:
        The score as a float (lower is better).

    Raises:
        DataValidationError: Mismatched lengths, NaN, probabilities outside [0, 1] or rows not
            summing to one, more classes than columns.

    References:
        Brier, "Verification of forecasts expressed in terms of probability", Monthly
        Weather Review 78 (1950).

    Example:
        >>> import torch
        >>> y_proba = torch.tensor([0.1, 0.9, 0.8, 0.3], dtype=torch.float64)
        >>> round(brier_score_loss(torch.tensor([0, 1, 1, 0]), y_proba), 6)
        0.0375
    """
    owner = "brier_score_loss"
    prob = one_column_as_1d(as_score_tensor(y_proba, "y_proba", owner))
    t, _ = as_label_tensor(y_true, "y_true", owner)
    check_same_length(owner, y_true=t, y_proba=prob)
    _check_probs(prob, owner, "y_proba")
    values = np.unique(t) if isinstance(t, np.ndarray) else torch.unique(t).cpu().numpy()
    if prob.dim() == 1:
        if len(values) > 2:
            raise DataValidationError(
                f"{owner}: y_true holds {len(values)} classes but y_proba is 1-D; pass "
                "(n_samples, n_classes) probabilities."
            )
        if pos_label is None or pos_label not in values.tolist():
            if pos_label is not None and len(values) == 2:
                raise InvalidParameterError(
                    f"{owner}: pos_label={pos_label!r} is not a valid label: {values.tolist()}."
                )
            if pos_label is None:
                found = set(values.tolist())
                binary01 = found <= {0, 1} or found <= {-1, 1}
                pos_label = 1 if binary01 else values[-1].item()
        y = (
            torch.from_numpy(t == pos_label) if isinstance(t, np.ndarray) else (t == pos_label)
        ).to(prob.device)
        score = ((y.double() - prob.double()) ** 2).mean()
        # scikit-learn sums over the two columns (p, 1 - p) and halves when asked
        return float(score) if scale_by_half in ("auto", True) else float(2 * score)
    _check_rows_sum(prob, owner, "y_proba")
    classes = labels_array(labels) if labels is not None else values
    if labels is None and len(classes) > prob.shape[1]:
        raise DataValidationError(
            f"{owner}: y_true holds {len(classes)} classes but y_proba has {prob.shape[1]} columns."
        )
    if labels is None and len(classes) < prob.shape[1]:
        raise DataValidationError(
            f"{owner}: y_true holds {len(classes)} classes but y_proba has {prob.shape[1]} "
            "columns; pass labels=... to name the columns."
        )
    if labels is not None:
        if len(classes) != prob.shape[1]:
            raise DataValidationError(
                f"{owner}: labels has {len(classes)} entries but y_proba has {prob.shape[1]} "
                "columns; give one label per column."
            )
        if len(np.unique(classes)) != len(classes) or not bool(np.all(classes[:-1] < classes[1:])):
            raise DataValidationError(
                f"{owner}: labels must be sorted and distinct (the columns of y_proba follow "
                f"the sorted labels), got {classes.tolist()}."
            )
        missing = sorted(set(values.tolist()) - set(classes.tolist()))
        if missing:
            raise DataValidationError(f"{owner}: y_true holds labels {missing} not in labels.")
    if isinstance(t, np.ndarray):
        codes = torch.from_numpy(np.searchsorted(classes, t).astype(np.int64))
    else:
        codes = torch.searchsorted(torch.as_tensor(classes.astype(np.int64), device=t.device), t)
    onehot = torch.nn.functional.one_hot(codes.to(prob.device), prob.shape[1]).double()
    score = ((onehot - prob.double()) ** 2).sum(1).mean()
    half = prob.shape[1] < 3 if scale_by_half == "auto" else bool(scale_by_half)
    return float(score * 0.5) if half else float(score)
