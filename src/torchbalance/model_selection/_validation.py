"""Cross-validation without leakage: resampling is fitted on training folds only."""

from __future__ import annotations

import math
import numbers
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .._types import GeneratorLike
from ..base import clone_value
from ..exceptions import DataValidationError, InvalidParameterError
from ..utils import Interval, check_param, derive_seed, host_generator
from ._intervals import MeanInterval, fold_mean_interval
from ._scoring import Score, check_scores, needs_proba, score_range
from ._split import RepeatedStratifiedKFold, StratifiedKFold

__all__ = ["CVResult", "clone_estimator", "cross_validate", "seed_estimator", "take_rows"]

DEFAULT_METRICS = ("balanced_accuracy", "f1_macro", "g_mean", "mcc", "worst_class_recall")


def clone_estimator(estimator: Any) -> Any:
    """A fresh, unfitted copy (estimators among its parameters unfitted too), else a deep
    copy: :func:`torchbalance.base.clone_value`."""
    return clone_value(estimator)


def take_rows(data: Any, index: Any) -> Any:
    """Rows ``index`` (a tensor on any device or an array) of a tensor, NumPy array, pandas
    object or list."""
    if isinstance(data, torch.Tensor):
        return data[torch.as_tensor(index, device=data.device)]
    if isinstance(index, torch.Tensor):
        index = index.cpu()
    if hasattr(data, "iloc"):
        return data.iloc[np.asarray(index)]
    if isinstance(data, np.ndarray):
        return data[np.asarray(index)]
    return [data[i] for i in np.asarray(index).tolist()]


def classes_of(model: Any, y_train: Any) -> np.ndarray:
    classes = getattr(model, "classes_", None)
    if classes is not None:
        return np.asarray(classes.cpu() if isinstance(classes, torch.Tensor) else classes)
    return _label_set(y_train)


def _label_set(y: Any) -> np.ndarray:
    values = y.cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    return np.unique(values)


def with_every_class(y_proba: Any, classes: np.ndarray, labels: np.ndarray) -> tuple[Any, Any]:
    """Probabilities over every label of the data, and those labels.

    A class the fold's model never saw (a resampler removed all of it) gets probability 0, so
    the probability scores read each column as the class it is; otherwise a test sample of the
    missing class would be scored against the next class's column.
    """
    if y_proba is None or len(classes) == len(labels) or not np.isin(classes, labels).all():
        return y_proba, classes
    columns = np.searchsorted(labels, classes)
    if isinstance(y_proba, torch.Tensor):
        widened = y_proba.new_zeros((y_proba.shape[0], len(labels)))
        widened[:, torch.as_tensor(columns, device=y_proba.device)] = y_proba
        return widened, labels
    full = np.zeros((y_proba.shape[0], len(labels)), dtype=np.asarray(y_proba).dtype)
    full[:, columns] = y_proba
    return full, labels


def seed_estimator(estimator: Any, seed: int, *, overwrite: bool = False) -> None:
    """Give an unseeded estimator ``seed`` (``generator`` or ``random_state``), and the
    estimators nested in its parameters too: a wrapped model, and every step of a pipeline
    (step ``i`` gets ``seed + i``, so two steps of one kind do not draw alike).

    Args:
        estimator: Any object; those without ``get_params`` are left alone.
        seed: A non-negative int.
        overwrite: Replace seeds already set too (each bagging member must differ).
    """
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        return
    params = estimator.get_params(deep=False)
    if "generator" in params and (overwrite or params["generator"] is None):
        estimator.set_params(generator=seed)
    elif "random_state" in params and (overwrite or params["random_state"] is None):
        estimator.set_params(random_state=seed % 2**32)
    for value in params.values():
        if _is_step_list(value):
            for position, (_, step) in enumerate(value):
                seed_estimator(step, (seed + position) % 2**62, overwrite=overwrite)
        else:
            seed_estimator(value, seed, overwrite=overwrite)


def _is_step_list(value: Any) -> bool:
    """A pipeline's ``steps``: a list of ``(name, step)`` pairs."""
    return isinstance(value, (list, tuple)) and all(
        isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
        for item in value
    )


