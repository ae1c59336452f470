from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate as sk_cross_validate
from sklearn.svm import LinearSVC

from torchbalance.base import BaseResampler
from torchbalance.datasets import make_classification
from torchbalance.exceptions import InvalidParameterError
from torchbalance.model_selection import StratifiedKFold, cross_validate

X, Y = make_classification(
    400,
    n_features=5,
    n_informative=3,
    n_classes=3,
    weights=[0.7, 0.2, 0.1],
    class_sep=1.5,
    generator=0,
)
X_NP, Y_NP = X.double().numpy(), Y.numpy()


class RecordingOverSampler(BaseResampler):
    """Duplicates minority rows; records the row ids (column 0) of everything it sees."""

    _sampling_type = "over-sampling"
    seen: ClassVar[list[set[int]]] = []

    def __init__(self, *, sampling_strategy="auto"):
        self.sampling_strategy = sampling_strategy

    def _fit_resample(self, X, y, strategy):
        RecordingOverSampler.seen.append(set(X[:, 0].long().tolist()))
        # strategy: how many rows to add to each class; repeat the class's rows to get them
        added = [torch.nonzero(y == c).reshape(-1).repeat(n)[:n] for c, n in strategy.items()]
        keep = torch.cat([torch.arange(len(y)), *added])
        return X[keep], y[keep]


def test_the_resampler_never_sees_a_test_row():
    RecordingOverSampler.seen = []
    ids = torch.arange(len(Y), dtype=torch.float64)[:, None]
    data = torch.cat([ids, X.double()], dim=1)
    cv = StratifiedKFold(5, shuffle=True, generator=3)
    result = cross_validate(
        LogisticRegression(max_iter=500),
        data.numpy(),
        Y_NP,
        resampler=RecordingOverSampler(),
        cv=cv,
    )
    splits = list(cv.split(data.numpy(), Y_NP))
    assert len(RecordingOverSampler.seen) == 5
    for seen, (train, test) in zip(RecordingOverSampler.seen, splits, strict=True):
        assert seen == set(train.tolist())
        assert not seen & set(test.tolist())
    assert all(row["n_train_resampled"] > row["n_train"] for row in result.folds)


def test_scores_equal_scikit_learn_on_the_same_folds():
    cv = StratifiedKFold(4, shuffle=True, generator=1)
    ours = cross_validate(
        LogisticRegression(max_iter=500),
        X_NP,
        Y_NP,
        cv=cv,
        metrics=["balanced_accuracy", "accuracy"],
    )
    theirs = sk_cross_validate(
        LogisticRegression(max_iter=500),
        X_NP,
        Y_NP,
        cv=cv,
        scoring=["balanced_accuracy", "accuracy"],
    )
    assert np.allclose(
        ours.scores("balanced_accuracy"), theirs["test_balanced_accuracy"], atol=1e-12
    )
    assert np.allclose(ours.scores("accuracy"), theirs["test_accuracy"], atol=1e-12)
    summary = ours.summary["balanced_accuracy"]
    assert summary.mean == pytest.approx(np.mean(theirs["test_balanced_accuracy"]))
    assert summary.low < summary.mean < summary.high


def test_repeats_probability_metrics_custom_metrics_and_models():
    result = cross_validate(
        LogisticRegression(max_iter=500),
        X_NP,
        Y_NP,
        cv=3,
        n_repeats=2,
        metrics={"recall_of_2": lambda t, p, s, c: float(np.mean(p[t == 2] == 2))},
        generator=0,
        return_models=True,
    )
    assert [(r["repeat"], r["fold"]) for r in result.folds] == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
    ]
    assert len(result.models) == 6 and "recall_of_2" in result.summary
    again = cross_validate(
        LogisticRegression(max_iter=500),
        X_NP,
        Y_NP,
        cv=3,
        metrics=["roc_auc", "average_precision"],
        generator=0,
    )
    assert 0.5 < again.summary["roc_auc"].mean <= 1.0
    assert 0.0 < again.summary["average_precision"].mean <= 1.0
    same = cross_validate(
        LogisticRegression(max_iter=500),
        X_NP,
        Y_NP,
        cv=3,
        metrics=["roc_auc", "average_precision"],
        generator=0,
    )
    assert same.folds[0]["roc_auc"] == again.folds[0]["roc_auc"]  # int generator: same folds
    assert "folds" in str(again)


