"""``compare``: run strategies on the same folds, seeds and budget, and collect the results."""

from __future__ import annotations

import contextlib
import numbers
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .._types import GeneratorLike
from ..datasets import TrainTestData
from ..exceptions import DataValidationError, InvalidParameterError, TorchBalanceWarning
from ..metrics import paired_comparison
from ..model_selection import RepeatedStratifiedKFold, StratifiedKFold, cross_validate
from ..model_selection._scoring import (
    LOWER_IS_BETTER,
    SCORES,
    average_precision_of,
    check_scores,
    recall_of,
)
from ..model_selection._validation import FixedSplits
from ..utils import check_X_y, derive_seed, host_generator
from ._progress import Progress
from ._results import ComparisonResult, StrategyResult
from ._setting import Setting
from ._strategies import Strategy, resolve_strategies

__all__ = ["DEFAULT_METRICS", "compare"]

DEFAULT_METRICS = (
    "balanced_accuracy",
    "f1_macro",
    "g_mean",
    "worst_class_recall",
    "mcc",
    "average_precision",
    "ece",
)


def _as_tensors(X: Any, y: Any) -> tuple[torch.Tensor, torch.Tensor, np.ndarray | None]:
    features, labels, converter = check_X_y(X, y, owner="compare", allow_nd=True)
    return features.float(), labels, converter.classes


def _warm_up(setting: Setting, features: torch.Tensor, labels: torch.Tensor, train: Any) -> None:
    """One short, untimed fit, so that torch's one-off start-up costs (thread pools, kernel
    selection) are not counted in the first strategy's fit time."""
    rows = torch.as_tensor(np.asarray(train)).long()
    picked = torch.cat([rows[labels[rows] == c][:32] for c in torch.unique(labels[rows])])
    # a problem with the data is the strategies' to report
    with (
        torch.random.fork_rng(devices=[]),
        warnings.catch_warnings(),
        contextlib.suppress(DataValidationError, InvalidParameterError),
    ):
        warnings.simplefilter("ignore")
        setting.classifier(epochs=1).fit(features[picked], labels[picked])


def _check_categorical(columns: Sequence[int], features: torch.Tensor) -> tuple[int, ...]:
    values = list(columns)
    if values and features.dim() != 2:
        raise InvalidParameterError(
            "compare: categorical_features needs flat (n_samples, n_features) samples; these "
            f"have shape {tuple(features.shape[1:])}."
        )
    n_features = features.shape[1] if features.dim() == 2 else 0
    for column in values:
        if isinstance(column, bool) or not isinstance(column, numbers.Integral):
            raise InvalidParameterError(
                f"compare: categorical_features={values!r} is invalid; it must hold column "
                "indices (ints)."
            )
        if not 0 <= column < n_features:
            raise InvalidParameterError(
                f"compare: categorical_features holds {column}, but the samples have "
                f"{n_features} feature columns."
            )
    return tuple(sorted({int(c) for c in values}))


def _label_names(labels: torch.Tensor, encoded: np.ndarray | None) -> list[Any]:
    values = torch.unique(labels).tolist()
    return [encoded[v] if encoded is not None else v for v in values]