def _within(interval: MeanInterval, bounds: tuple[float, float] | None) -> MeanInterval:
    """An interval clipped to the values its score can take (a balanced accuracy above 1
    is not a plausible value)."""
    if bounds is None:
        return interval
    low, high = bounds
    return MeanInterval(interval.mean, max(low, interval.low), min(high, interval.high))


@dataclass
class CVResult:
    """Per-fold scores and their summary.

    Attributes:
        folds: One dict per fold: ``repeat``, ``fold``, every metric, ``fit_time`` (s),
            ``n_train`` (before resampling), ``n_train_resampled``, ``n_test``.
        summary: ``{metric: MeanInterval(mean, low, high)}``, the interval from
            :func:`fold_mean_interval` with Nadeau & Bengio's correction.
        confidence: Level of the intervals.
        models: The fitted model of each fold (only with ``return_models=True``).
        predictions: Per fold ``{"test": indices, "y_true", "y_pred", "y_proba"}`` (only with
            ``return_predictions=True``), for confusion matrices and curves.
        test_fraction: The test share of the data the intervals' correction used (``None``: no
            correction, for one fixed split run with several seeds); pass it on to
            :func:`~torchbalance.metrics.paired_comparison` for a test that agrees with them.
    """

    folds: list[dict[str, Any]]
    summary: dict[str, MeanInterval]
    confidence: float
    models: list[Any] = field(default_factory=list)
    predictions: list[dict[str, Any]] = field(default_factory=list)
    test_fraction: float | None = None

    def scores(self, metric: str) -> list[float]:
        """The per-fold values of ``metric``, in fold order."""
        return [float(row[metric]) for row in self.folds]

    def to_frame(self) -> Any:
        """The per-fold table as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.folds)

    def __str__(self) -> str:
        lines = [f"{len(self.folds)} folds, {self.confidence:.0%} intervals"]
        for name, interval in self.summary.items():
            lines.append(
                f"  {name:<20} {interval.mean:.4f}  [{interval.low:.4f}, {interval.high:.4f}]"
            )
        return "\n".join(lines)


class FixedSplits:
    """Train/test index pairs computed once, as a splitter: every user of it (each strategy of
    ``compare``, each trial of ``tune``) gets exactly these folds. ``n_repeats`` passes over the
    data, for the per-fold rows' ``repeat`` and ``fold``."""

    def __init__(self, splits: list[tuple[Any, Any]], n_repeats: int = 1) -> None:
        self.splits = splits
        self.n_repeats = n_repeats

    def split(self, X: Any = None, y: Any = None, groups: Any = None) -> Any:
        yield from self.splits


def splits_of(splitter: Any, X: Any, y: Any, groups: Any, owner: str) -> list[Any]:
    """``splitter``'s folds of ``(X, y)``; ``groups`` only through a splitter that uses them
    (one that ignores them would let a group sit on both sides of a fold, silently)."""
    if groups is None:
        return list(splitter.split(X, y))
    if _ignores_groups(splitter):
        raise InvalidParameterError(
            f"{owner}: groups needs a group-aware splitter as cv, e.g. "
            f"cv=StratifiedGroupKFold(5); {type(splitter).__name__} ignores groups, so a group "
            "could sit on both sides of a fold."
        )
    return list(splitter.split(X, y, groups))


def _ignores_groups(splitter: Any) -> bool:
    needs = getattr(splitter, "_needs_groups", None)  # the package's splitters say so
    if needs is not None:
        return not needs
    if type(splitter).__module__.startswith("sklearn."):
        from sklearn.model_selection import _split

        consumer = getattr(_split, "GroupsConsumerMixin", None)
        return consumer is not None and not isinstance(splitter, consumer)
    return False  # another library's splitter: trust it with the groups


def splitter_for(cv: Any, n_repeats: int, seed: int) -> Any:
    """The splitter ``cv`` names: folds from an int (stratified, seeded), else ``cv`` itself."""
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        cv = int(cv)
        check_param("cross_validate", "cv", cv, [int])
        if n_repeats > 1:
            return RepeatedStratifiedKFold(n_splits=cv, n_repeats=n_repeats, generator=seed)
        return StratifiedKFold(n_splits=cv, shuffle=True, generator=seed)
    if isinstance(cv, str) or not hasattr(cv, "split"):
        raise InvalidParameterError(
            f"cross_validate: cv={cv!r} is invalid; it must be a number of folds or a splitter "
            "with split(X, y)."
        )
    if n_repeats > 1:
        raise InvalidParameterError(
            "cross_validate: n_repeats applies to cv=<int> only; a splitter object repeats "
            "itself (e.g. RepeatedStratifiedKFold)."
        )
    return cv


