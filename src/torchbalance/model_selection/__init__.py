"""Model selection without leakage: stratified splits, cross-validation with resampling inside
the training folds, threshold moving and calibration.

Splitters follow scikit-learn's interface (``split(X, y, groups)`` and ``get_n_splits``), so
they can be passed as ``cv=`` to scikit-learn's ``cross_validate``; they give int64 index
tensors back when ``y`` is a tensor (or ``X`` a Dataset) and NumPy int64 arrays otherwise.
"""

from ._calibration import PriorCorrectedClassifier, TemperatureScaling, correct_priors
from ._intervals import MeanInterval, fold_mean_interval, student_t_quantile
from ._iterative_stratification import MultilabelStratifiedKFold, iterative_stratification
from ._scoring import SCORES
from ._split import (
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
    stratified_split,
)
from ._threshold import ThresholdTuner
from ._tune import FloatRange, IntRange, TuneResult, tune
from ._validation import CVResult, cross_validate

__all__ = [
    "SCORES",
    "CVResult",
    "FloatRange",
    "IntRange",
    "MeanInterval",
    "MultilabelStratifiedKFold",
    "PriorCorrectedClassifier",
    "RepeatedStratifiedKFold",
    "StratifiedGroupKFold",
    "StratifiedKFold",
    "StratifiedShuffleSplit",
    "TemperatureScaling",
    "ThresholdTuner",
    "TuneResult",
    "correct_priors",
    "cross_validate",
    "fold_mean_interval",
    "iterative_stratification",
    "stratified_split",
    "student_t_quantile",
    "tune",
]