def compare(
    X: Any,
    y: Any = None,
    *,
    strategies: str | Sequence[str | Strategy] | None = None,
    model: Any = "mlp",
    cv: int = 5,
    repeats: int | None = None,
    metrics: Sequence[str] = DEFAULT_METRICS,
    primary: str = "balanced_accuracy",
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 3e-3,
    device: str = "cpu",
    generator: GeneratorLike = 0,
    progress: bool = True,
    name: str | None = None,
    categorical_features: Sequence[int] = (),
) -> ComparisonResult:
    """Which imbalance technique works on this data? Run each strategy on identical folds.

    Every strategy trains the same model with the same budget (``epochs``, ``batch_size``,
    ``lr``) on the same folds with the same seeds; resampling happens inside the training
    folds only. Results per fold are kept; the leaderboard ranks by ``primary`` with a 95%
    interval over folds × repeats (Nadeau–Bengio corrected), and each strategy is compared
    with the baseline by the matching paired t test on the same folds (one-sided: is it
    better?); the recommendation Holm-adjusts those p-values for the number of strategies
    compared.

    Args:
        X: Features ``(n_samples, ...)`` (tensor, NumPy array or DataFrame), or a
            :class:`~torchbalance.datasets.TrainTestData` (a fixed train/test split: each
            strategy trains on the train part and is scored on the test part, ``repeats``
            times with different seeds).
        y: Labels, when ``X`` is features.
        strategies: ``None``/``"default"``, ``"all"``, ``"fast"``, a comma-separated string
            or a list of names / :class:`Strategy` objects.
        model: ``"mlp"``, ``"linear"``, ``"cnn"`` or ``module_fn(input_shape, num_classes)``.
        cv: Stratified folds (features input).
        repeats: Repetitions of the folds (default 1), or of the fixed split with new training
            seeds (default 5; then the intervals measure seed-to-seed variation only, the test
            set being fixed).
        metrics: Names from :data:`torchbalance.model_selection.SCORES`; per-class recall is
            always added.
        primary: The metric that ranks the leaderboard.
        epochs, batch_size, lr: The training budget of every network.
        device: Where the networks train (``"cuda"`` for a GPU).
        generator: Int seed (default 0) or ``torch.Generator``: fixes folds and seeds.
        progress: One line per strategy on stderr, and a live progress bar when stderr is a
            terminal.
        name: What the report calls the data (default: the dataset's own name, else
            ``"data"``).
        categorical_features: Indices of the feature columns that code categories (e.g. the
            one-hot columns of a text column): the strategies that make new samples between
            or around the originals (the SMOTE family, noise, centroids) are left out of the
            named sets, with the reason, and refused when named, as ``torchbalance resample``
            refuses them.

    Returns:
        :class:`ComparisonResult`.

    Raises:
        InvalidParameterError: Unknown strategy, metric or model; bad budget values.
        DataValidationError: Malformed data, one class, a class smaller than the folds.

    Example:
        >>> from torchbalance.datasets import make_classification
        >>> X, y = make_classification(300, n_features=6, weights=[0.9, 0.1], generator=0)
        >>> result = compare(X, y, strategies=["baseline", "class_weighted"], cv=3, epochs=3,
        ...                  progress=False)
        >>> sorted(row["strategy"] for row in result.leaderboard())
        ['baseline', 'class_weighted']
        >>> result.results[0].cv.folds[0]["fold"], len(result.results[0].cv.folds)
        (0, 3)
    """
    if primary not in SCORES:
        raise InvalidParameterError(
            f"compare: primary={primary!r} is invalid; it must be one of {sorted(SCORES)}."
        )
    metric_names = list(dict.fromkeys([primary, *metrics]))
    check_scores(metric_names, "compare")
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise InvalidParameterError(f"compare: cv={cv!r} is invalid; it must be an int >= 2.")
    for param, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidParameterError(f"compare: {param}={value!r} is invalid; it must be >= 1.")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < float("inf"):
        raise InvalidParameterError(
            f"compare: lr={lr!r} is invalid; it must be a positive finite number."
        )
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"compare: device={device!r} but CUDA is not available here; use device='cpu'."
        )
    if isinstance(X, TrainTestData):
        X_train, y_train, encoded = _as_tensors(X.X_train, X.y_train)
        X_test, y_test, _ = _as_tensors(X.X_test, X.y_test)
        features = torch.cat([X_train, X_test])
        labels = torch.cat([y_train, y_test])
        n_repeats = 5 if repeats is None else repeats
        train, test = np.arange(len(y_train)), np.arange(len(y_train), len(labels))
        fixed = [(train, test)] * n_repeats  # the same split, trained with other seeds
        protocol = f"fixed split of {X.name!r}: train {len(y_train)}, test {len(y_test)}"
        train_labels = y_train
        dataset_name = X.name
    else:
        if y is None:
            raise DataValidationError("compare: y is missing; pass compare(X, y) or a dataset.")
        features, labels, encoded = _as_tensors(X, y)
        n_repeats = 1 if repeats is None else repeats
        fixed = None
        protocol = f"{cv}-fold stratified cross-validation" + (
            f" × {n_repeats} repeats" if n_repeats > 1 else ""
        )
        train_labels = labels
        dataset_name = "data"
    if name is not None:
        dataset_name = str(name)
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int) or n_repeats < 1:
        raise InvalidParameterError(f"compare: repeats={repeats!r} is invalid; it must be >= 1.")
    if isinstance(X, TrainTestData) and n_repeats < 2:
        raise InvalidParameterError(
            f"compare: repeats={n_repeats} on a fixed split is one run per strategy: no interval "
            "and no test; use repeats >= 2 (5 by default)."
        )
    classes = torch.unique(labels)
    if classes.numel() < 2:
        raise DataValidationError("compare: y has a single class; there is nothing to balance.")
    counts = [int(c) for c in torch.stack([(train_labels == c).sum() for c in classes])]
    categorical = _check_categorical(categorical_features, features)
    in_fold = 1.0 if isinstance(X, TrainTestData) else (cv - 1) / cv
    setting = Setting(
        input_shape=tuple(features.shape[1:]),
        class_counts=tuple(counts),
        min_train_count=int(min(counts) * in_fold),
        model=model,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        device=device,
        categorical_features=categorical,
    )
    # refuse an unknown model, or one that does not fit the samples (a CNN on a table), up front
    with torch.random.fork_rng(devices=[]):
        setting.module_fn()(setting.input_shape, len(counts))
    chosen, skipped = resolve_strategies(
        strategies if strategies is None or isinstance(strategies, str) else list(strategies),
        setting,
    )
    label_names = _label_names(labels, encoded)
    y_input: Any = labels if encoded is None else encoded[labels.numpy()]
    scores = {name: SCORES[name] for name in metric_names}
    if classes.numel() == 2 and "average_precision" in scores:  # one class in every fold
        minority = 0 if counts[0] < counts[1] else 1  # as the per-fold rule, ties included
        scores["average_precision"] = average_precision_of(label_names[minority])
    scores.update({f"recall[{name}]": recall_of(name) for name in label_names})
    seed = derive_seed(host_generator(generator, owner="compare"))
    if fixed is None:  # folds first: a class smaller than the folds is refused before any work
        kfold: Any = (
            RepeatedStratifiedKFold(n_splits=cv, n_repeats=n_repeats, generator=seed)
            if n_repeats > 1
            else StratifiedKFold(cv, shuffle=True, generator=seed)
        )
        fixed = list(kfold.split(features, y_input))
    splitter = FixedSplits(fixed, n_repeats)
    _warm_up(setting, features, labels, fixed[0][0])
    results: list[StrategyResult] = []
    started = time.perf_counter()
    report = Progress(len(chosen), len(fixed), enabled=progress)
    for position, strategy in enumerate(chosen, start=1):
        clock = time.perf_counter()
        report.start(position, strategy.name)
        estimator, resampler = strategy.build(setting)
        try:
            with warnings.catch_warnings(record=True) as caught:
                # undefined per-fold metrics (a class never predicted) are scored 0, as reported;
                # the package's own warnings are kept for the report
                warnings.simplefilter("always")
                cv_result = cross_validate(
                    estimator,
                    features,
                    y_input,
                    resampler=resampler,
                    cv=splitter,
                    metrics=scores,
                    generator=seed,
                    return_predictions=True,
                    progress=report.fold,
                )
        except (DataValidationError, InvalidParameterError) as error:
            # the strategy cannot handle this data (e.g. ADASYN with no class overlap): say so
            skipped[strategy.name] = f"failed on this data: {' '.join(str(error).split())}"
            report.finish(f"{strategy.name:<24} failed: {error}")
            continue
        own = [str(w.message) for w in caught if issubclass(w.category, TorchBalanceWarning)]
        results.append(StrategyResult(strategy, cv_result, warnings=list(dict.fromkeys(own))))
        mean = cv_result.summary[primary].mean
        report.finish(
            f"{strategy.name:<24} {primary}={mean:.4f}  ({time.perf_counter() - clock:.1f} s)"
        )
    report.close()
    baseline = next((r for r in results if r.strategy.name == "baseline"), None)
    if baseline is not None:
        for result in results:
            if result is not baseline:
                # the t test the intervals use: corrected for overlapping folds, plain for seeds
                result.paired = paired_comparison(
                    result.cv.scores(primary),
                    baseline.cv.scores(primary),
                    alternative="less" if primary in LOWER_IS_BETTER else "greater",
                    test="t",
                    test_fraction=result.cv.test_fraction,
                )
    return ComparisonResult(
        results=results,
        primary=primary,
        metrics=metric_names,
        class_labels=label_names,
        skipped=skipped,
        setting=setting,
        protocol=protocol,
        dataset=dataset_name,
        elapsed=time.perf_counter() - started,
    )