def cross_validate(
    model: Any,
    X: Any,
    y: Any,
    *,
    resampler: Any = None,
    cv: Any = 5,
    metrics: Sequence[str] | Mapping[str, Score] = DEFAULT_METRICS,
    n_repeats: int = 1,
    confidence: float = 0.95,
    generator: GeneratorLike = None,
    return_models: bool = False,
    return_predictions: bool = False,
    progress: bool | Callable[[int, int], None] = False,
    groups: Any = None,
) -> CVResult:
    """Cross-validate ``model`` with an optional resampler fitted on training folds only.

    For every fold: clone ``model`` and ``resampler``, resample the training rows, fit, then
    score on the untouched test rows. The test rows are never resampled and never seen by the
    resampler, so no synthetic copy of a test point can leak into training (the mistake of
    "resample, then split").

    Args:
        model: Any estimator with ``fit`` and ``predict`` (and ``predict_proba`` for
            probability metrics): a :class:`~torchbalance.models.TorchClassifier`, a
            scikit-learn or imbalanced-learn classifier, a skorch net.
        X: Features, ``(n_samples, ...)``: tensor, NumPy array or DataFrame.
        y: Labels ``(n_samples,)``.
        resampler: Anything with ``fit_resample(X, y)``, or ``None``.
        cv: Number of stratified folds (shuffled, seeded from ``generator``) or a splitter
            (``split(X, y)`` yielding train/test indices), e.g. ``StratifiedGroupKFold``
            (with ``groups``).
        metrics: Names from :data:`SCORES` or ``{name: score(y_true, y_pred, y_proba, classes)}``.
        n_repeats: With ``cv=<int>``, repeat the folds with new shuffles.
        confidence: Level of the summary intervals.
        generator: Int seed, ``torch.Generator`` or ``None``: seeds the folds and every
            unseeded model and resampler (the same seeds for every model compared).
        return_models: Keep each fold's fitted model in the result.
        return_predictions: Keep each fold's test predictions (labels and probabilities).
        progress: ``True``: one line per fold on stderr; a callable: called as
            ``progress(folds_done, n_folds)`` after each fold (e.g. to drive a progress bar).
        groups: Group of each sample, passed to a group-aware ``cv`` (``split(X, y, groups)``)
            so that no group is split between training and test rows.

    Returns:
        :class:`CVResult`.

    Raises:
        InvalidParameterError: Unknown metric, a model without ``fit``/``predict``, a
            probability metric with a model without ``predict_proba``, or a resampler without
            ``fit_resample``.
        DataValidationError: From the splitter (e.g. a class smaller than the number of folds).

    Example:
        >>> from torchbalance.datasets import make_classification
        >>> from torchbalance.models import TorchClassifier
        >>> X, y = make_classification(300, n_features=5, weights=[0.8, 0.2], generator=0)
        >>> result = cross_validate(TorchClassifier(epochs=3), X, y, cv=3, generator=0)
        >>> sorted(result.summary) == sorted(DEFAULT_METRICS) and len(result.folds) == 3
        True
    """
    owner = "cross_validate"
    scores = check_scores(metrics, owner)
    check_param(owner, "n_repeats", n_repeats, [int])
    if n_repeats < 1:
        raise InvalidParameterError(f"{owner}: n_repeats={n_repeats} is invalid; it must be >= 1.")
    check_param(owner, "confidence", confidence, [Interval(float, 0, 1, closed="neither")])
    for name, needed in (("fit", True), ("predict", True)):
        if needed and not hasattr(model, name):
            raise InvalidParameterError(f"{owner}: model {model!r} has no {name}() method.")
    if any(needs_proba(name) for name in scores) and not hasattr(model, "predict_proba"):
        raise InvalidParameterError(
            f"{owner}: metrics {[n for n in scores if needs_proba(n)]} need predict_proba, "
            f"which {type(model).__name__} lacks; drop them or use a probabilistic model."
        )
    if resampler is not None and not hasattr(resampler, "fit_resample"):
        raise InvalidParameterError(
            f"{owner}: resampler={resampler!r} has no fit_resample(X, y) method."
        )
    seed = derive_seed(host_generator(generator, owner=owner))
    splitter = splitter_for(cv, n_repeats, seed)
    splits = splits_of(splitter, X, y, groups, owner)
    if len(splits) < 2:  # before any model is fitted
        raise InvalidParameterError(
            f"{owner}: cv gives {len(splits)} split; the summary intervals need at least two "
            "folds (e.g. StratifiedShuffleSplit(n_splits=5) or cv=5)."
        )
    labels = _label_set(y)
    # a splitter object that repeats itself says how often (RepeatedStratifiedKFold.n_repeats)
    repeats = (
        n_repeats if isinstance(cv, numbers.Integral) else int(getattr(splitter, "n_repeats", 1))
    )
    n_per_repeat = max(1, len(splits) // repeats)
    rows: list[dict[str, Any]] = []
    fitted: list[Any] = []
    predictions: list[dict[str, Any]] = []
    test_fractions = []
    for index, (train, test) in enumerate(splits):
        fold_seed = (seed + 1 + index) % 2**62
        X_train, y_train = take_rows(X, train), take_rows(y, train)
        X_test, y_test = take_rows(X, test), take_rows(y, test)
        start = time.perf_counter()
        if resampler is not None:
            fold_resampler = clone_estimator(resampler)
            seed_estimator(fold_resampler, fold_seed)
            X_fit, y_fit = fold_resampler.fit_resample(X_train, y_train)
        else:
            X_fit, y_fit = X_train, y_train
        fold_model = clone_estimator(model)
        seed_estimator(fold_model, fold_seed)
        fold_model.fit(X_fit, y_fit)
        fit_time = time.perf_counter() - start
        y_pred = fold_model.predict(X_test)
        y_proba = fold_model.predict_proba(X_test) if hasattr(fold_model, "predict_proba") else None
        y_proba, classes = with_every_class(y_proba, classes_of(fold_model, y_fit), labels)
        row: dict[str, Any] = {
            "repeat": index // n_per_repeat,
            "fold": index % n_per_repeat,
        }
        for name, score in scores.items():
            row[name] = float(score(y_test, y_pred, y_proba, classes))
        row.update(
            fit_time=fit_time,
            n_train=len(train),
            n_train_resampled=len(y_fit),
            n_test=len(test),
        )
        rows.append(row)
        test_fractions.append(len(test) / (len(train) + len(test)))
        if return_models:
            fitted.append(fold_model)
        if return_predictions:
            predictions.append(
                {"test": test, "y_true": y_test, "y_pred": y_pred, "y_proba": y_proba}
            )
        if callable(progress):
            progress(index + 1, len(splits))
        elif progress:
            shown = ", ".join(f"{name}={row[name]:.4f}" for name in scores)
            print(f"cross_validate: fold {index + 1}/{len(splits)}: {shown}", file=sys.stderr)
    # Nadeau & Bengio's correction is for training sets that overlap across rotating folds;
    # one fixed split run with several seeds measures seed-to-seed variation: plain interval
    rotating = len({np.asarray(test).tobytes() for _, test in splits}) > 1
    fraction = float(np.mean(test_fractions)) if len(splits) > 1 and rotating else None
    for name in scores:
        undefined = [index for index, row in enumerate(rows) if math.isnan(row[name])]
        if undefined:
            raise DataValidationError(
                f"{owner}: {name} is undefined (NaN) in fold(s) {undefined}, e.g. a test fold "
                "without some class; use fewer folds, a splitter that keeps every class in every "
                f"fold, or another metric. The per-fold scores: {[row[name] for row in rows]}."
            )
    summary = {
        name: _within(
            fold_mean_interval(
                [row[name] for row in rows], confidence=confidence, test_fraction=fraction
            ),
            score_range(name),
        )
        for name in scores
    }
    return CVResult(rows, summary, confidence, fitted, predictions, fraction)