def test_tensors_and_progress(capsys):
    from torchbalance.models import TorchClassifier

    result = cross_validate(TorchClassifier(epochs=3), X, Y, cv=3, generator=0, progress=True)
    assert len(result.folds) == 3
    assert "fold 3/3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metrics": ["auc"]}, "names must be among"),
        ({"metrics": ["roc_auc"], "model": LinearSVC()}, "need predict_proba"),
        ({"resampler": object()}, "no fit_resample"),
        ({"cv": "five"}, "number of folds or a splitter"),
        ({"cv": StratifiedKFold(3), "n_repeats": 2}, "n_repeats applies to cv=<int>"),
        ({"n_repeats": 0}, "n_repeats=0"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    model = kwargs.pop("model", LogisticRegression())
    with pytest.raises(InvalidParameterError, match=match):
        cross_validate(model, X_NP, Y_NP, **kwargs)


class DropsClass(BaseResampler):
    """Removes every training row of one class, as a cleaning rule can."""

    _sampling_type = "clean-sampling"

    def __init__(self, *, label=2, sampling_strategy="all"):
        self.label = label
        self.sampling_strategy = sampling_strategy

    def _fit_resample(self, X, y, strategy):
        keep = y != self.label
        return X[keep], y[keep]


@pytest.mark.parametrize("label", [0, 1, 2])
@pytest.mark.parametrize("as_numpy", [True, False])
def test_a_class_missing_from_training_scores_with_probability_zero(label, as_numpy):
    """Probability scores read the column of each test sample's own class: the class the model
    never saw gets a column of zeros, whether it is the last label or one in the middle."""
    from torchbalance.metrics import expected_calibration_error
    from torchbalance.models import TorchClassifier

    model = LogisticRegression(max_iter=500) if as_numpy else TorchClassifier(epochs=2)
    data = (X_NP, Y_NP) if as_numpy else (X, Y)
    result = cross_validate(
        model,
        *data,
        resampler=DropsClass(label=label),
        cv=StratifiedKFold(3, shuffle=True, generator=0),
        metrics=["ece", "average_precision", "roc_auc", "balanced_accuracy"],
        return_predictions=True,
    )
    for fold, row in zip(result.predictions, result.folds, strict=True):
        proba = fold["y_proba"]
        proba = proba.numpy() if isinstance(proba, torch.Tensor) else proba
        assert proba.shape[1] == 3
        assert np.all(proba[:, label] == 0)
        np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
        truth = np.asarray(fold["y_true"])
        assert row["ece"] == pytest.approx(float(expected_calibration_error(truth, proba)))


def test_binary_pr_auc_is_the_minority_class_whatever_the_label_order():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    y01 = (rng.random(300) < 0.12).astype(np.int64)
    X = rng.normal(size=(300, 3)) + 0.8 * y01[:, None]

    def pr_auc(labels):
        result = cross_validate(
            LogisticRegression(), X, labels, cv=3, metrics=["average_precision"], generator=0
        )
        return result.summary["average_precision"].mean

    numeric = pr_auc(y01)
    assert pr_auc(np.where(y01 == 1, "fraud", "ok")) == pytest.approx(numeric)
    assert pr_auc(np.where(y01 == 1, "a_fraud", "z_ok")) == pytest.approx(numeric)
    assert numeric < 0.8  # the minority's PR-AUC, not the majority's (close to 1)


class _SameSplit:
    """One fixed train/test split, given ``n`` times (compare's built-in data, several seeds)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def split(self, X, y):
        rows = np.arange(len(y))
        for _ in range(self.n):
            yield rows[rows % 3 != 0], rows[rows % 3 == 0]


def test_a_fixed_split_gets_the_plain_interval_clipped_to_the_metric_range():
    from torchbalance.model_selection import fold_mean_interval
    from torchbalance.models import TorchClassifier

    rng = np.random.default_rng(0)
    y = (rng.random(150) < 0.2).astype(np.int64)
    X = rng.normal(size=(150, 3)) + y[:, None]
    result = cross_validate(
        TorchClassifier(epochs=2), X, y, cv=_SameSplit(3), metrics=["balanced_accuracy"]
    )
    values = [row["balanced_accuracy"] for row in result.folds]
    plain = fold_mean_interval(values)
    interval = result.summary["balanced_accuracy"]
    assert interval.mean == pytest.approx(plain.mean)
    assert interval.low == pytest.approx(max(0.0, plain.low))
    assert interval.high == pytest.approx(min(1.0, plain.high))
    assert 0.0 <= interval.low <= interval.high <= 1.0


def test_groups_reach_a_group_aware_splitter():
    from torchbalance.model_selection import StratifiedGroupKFold

    rng = np.random.default_rng(0)
    y = np.array([0, 1] * 60)
    X = rng.normal(size=(120, 3)) + y[:, None]
    groups = np.repeat(np.arange(30), 4)
    result = cross_validate(
        LogisticRegression(),
        X,
        y,
        cv=StratifiedGroupKFold(3),
        groups=groups,
        metrics=["balanced_accuracy"],
        return_predictions=True,
        generator=0,
    )
    tested = [set(groups[np.asarray(p["test"])].tolist()) for p in result.predictions]
    assert all(not (a & b) for i, a in enumerate(tested) for b in tested[i + 1 :])
    assert set().union(*tested) == set(range(30))
    with pytest.raises(InvalidParameterError, match="groups needs a group-aware splitter"):
        cross_validate(LogisticRegression(), X, y, cv=3, groups=groups)
    # a splitter object that ignores groups dropped them silently: groups leaked across folds
    from sklearn.model_selection import StratifiedKFold as SkStratifiedKFold

    for splitter in (StratifiedKFold(3), SkStratifiedKFold(3)):
        with pytest.raises(InvalidParameterError, match="StratifiedKFold ignores groups"):
            cross_validate(LogisticRegression(), X, y, cv=splitter, groups=groups)
    numpy_folds = cross_validate(LogisticRegression(), X, y, cv=np.int64(3), generator=0)
    assert len(numpy_folds.folds) == 3


@pytest.mark.filterwarnings("ignore:Only one class is present")
def test_bad_confidence_is_refused_before_any_fit_and_nan_scores_are_named():
    from torchbalance.exceptions import DataValidationError
    from torchbalance.model_selection import StratifiedGroupKFold

    X, y = make_classification(120, n_features=4, weights=[0.9, 0.1], generator=0)
    fitted = []

    class Spy(LogisticRegression):
        def fit(self, *args, **kwargs):
            fitted.append(1)
            return super().fit(*args, **kwargs)

    with pytest.raises(InvalidParameterError, match="confidence=1.5"):
        cross_validate(Spy(), X.numpy(), y.numpy(), cv=3, confidence=1.5)
    assert fitted == []
    # the minority in two groups, three folds: one test fold has no positive, roc_auc is NaN
    labels = y.numpy()
    groups = np.where(labels == 1, np.arange(120) % 2, 2 + np.arange(120) % 10)
    with pytest.raises(DataValidationError, match=r"roc_auc is undefined \(NaN\) in fold"):
        cross_validate(
            LogisticRegression(),
            X.numpy(),
            labels,
            cv=StratifiedGroupKFold(3),
            metrics=["roc_auc"],
            groups=groups,
        )


def test_a_single_split_is_refused_before_any_fit():
    from torchbalance.model_selection import StratifiedShuffleSplit

    fitted = []

    class Spy(LogisticRegression):
        def fit(self, *args, **kwargs):
            fitted.append(1)
            return super().fit(*args, **kwargs)

    X, y = make_classification(120, n_features=4, weights=[0.8, 0.2], generator=0)
    with pytest.raises(InvalidParameterError, match="cv gives 1 split"):
        cross_validate(Spy(), X.numpy(), y.numpy(), cv=StratifiedShuffleSplit(1, test_size=0.3))
    assert not fitted
