from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from torchbalance import metrics
from torchbalance.datasets import load_digits_lt, make_classification
from torchbalance.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from torchbalance.model_selection import StratifiedKFold, stratified_split
from torchbalance.model_selection._threshold import ThresholdTuner


def _binary(n=4000, seed=0, class_sep=0.8):
    X, y = make_classification(
        n, n_features=8, weights=[0.97, 0.03], class_sep=class_sep, generator=seed
    )
    return X.double().numpy(), y.numpy()


def test_tuned_threshold_beats_one_half_on_held_out_data():
    gains = []
    for seed in range(3):  # measured gains: about +0.10, +0.17, +0.03 F1
        X, y = _binary(seed=seed, class_sep=0.3)
        train, test = stratified_split(y, (0.6, 0.4), generator=0)
        tuner = ThresholdTuner(LogisticRegression(max_iter=1000), objective="f1", generator=0)
        tuner.fit(X[train], y[train])
        plain = LogisticRegression(max_iter=1000).fit(X[train], y[train])
        gains.append(
            f1_score(y[test], tuner.predict(X[test])) - f1_score(y[test], plain.predict(X[test]))
        )
        assert tuner.threshold_ < 0.5  # the rare class needs a lower bar
        assert tuner.best_score_ > tuner.default_score_
    assert min(gains) > 0 and np.mean(gains) > 0.05, gains


def test_best_score_is_the_objective_at_the_chosen_threshold():
    X, y = _binary(1500, seed=1)
    cv = StratifiedKFold(4, shuffle=True, generator=2)
    tuner = ThresholdTuner(LogisticRegression(max_iter=1000), objective="g_mean", cv=cv).fit(X, y)
    oof = np.zeros(len(y))
    for train, test in cv.split(X, y):
        model = LogisticRegression(max_iter=1000).fit(X[train], y[train])
        oof[test] = model.predict_proba(X[test])[:, 1]
    predicted = (oof >= tuner.threshold_).astype(int)
    sensitivity = predicted[y == 1].mean()
    specificity = 1 - predicted[y == 0].mean()
    assert tuner.best_score_ == pytest.approx(np.sqrt(sensitivity * specificity), abs=1e-12)
    assert tuner.best_score_ >= tuner.default_score_


def test_cost_objective_lowers_the_mean_cost():
    X, y = _binary(2000, seed=3)
    costs = [[0.0, 1.0], [20.0, 0.0]]  # a missed positive costs 20
    tuner = ThresholdTuner(
        LogisticRegression(max_iter=1000), objective="cost", cost_matrix=costs, generator=0
    ).fit(X, y)
    assert -tuner.best_score_ < -tuner.default_score_
    assert tuner.threshold_ < 0.2


def test_multiclass_offsets_improve_balanced_accuracy_over_argmax():
    data = load_digits_lt()
    X_train, y_train = data.X_train.double().numpy(), data.y_train.numpy()
    X_test, y_test = data.X_test.double().numpy(), data.y_test.numpy()
    tuner = ThresholdTuner(
        LogisticRegression(max_iter=300, C=0.05), objective="balanced_accuracy", cv=3, generator=0
    ).fit(X_train, y_train)
    plain = LogisticRegression(max_iter=300, C=0.05).fit(X_train, y_train)
    tuned = balanced_accuracy_score(y_test, tuner.predict(X_test))
    argmax = balanced_accuracy_score(y_test, plain.predict(X_test))
    assert tuned > argmax + 0.02, (tuned, argmax)
    assert tuner.offsets_.shape == (10,) and abs(float(tuner.offsets_.mean())) < 1e-9


def test_multilabel_per_label_thresholds():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 6))
    logits = X[:, :3] * 1.5 - np.array([3.0, 2.0, 3.5])
    Y = (rng.random((1500, 3)) < 1 / (1 + np.exp(-logits))).astype(int)
    tuner = ThresholdTuner(OneVsRestClassifier(LogisticRegression()), cv=3, generator=0).fit(X, Y)
    assert tuner.thresholds_.shape == (3,)
    assert tuner.best_score_ >= tuner.default_score_
    assert tuner.predict(X).shape == (1500, 3)


def test_prefit_string_labels_and_hold_out():
    X, y = _binary(1200, seed=4)
    names = np.where(y == 1, "rare", "common")
    model = LogisticRegression(max_iter=1000).fit(X[:600], names[:600])
    tuner = ThresholdTuner(model, cv="prefit").fit(X[600:], names[600:])
    assert tuner.model_ is model
    assert set(tuner.predict(X)) <= {"rare", "common"}
    held = ThresholdTuner(LogisticRegression(max_iter=1000), cv=0.3, refit=False, generator=0)
    assert held.fit(X, y).predict(X).shape == (1200,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"objective": "cost"}, "needs cost_matrix"),
        ({"objective": "cost", "cost_matrix": [[0, 1]]}, "must be a finite \\(2, 2\\)"),
        ({"objective": "auc"}, "objective='auc' is invalid"),
        ({"refit": False}, "refit=False needs cv=<float>"),
        ({"cv": 1.5}, "hold-out fraction"),
        ({"cv": "holdout"}, "only string is 'prefit'"),
        ({"model": LinearSVC()}, "no predict_proba"),
    ],
)
def test_bad_arguments(kwargs, match):
    X, y = _binary(300)
    model = kwargs.pop("model", LogisticRegression())
    with pytest.raises(InvalidParameterError, match=match):
        ThresholdTuner(model, **kwargs).fit(X, y)


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        ThresholdTuner(LogisticRegression()).predict(np.zeros((2, 2)))


