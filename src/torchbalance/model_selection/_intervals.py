"""Confidence intervals for a mean over cross-validation folds (Student t, corrected)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from ..exceptions import DataValidationError, InvalidParameterError
from ..metrics._student_t import student_t_quantile

__all__ = ["MeanInterval", "fold_mean_interval", "student_t_quantile"]


class MeanInterval(NamedTuple):
    """A mean with its two-sided confidence interval."""

    mean: float
    low: float
    high: float


def fold_mean_interval(
    values: Sequence[float], *, confidence: float = 0.95, test_fraction: float | None = None
) -> MeanInterval:
    """Mean of per-fold scores with a Student t interval.

    Folds share training data, so their scores are correlated and the naive interval is too
    narrow; with ``test_fraction`` (``n_test / n``) the variance uses Nadeau & Bengio's
    correction ``(1/J + n_test/n_train) s²`` over ``J`` folds (× repeats). Without it, the plain
    ``s² / J``.

    Raises:
        DataValidationError: Fewer than two values, or a NaN.
        InvalidParameterError: ``confidence`` or ``test_fraction`` outside ``(0, 1)``.

    References:
        C. Nadeau, Y. Bengio, "Inference for the generalization error", Machine Learning 52(3),
        2003.

    Example:
        >>> [round(v, 4) for v in fold_mean_interval([0.8, 0.82, 0.79, 0.81, 0.83])]
        [0.81, 0.7904, 0.8296]
    """
    scores = [float(v) for v in values]
    if len(scores) < 2:
        raise DataValidationError(
            f"fold_mean_interval: {len(scores)} score(s); an interval needs at least two folds."
        )
    if any(math.isnan(v) for v in scores):
        raise DataValidationError("fold_mean_interval: a fold score is NaN.")
    if not 0.0 < confidence < 1.0:
        raise InvalidParameterError(
            f"fold_mean_interval: confidence={confidence!r} is invalid; it must be in (0, 1)."
        )
    if test_fraction is not None and not 0.0 < test_fraction < 1.0:
        raise InvalidParameterError(
            f"fold_mean_interval: test_fraction={test_fraction!r} is invalid; it must be None or "
            "in (0, 1) (n_test / n)."
        )
    j = len(scores)
    mean = sum(scores) / j
    variance = sum((v - mean) ** 2 for v in scores) / (j - 1)
    factor = 1.0 / j
    if test_fraction is not None:
        factor += test_fraction / (1.0 - test_fraction)
    half = student_t_quantile(0.5 + confidence / 2.0, j - 1) * math.sqrt(factor * variance)
    return MeanInterval(mean, mean - half, mean + half)
