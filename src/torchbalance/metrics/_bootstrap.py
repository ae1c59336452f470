"""Uncertainty of a metric: stratified bootstrap intervals and paired comparisons."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

from .._types import GeneratorLike
from ..exceptions import DataValidationError, InvalidParameterError
from ..utils import host_generator
from ._common import check_same_length
from ._student_t import student_t_cdf

__all__ = ["BootstrapResult", "PairedComparison", "bootstrap_ci", "paired_comparison"]


class BootstrapResult(NamedTuple):
    """A metric with its bootstrap percentile interval.

    Attributes:
        estimate: The metric on the full data.
        low: Lower end of the ``1 - alpha`` interval.
        high: Upper end.
        samples: The metric on each bootstrap resample, float64 ``(n_boot,)``.
    """

    estimate: float
    low: float
    high: float
    samples: torch.Tensor


class PairedComparison(NamedTuple):
    """Result of :func:`paired_comparison` (differences are ``a - b``).

    Attributes:
        mean_difference: Mean of ``a - b`` over folds.
        std_difference: Sample standard deviation of ``a - b``.
        t_statistic: Paired t statistic (Nadeau–Bengio corrected when ``test_fraction`` is
            given).
        p_value: Sign-flip permutation p-value of the mean difference.
        n: Number of paired folds.
    """

    mean_difference: float
    std_difference: float
    t_statistic: float
    p_value: float
    n: int


def _label_tensor(y: Any) -> torch.Tensor:
    if isinstance(y, torch.Tensor):
        return y
    array = np.asarray(y)
    if array.dtype.kind not in "iub":
        _, array = np.unique(array, return_inverse=True)
    return torch.from_numpy(array.reshape(-1).astype(np.int64))


def bootstrap_ci(
    metric: Callable[[Any, Any], Any],
    y_true: Any,
    y_score: Any,
    *,
    n_boot: int = 1000,
    alpha: float = 0.05,
    stratified: bool = True,
    generator: GeneratorLike = None,
) -> BootstrapResult:
    """Percentile bootstrap interval of ``metric(y_true, y_score)``.

    Each resample draws ``n`` samples with replacement; ``stratified=True`` draws within each
    class of ``y_true`` as many as the class holds, so every resample keeps the class counts (a
    rare class never vanishes, and metrics stay defined).

    Args:
        metric: ``metric(y_true, y_score) -> float``, e.g. :func:`balanced_accuracy_score` or
            :func:`roc_auc_score`.
        y_true: Labels ``(n_samples,)`` (tensor, NumPy array or list).
        y_score: Predictions or scores, first dimension ``n_samples``.
        n_boot: Number of resamples, ``>= 1``.
        alpha: The interval covers ``1 - alpha`` (``0 < alpha < 1``).
        stratified: Resample within classes of ``y_true``.
        generator: Int seed, ``torch.Generator`` or ``None``.

    Returns:
        :class:`BootstrapResult` ``(estimate, low, high, samples)``; resamples where the
        metric is NaN are left out of the interval.

    Raises:
        InvalidParameterError: Bad ``n_boot``, ``alpha`` or ``metric``.
        DataValidationError: Mismatched lengths or empty input.

    References:
        Efron & Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall (1993).

    Example:
        >>> import torch
        >>> from torchbalance.metrics import balanced_accuracy_score
        >>> y_true = torch.tensor([0] * 90 + [1] * 10)
        >>> y_pred = torch.tensor([0] * 85 + [1] * 5 + [1] * 8 + [0] * 2)
        >>> res = bootstrap_ci(balanced_accuracy_score, y_true, y_pred, n_boot=200, generator=0)
        >>> round(res.estimate, 4), res.low <= res.estimate <= res.high
        (0.8722, True)
    """
    owner = "bootstrap_ci"
    if not callable(metric):
        raise InvalidParameterError(
            f"{owner}: metric={metric!r} is invalid; it must be a callable."
        )
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 1:
        raise InvalidParameterError(
            f"{owner}: n_boot={n_boot!r} is invalid; it must be an int in [1, inf)."
        )
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InvalidParameterError(
            f"{owner}: alpha={alpha!r} is invalid; it must be a float in (0, 1)."
        )
    labels = _label_tensor(y_true)
    check_same_length(owner, y_true=labels, y_score=y_score)
    n = labels.numel()
    if n == 0:
        raise DataValidationError(f"{owner}: y_true is empty; at least one sample is needed.")
    gen = host_generator(generator, owner=owner)
    labels_cpu = labels.cpu()
    if stratified:
        order = torch.argsort(labels_cpu, stable=True)
        counts = torch.unique(labels_cpu, return_counts=True)[1]
        starts = torch.cumsum(counts, 0) - counts
        # per sample position: the start and size of its class block in `order`
        block_start = torch.repeat_interleave(starts, counts)
        block_size = torch.repeat_interleave(counts, counts)
        u = torch.rand((n_boot, n), generator=gen, dtype=torch.float64)
        pick = block_start + (u * block_size).long().clamp_max(block_size - 1)
        indices = order[pick]
    else:
        indices = torch.randint(0, n, (n_boot, n), generator=gen)
    numpy_in = not isinstance(y_true, torch.Tensor)

    def take(values: Any, idx: torch.Tensor) -> Any:
        if isinstance(values, torch.Tensor):
            return values[idx.to(values.device)]
        if numpy_in or isinstance(values, np.ndarray):
            return np.asarray(values)[idx.numpy()]
        return np.asarray(values)[idx.numpy()]

    estimate = float(metric(y_true, y_score))
    samples = torch.tensor(
        [float(metric(take(y_true, idx), take(y_score, idx))) for idx in indices],
        dtype=torch.float64,
    )
    finite = samples[~torch.isnan(samples)]
    if finite.numel() == 0:
        return BootstrapResult(estimate, math.nan, math.nan, samples)
    q = torch.tensor([alpha / 2, 1 - alpha / 2], dtype=torch.float64)
    low, high = torch.quantile(finite, q).tolist()
    return BootstrapResult(estimate, low, high, samples)


def paired_comparison(
    scores_a: Any,
    scores_b: Any,
    *,
    alternative: str = "two-sided",
    test: str = "sign-flip",
    test_fraction: float | None = None,
    n_permutations: int = 10000,
    generator: GeneratorLike = None,
) -> PairedComparison:
    """Is strategy A better than B? A paired test over per-fold scores.

    Reports the mean and spread of the per-fold differences ``a - b``, the paired t statistic
    (with Nadeau & Bengio's correction for overlapping training sets when ``test_fraction``,
    the test share of each fold's data, is given; for ``r`` repeats of ``k`` folds this is
    Bouckaert & Frank's corrected repeated k-fold test) and a p-value:

    - ``test="sign-flip"``: a sign-flip permutation test of the mean difference, exact (all
      ``2**k`` sign patterns) for ``k <= 16`` runs, Monte Carlo with ``n_permutations`` draws
      above. It assumes independent runs: right for runs that share nothing but the test set
      (training seeds on one split), too optimistic for cross-validation folds, whose training
      sets overlap (more repeats drive it towards 0 on the same data).
    - ``test="t"``: Student's t with ``k - 1`` degrees of freedom on the t statistic above; with
      ``test_fraction`` it accounts for the overlap, as the intervals of
      :func:`~torchbalance.model_selection.cross_validate` do. When every run has the same
      difference (no spread, up to rounding) t is undefined, and the sign-flip p is given
      instead (at least ``1 / 2**k`` one-sided: a constant gain is not proof of a real one).

    Args:
        scores_a: Metric of strategy A per fold, shape ``(k,)``.
        scores_b: Metric of strategy B on the same folds, shape ``(k,)``.
        alternative: ``"two-sided"``, ``"greater"`` (A better) or ``"less"``.
        test: ``"sign-flip"`` or ``"t"`` (above).
        test_fraction: ``n_test / n`` of the folds, for the corrected t statistic.
        n_permutations: Draws for the Monte Carlo test (``k > 16``).
        generator: Int seed, ``torch.Generator`` or ``None`` (Monte Carlo only).

    Returns:
        :class:`PairedComparison`.

    Raises:
        DataValidationError: Different numbers of folds, fewer than two, NaN scores.
        InvalidParameterError: Bad ``alternative``, ``test``, ``test_fraction`` or
            ``n_permutations``.

    References:
        Nadeau & Bengio, "Inference for the generalization error", Machine Learning 52 (2003).
        Bouckaert & Frank, "Evaluating the replicability of significance tests for comparing
        learning algorithms", PAKDD 2004.

    Example:
        >>> res = paired_comparison([0.81, 0.79, 0.84, 0.80, 0.83], [0.78, 0.77, 0.80, 0.79, 0.80],
        ...                         alternative="greater")
        >>> round(res.mean_difference, 3), res.p_value
        (0.026, 0.03125)
    """
    owner = "paired_comparison"
    if alternative not in ("two-sided", "greater", "less"):
        raise InvalidParameterError(
            f"{owner}: alternative={alternative!r} is invalid; it must be one of "
            "{'two-sided', 'greater', 'less'}."
        )
    if test not in ("sign-flip", "t"):
        raise InvalidParameterError(
            f"{owner}: test={test!r} is invalid; it must be one of {{'sign-flip', 't'}}."
        )
    if test_fraction is not None and not (
        isinstance(test_fraction, (int, float)) and 0 < test_fraction < 1
    ):
        raise InvalidParameterError(
            f"{owner}: test_fraction={test_fraction!r} is invalid; it must be None or a float "
            "in (0, 1)."
        )
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, int)
        or n_permutations < 1
    ):
        raise InvalidParameterError(
            f"{owner}: n_permutations={n_permutations!r} is invalid; it must be an int in [1, inf)."
        )
    a = torch.as_tensor(np.asarray(scores_a, dtype=np.float64)).reshape(-1)
    b = torch.as_tensor(np.asarray(scores_b, dtype=np.float64)).reshape(-1)
    check_same_length(owner, scores_a=a, scores_b=b)
    if a.numel() < 2:
        raise DataValidationError(
            f"{owner}: at least two paired folds are needed, got {a.numel()}."
        )
    if not bool(torch.isfinite(a).all() & torch.isfinite(b).all()):
        raise DataValidationError(f"{owner}: scores_a and scores_b must be finite (no NaN).")
    d = a - b
    k = d.numel()
    mean = float(d.mean())
    std = float(d.std(unbiased=True))
    factor = 1 / k + (test_fraction / (1 - test_fraction) if test_fraction is not None else 0.0)
    tol = 1e-12 * max(1.0, abs(mean))
    if std <= tol:  # the same gain in every run (up to rounding): t is undefined
        t = math.copysign(math.inf, mean) if abs(mean) > tol else math.nan
    else:
        t = mean / math.sqrt(factor * std**2)
    if test == "t" and std > tol:
        return PairedComparison(mean, std, t, _t_test_p(t, k - 1, alternative), k)
    if k <= 16:
        signs = torch.tensor(list(itertools.product((1.0, -1.0), repeat=k)), dtype=torch.float64)
    else:
        gen = host_generator(generator, owner=owner)
        signs = torch.randint(0, 2, (n_permutations, k), generator=gen).double() * 2 - 1
    perm = (signs * d).mean(1)
    if alternative == "greater":
        hits = perm >= mean - tol
    elif alternative == "less":
        hits = perm <= mean + tol
    else:
        hits = perm.abs() >= abs(mean) - tol
    if k <= 16:  # every sign pattern: the exact p-value
        p = float(hits.double().mean())
    else:  # a Monte Carlo p-value counts the observed pattern too, so it is never 0
        p = (float(hits.sum()) + 1.0) / (n_permutations + 1.0)
    return PairedComparison(mean, std, t, p, k)


def _t_test_p(t: float, df: int, alternative: str) -> float:
    """The p-value of Student's t statistic ``t`` (``nan`` when every difference is 0: p=1)."""
    if math.isnan(t):
        return 1.0
    upper = 1.0 - student_t_cdf(t, df) if math.isfinite(t) else float(t < 0)
    lower = 1.0 - upper
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    return min(1.0, 2.0 * min(upper, lower))