def test_a_prefit_model_whose_classes_differ_from_y_is_refused():
    X, y = make_classification(300, n_features=5, n_informative=3, n_classes=3, generator=0)
    labels = np.array(["a", "b", "c"])[y.numpy()]
    model = LogisticRegression().fit(X.numpy(), labels)
    held_out = labels != "a"
    with pytest.raises(DataValidationError, match=r"classes_ \['a', 'b', 'c'\] differ"):
        ThresholdTuner(model, cv="prefit").fit(X.numpy()[held_out], labels[held_out])


def test_groups_reach_a_group_aware_splitter_and_missing_classes_get_zero_probability():
    from torchbalance.model_selection import StratifiedGroupKFold

    X, y = make_classification(240, n_features=4, weights=[0.85, 0.15], generator=0)
    groups = np.arange(240) // 8
    tuner = ThresholdTuner(LogisticRegression(), cv=StratifiedGroupKFold(3), objective="f1")
    tuner.fit(X.numpy(), y.numpy(), groups=groups)
    assert 0.0 < tuner.threshold_ < 1.0
    with pytest.raises(InvalidParameterError, match="groups needs a group-aware splitter"):
        ThresholdTuner(LogisticRegression(), cv=3).fit(X.numpy(), y.numpy(), groups=groups)
    # sorted labels and plain KFold: each training fold lacks a class, which gets probability 0
    from sklearn.model_selection import KFold

    X3 = np.random.default_rng(0).normal(size=(90, 3))
    y3 = np.repeat([0, 1, 2], 30)
    tuner = ThresholdTuner(LogisticRegression(), cv=KFold(3), objective="balanced_accuracy")
    tuner.fit(X3, y3)
    assert np.isfinite(tuner.best_score_)


class _FixedProbabilities:
    """A fitted 'model' whose predict_proba(X) looks rows up in a table (X holds row numbers)."""

    def __init__(self, probabilities: np.ndarray) -> None:
        self.probabilities = probabilities
        self.classes_ = np.arange(probabilities.shape[1])

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        return self.probabilities[np.asarray(X).reshape(-1).astype(int)]


def _same_objective_as_a_callable(objective: str, num_classes: int, costs: np.ndarray):
    """The built-in objective through the public metrics: ThresholdTuner's per-candidate path."""
    if objective == "f1":
        return lambda t, p: metrics.f1_score(t, p, average="macro", zero_division=0)
    if objective == "balanced_accuracy":
        return lambda t, p: metrics.balanced_accuracy_score(t, p, num_classes=num_classes)
    if objective == "g_mean":
        return lambda t, p: metrics.geometric_mean_score(t, p, num_classes=num_classes)
    table = torch.as_tensor(costs, dtype=torch.float64)
    return lambda t, p: (
        -float((metrics.confusion_matrix(t, p, num_classes=num_classes).double() * table).sum())
        / len(t)
    )


@settings(max_examples=40, deadline=None)
@given(
    num_classes=st.integers(3, 6),
    n_extra=st.integers(0, 60),
    decimals=st.sampled_from([1, 2, 6]),
    n_thresholds=st.sampled_from([2, 7, 200]),
    objective=st.sampled_from(["f1", "balanced_accuracy", "g_mean", "cost"]),
    seed=st.integers(0, 2**16),
)
def test_multiclass_offsets_of_builtin_objectives_equal_the_per_candidate_search(
    num_classes, n_extra, decimals, n_thresholds, objective, seed
):
    # the built-in objectives score all candidates from one confusion matrix updated as samples
    # move; the same objective given as a callable scores each candidate's predictions afresh
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(num_classes), rng.integers(0, num_classes, n_extra)])
    raw = rng.dirichlet(np.full(num_classes, 0.7), size=len(y)).round(decimals) + 1e-3
    probabilities = raw / raw.sum(1, keepdims=True)  # rounding makes ties between classes
    costs = rng.uniform(0, 5, (num_classes, num_classes)) * (1 - np.eye(num_classes))
    rows = np.arange(len(y))[:, None]
    tuners = [
        ThresholdTuner(
            _FixedProbabilities(probabilities),
            objective=chosen,
            cost_matrix=costs if objective == "cost" else None,
            cv="prefit",
            n_thresholds=n_thresholds,
        )
        for chosen in (objective, _same_objective_as_a_callable(objective, num_classes, costs))
    ]
    heard = []
    for tuner in tuners:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tuner.fit(rows, y)
        heard.append(sorted({str(w.message) for w in caught}))
    fast, reference = tuners
    assert heard[0] == heard[1]  # the same warnings, if any
    assert fast.offsets_.tolist() == reference.offsets_.tolist()
    assert fast.best_score_ == reference.best_score_
    assert fast.default_score_ == reference.default_score_


def _public_binary(objective: str, costs: np.ndarray):
    """A binary built-in objective through the public metric functions."""
    if objective == "f1":
        return lambda t, p: metrics.f1_score(t, p, average="binary", zero_division=0)
    return _same_objective_as_a_callable(objective, 2, costs)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 80),
    decimals=st.sampled_from([1, 2, 6]),
    objective=st.sampled_from(["f1", "balanced_accuracy", "g_mean", "cost"]),
    seed=st.integers(0, 2**16),
)
def test_every_cut_scores_as_the_metric_functions(n, decimals, objective, seed):
    from torchbalance.model_selection._threshold import _counts_objective, _every_cut

    rng = np.random.default_rng(seed)
    truth = torch.as_tensor(np.r_[0, 1, rng.integers(0, 2, n - 2)])
    scores = torch.as_tensor(rng.random(n).round(decimals))  # rounding makes ties
    costs = rng.uniform(0, 5, (2, 2))
    cuts, values = _every_cut(scores, truth, _counts_objective(objective, costs))
    assert cuts.tolist() == [*sorted(set(scores.tolist())), np.inf]
    public = _public_binary(objective, costs)
    expected = [public(truth, (scores >= cut).long()) for cut in cuts.tolist()]
    np.testing.assert_allclose(values.numpy(), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("objective", ["f1", "balanced_accuracy", "g_mean"])
def test_binary_threshold_is_the_best_cut_and_never_worse_than_one_half(objective):
    # rare positives: a grid spread over the (mostly negative) scores missed the F1 optimum
    # by 0.017; scikit-learn's LogisticRegression on separated data puts scores near 0.5
    rng = np.random.default_rng(0)
    for n, rate, shift in ((20000, 0.01, 0.9), (20000, 0.5, 1.2)):
        y = (rng.random(n) < rate).astype(int)
        X = rng.normal(size=(n, 4)) + shift * y[:, None]
        model = LogisticRegression().fit(X, y)
        tuner = ThresholdTuner(model, objective=objective, cv="prefit").fit(X, y)
        brute = _best_over_every_cut(model.predict_proba(X)[:, 1], y, objective)
        assert tuner.best_score_ == pytest.approx(max(brute, tuner.default_score_), abs=1e-12)
        assert tuner.best_score_ >= tuner.default_score_
        public = _public_binary(objective, np.zeros((2, 2)))
        predicted = public(torch.as_tensor(y), torch.as_tensor(tuner.predict(X)))
        assert predicted == pytest.approx(tuner.best_score_, abs=1e-12)


def _best_over_every_cut(scores: np.ndarray, y: np.ndarray, objective: str) -> float:
    """Brute force in NumPy: the objective of every rule ``scores >= s`` (s a score), by rank."""
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(y[order])
    predicted = np.arange(1, len(y) + 1)
    last_of_tie = np.r_[scores[order][1:] != scores[order][:-1], True]
    tp, predicted = tp[last_of_tie], predicted[last_of_tie]
    positives, negatives = y.sum(), len(y) - y.sum()
    sensitivity, specificity = tp / positives, 1 - (predicted - tp) / negatives
    if objective == "f1":
        return float(np.max(2 * tp / (predicted + positives)))
    if objective == "balanced_accuracy":
        return float(np.max((sensitivity + specificity) / 2))
    return float(np.max(np.sqrt(sensitivity * specificity)))


def test_one_half_is_kept_when_no_cut_beats_it():
    probabilities = np.array([[0.9, 0.1], [0.6, 0.4], [0.4, 0.6], [0.1, 0.9]])
    tuner = ThresholdTuner(_FixedProbabilities(probabilities), cv="prefit")
    tuner.fit(np.arange(4), np.array([0, 0, 1, 1]))
    assert tuner.threshold_ == 0.5 and tuner.best_score_ == tuner.default_score_ == 1.0


def test_a_label_with_one_class_falls_back_to_the_candidate_grid():
    Y = np.array([[0, 1], [1, 1], [0, 1], [1, 1]])  # the second label is always on
    probabilities = np.array([[0.2, 0.7], [0.8, 0.4], [0.3, 0.9], [0.7, 0.6]])
    # balanced accuracy's recall of the absent class is 0/0 at every cut: the exact search
    # would see NaN and keep 0.5, the grid scores the present class alone
    tuner = ThresholdTuner(
        _FixedProbabilities(probabilities), objective="balanced_accuracy", cv="prefit"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # y_pred has a class y_true lacks
        tuner.fit(np.arange(4), Y)
    assert tuner.thresholds_.tolist()[1] <= 0.4  # every row predicted on
    assert tuner.best_score_ == 1.0


def test_cv_may_be_a_numpy_int():
    X, y = _binary(600, seed=5)
    tuner = ThresholdTuner(LogisticRegression(max_iter=1000), cv=np.int64(3), generator=0)
    assert 0.0 < tuner.fit(X, y).threshold_ < 1.0
