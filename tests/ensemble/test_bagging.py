"""BalancedBaggingClassifier and EasyEnsembleClassifier: voting, balance, seeds, types, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import torchbalance.ensemble as ensemble
from torchbalance.base import clone
from torchbalance.datasets import make_classification
from torchbalance.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from torchbalance.models import TorchClassifier
from torchbalance.testing import check_params_contract
from torchbalance.under_sampling import RandomUnderSampler

BalancedBaggingClassifier = ensemble.BalancedBaggingClassifier
EasyEnsembleClassifier = ensemble.EasyEnsembleClassifier

X, Y = make_classification(600, n_features=6, weights=[0.85, 0.15], generator=0)
SMALL = TorchClassifier(hidden_sizes=(8,), epochs=2, batch_size=64)


class _Prior:
    """A trivial classifier (class frequencies), so sampling tests need no training."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.prior_ = np.bincount(y)[self.classes_] / len(y)
        return self

    def predict_proba(self, X):
        return np.tile(self.prior_, (len(X), 1))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _counts(rows: torch.Tensor, y: torch.Tensor = Y, n_classes: int = 2) -> list[int]:
    return torch.bincount(y[rows], minlength=n_classes).tolist()


# -- voting ---------------------------------------------------------------------------------------
def test_soft_voting_is_the_mean_of_the_members_probabilities():
    model = BalancedBaggingClassifier(SMALL, n_estimators=4, max_features=0.5, generator=0)
    model.fit(X, Y)
    members = [
        m.predict_proba(X[:, f])
        for m, f in zip(model.estimators_, model.estimators_features_, strict=True)
    ]
    expected = torch.stack(members).double().mean(dim=0)
    assert torch.allclose(model.predict_proba(X).double(), expected, atol=1e-6)
    assert torch.equal(model.predict(X), expected.argmax(dim=1))


def test_hard_voting_is_the_majority_of_the_members_predictions():
    model = BalancedBaggingClassifier(SMALL, n_estimators=5, voting="hard", generator=1)
    model.fit(X, Y)
    votes = torch.stack([m.predict(X) for m in model.estimators_])  # (members, samples)
    ones = (votes == 1).sum(dim=0)
    assert torch.equal(model.predict(X), (ones > 5 - ones).long())
    assert torch.allclose(model.predict_proba(X)[:, 1], ones.float() / 5)


def test_hard_voting_ties_go_to_the_first_class():
    model = BalancedBaggingClassifier(SMALL, n_estimators=2, voting="hard", generator=1)
    model.fit(X, Y)
    votes = torch.stack([m.predict(X) for m in model.estimators_])
    tied = votes[0] != votes[1]
    assert bool(tied.any())  # the members disagree somewhere
    assert model.predict(X)[tied].eq(0).all()


# -- balance of the members' samples --------------------------------------------------------------
def test_balanced_bagging_members_train_on_balanced_bootstraps():
    model = BalancedBaggingClassifier(_Prior(), n_estimators=6, generator=0).fit(X, Y)
    for rows in model.estimators_samples_:
        counts = _counts(rows)
        assert counts[0] == counts[1] > 0
        assert rows.numel() < len(Y)  # under-sampled
    # the drawn (bootstrap) rows differ between members
    assert not torch.equal(model.estimators_samples_[0], model.estimators_samples_[1])


def test_easy_ensemble_members_keep_every_minority_sample_once():
    model = EasyEnsembleClassifier(_Prior(), n_estimators=5, generator=0).fit(X, Y)
    minority = torch.nonzero(Y == 1).reshape(-1)
    for rows in model.estimators_samples_:
        assert _counts(rows) == [90, 90]
        assert rows.unique().numel() == rows.numel()  # no replacement
        assert torch.equal(rows[Y[rows] == 1].sort().values, minority)
    majority_sets = [set(r[Y[r] == 0].tolist()) for r in model.estimators_samples_]
    assert majority_sets[0] != majority_sets[1]  # independent under-samples


def test_easy_ensemble_sampling_strategy_sets_the_ratio():
    model = EasyEnsembleClassifier(_Prior(), n_estimators=3, sampling_strategy=0.5, generator=0)
    for rows in model.fit(X, Y).estimators_samples_:
        assert _counts(rows) == [180, 90]


def test_passthrough_without_bootstrap_is_the_whole_data():
    model = BalancedBaggingClassifier(
        _Prior(), n_estimators=2, resampler="passthrough", bootstrap=False, generator=0
    ).fit(X, Y)
    assert all(torch.equal(r, torch.arange(600)) for r in model.estimators_samples_)


@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(3, 40), min_size=2, max_size=4),
    max_samples=st.sampled_from([1.0, 0.7, 50]),
    bootstrap=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_every_member_sample_is_balanced_down_to_its_smallest_drawn_class(
    counts, max_samples, bootstrap, seed
):
    y = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
    X_local = torch.randn(len(y), 3, generator=torch.Generator().manual_seed(seed))
    max_samples = min(max_samples, len(y)) if isinstance(max_samples, int) else max_samples
    model = BalancedBaggingClassifier(
        _Prior(), n_estimators=3, max_samples=max_samples, bootstrap=bootstrap, generator=seed
    )
    refused = ""
    try:
        model.fit(X_local, y)
    except DataValidationError as error:  # a small draw can hold a single class
        refused = str(error)
    if refused:
        assert "would train on a sample of one class" in refused
        return
    for rows in model.estimators_samples_:
        present = torch.bincount(y[rows], minlength=len(counts))
        present = present[present > 0]
        assert present.unique().numel() == 1  # every class that was drawn, equally often
        assert rows.min() >= 0 and rows.max() < len(y)


# -- reproducibility ------------------------------------------------------------------------------
@pytest.mark.parametrize("vectorize", [True, False])
def test_int_generator_makes_fit_reproducible(vectorize):
    def fit():
        return BalancedBaggingClassifier(
            SMALL, n_estimators=3, max_features=0.5, vectorize=vectorize, generator=5
        ).fit(X, Y)

    a, b = fit(), fit()
    assert all(
        torch.equal(i, j) for i, j in zip(a.estimators_samples_, b.estimators_samples_, strict=True)
    )
    assert all(
        torch.equal(i, j)
        for i, j in zip(a.estimators_features_, b.estimators_features_, strict=True)
    )
    assert torch.equal(a.predict_proba(X), b.predict_proba(X))
    other = BalancedBaggingClassifier(_Prior(), n_estimators=3, generator=6).fit(X, Y)
    assert not torch.equal(a.estimators_samples_[0], other.estimators_samples_[0])


def test_feature_subsets_are_kept_and_applied_at_prediction():
    model = BalancedBaggingClassifier(SMALL, n_estimators=4, max_features=3, generator=0)
    model.fit(X, Y)
    for features, member in zip(model.estimators_features_, model.estimators_, strict=True):
        assert features.numel() == 3 and torch.equal(features, features.sort().values)
        assert member.n_features_in_ == 3
    assert len({tuple(f.tolist()) for f in model.estimators_features_}) > 1


# -- scikit-learn and imbalanced-learn ------------------------------------------------------------
def _split():
    rng = np.random.default_rng(0)
    order = rng.permutation(len(Y))
    train, test = order[:400], order[400:]
    return X.numpy()[train], X.numpy()[test], Y.numpy()[train], Y.numpy()[test]


def test_scikit_learn_members_agree_with_imbalanced_learn():
    pytest.importorskip("imblearn")
    from imblearn.ensemble import BalancedBaggingClassifier as ImbBagging
    from imblearn.ensemble import EasyEnsembleClassifier as ImbEasy
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score

    X_train, X_test, y_train, y_test = _split()
    ours = BalancedBaggingClassifier(LogisticRegression(), n_estimators=10, generator=0)
    theirs = ImbBagging(LogisticRegression(), n_estimators=10, random_state=0)
    ours.fit(X_train, y_train)
    theirs.fit(X_train, y_train)
    assert not ours.vectorized_
    assert isinstance(ours.predict(X_test), np.ndarray)
    ours_score = balanced_accuracy_score(y_test, ours.predict(X_test))
    theirs_score = balanced_accuracy_score(y_test, theirs.predict(X_test))
    assert ours_score > 0.75
    assert abs(ours_score - theirs_score) < 0.05
    # members' training sizes: twice the minority count of a bootstrap of 400 rows (~2 * 60)
    ours_sizes = [rows.numel() for rows in ours.estimators_samples_]
    theirs_sizes = [len(est.named_steps["sampler"].sample_indices_) for est in theirs.estimators_]
    assert abs(np.mean(ours_sizes) - np.mean(theirs_sizes)) < 20
    assert abs(np.mean(ours_sizes) - 2 * (y_train == 1).sum()) < 20

    easy = EasyEnsembleClassifier(LogisticRegression(), n_estimators=4, generator=0)
    imb_easy = ImbEasy(n_estimators=4, estimator=LogisticRegression(), random_state=0)
    easy.fit(X_train, y_train)
    imb_easy.fit(X_train, y_train)
    expected = [len(e.named_steps["sampler"].sample_indices_) for e in imb_easy.estimators_]
    assert [rows.numel() for rows in easy.estimators_samples_] == expected
    easy_score = balanced_accuracy_score(y_test, easy.predict(X_test))
    assert abs(easy_score - balanced_accuracy_score(y_test, imb_easy.predict(X_test))) < 0.05


def test_decision_function_is_the_mean_of_the_members():
    from sklearn.linear_model import LogisticRegression

    model = BalancedBaggingClassifier(LogisticRegression(), n_estimators=3, generator=0)
    model.fit(X.numpy(), Y.numpy())
    expected = np.mean([m.decision_function(X.numpy()) for m in model.estimators_], axis=0)
    np.testing.assert_allclose(model.decision_function(X.numpy()), expected, rtol=1e-6)


def test_imbalanced_learn_resampler_and_hard_voting_classifier():
    pytest.importorskip("imblearn")
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS
    from sklearn.svm import LinearSVC

    model = BalancedBaggingClassifier(
        LinearSVC(), n_estimators=3, resampler=ImbRUS(), voting="hard", generator=0
    ).fit(X.numpy(), Y.numpy())
    for rows in model.estimators_samples_:
        counts = _counts(rows)
        assert counts[0] == counts[1]
    assert model.predict(X.numpy()).shape == (600,)


def test_over_sampler_reports_the_bootstrap_rows():
    from torchbalance.over_sampling import SMOTE, RandomOverSampler

    model = BalancedBaggingClassifier(
        _Prior(), n_estimators=2, resampler=SMOTE(k_neighbors=3), generator=0
    ).fit(X, Y)
    assert all(rows.numel() == 600 for rows in model.estimators_samples_)  # the bootstrap
    over = BalancedBaggingClassifier(
        _Prior(), n_estimators=2, resampler=RandomOverSampler(), generator=0
    ).fit(X, Y)
    for rows in over.estimators_samples_:  # selection-based: the rows trained on
        counts = _counts(rows)
        assert counts[0] == counts[1] > 300


# -- input and output types -----------------------------------------------------------------------
def test_types_in_types_out():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X.numpy(), columns=[f"f{i}" for i in range(6)])
    labels = np.where(Y.numpy() == 1, "rare", "common")
    model = EasyEnsembleClassifier(SMALL, n_estimators=2, generator=0).fit(frame, labels)
    assert list(model.classes_) == ["common", "rare"]
    predicted = model.predict(frame)
    assert isinstance(predicted, np.ndarray) and set(predicted) <= {"common", "rare"}
    with pytest.warns(UserWarning, match="X has no feature names, but it was fitted with"):
        proba = model.predict_proba(X.numpy())
    assert isinstance(proba, np.ndarray) and proba.shape == (600, 2)
    with pytest.warns(UserWarning, match="no feature names"):
        tensor_proba = model.predict_proba(X)
    assert isinstance(tensor_proba, torch.Tensor) and tensor_proba.dtype == torch.float32
    np.testing.assert_allclose(tensor_proba.numpy(), proba, atol=1e-6)
    shifted = BalancedBaggingClassifier(SMALL, n_estimators=2, generator=0).fit(X, Y + 10)
    assert shifted.predict(X).unique().tolist() <= [10, 11]
    assert model.score(frame, labels) > 0.5


# -- parameters -----------------------------------------------------------------------------------
def test_get_params_set_params_and_clone_round_trip():
    from sklearn.base import clone as sklearn_clone

    model = BalancedBaggingClassifier(SMALL, n_estimators=3, max_features=0.5, generator=1)
    params = model.get_params()
    assert params["estimator__epochs"] == 2 and params["n_estimators"] == 3
    model.set_params(estimator__epochs=3, voting="hard")
    assert model.estimator.epochs == 3 and model.voting == "hard"
    for twin in (clone(model), sklearn_clone(model)):
        assert twin.get_params(deep=False).keys() == model.get_params(deep=False).keys()
        assert twin.estimator is not model.estimator
        assert twin.estimator.get_params() == model.estimator.get_params()
    easy = EasyEnsembleClassifier(n_estimators=4, sampling_strategy=0.5)
    assert sklearn_clone(easy).get_params(deep=False) == easy.get_params(deep=False)
    assert "sampling_strategy=0.5" in repr(easy)
    assert "resampler" not in easy.get_params()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"n_estimators": 0},
            "BalancedBaggingClassifier: n_estimators=0 is invalid; it must be an int in [1, inf).",
        ),
        ({"voting": "mean"}, "voting='mean' is invalid; it must be one of {'soft', 'hard'}"),
        ({"max_samples": 1.5}, "max_samples=1.5 is invalid; it must be an int in [1, inf) or"),
        ({"max_features": 0.0}, "max_features=0.0 is invalid"),
        ({"bootstrap": 1}, "bootstrap=1 is invalid"),
        ({"vectorize": "yes"}, "vectorize='yes' is invalid; it must be one of {'auto'} or"),
        ({"generator": -1}, "generator=-1 is invalid"),
        ({"resampler": object()}, "must have fit_resample(X, y)"),
        ({"estimator": object()}, "it must have fit, predict, predict_proba"),
    ],
)
def test_bad_parameters_are_refused_with_the_standard_message(params, message):
    model = BalancedBaggingClassifier(**{"estimator": _Prior(), **params})
    with pytest.raises(InvalidParameterError) as error:
        model.fit(X, Y)
    assert message in str(error.value)


def test_bad_easy_ensemble_parameters():
    with pytest.raises(InvalidParameterError, match="EasyEnsembleClassifier: replacement="):
        EasyEnsembleClassifier(_Prior(), replacement="no").fit(X, Y)
    with pytest.raises(InvalidParameterError, match="sampling_strategy"):
        EasyEnsembleClassifier(_Prior(), sampling_strategy=2.0).fit(X, Y)


def test_errors_name_the_fix():
    from sklearn.svm import LinearSVC

    with pytest.raises(InvalidParameterError, match="use voting='hard'"):
        BalancedBaggingClassifier(LinearSVC()).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="vectorize=True is invalid here: the est"):
        BalancedBaggingClassifier(_Prior(), vectorize=True).fit(X, Y)
    with pytest.raises(DataValidationError, match="max_samples=1000 is larger than the 600"):
        BalancedBaggingClassifier(_Prior(), max_samples=1000).fit(X, Y)
    with pytest.raises(DataValidationError, match="member 0 would train on a sample of one class"):
        BalancedBaggingClassifier(_Prior(), max_samples=1, generator=0).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="feature sub-sampling needs 2-D X"):
        BalancedBaggingClassifier(_Prior(), max_features=0.5).fit(X.reshape(600, 2, 3), Y)
    with pytest.raises(DataValidationError, match="y has 1 class"):
        BalancedBaggingClassifier(_Prior()).fit(X, torch.zeros(600, dtype=torch.long))
    with pytest.raises(NotFittedError, match="call fit"):
        BalancedBaggingClassifier(_Prior()).predict(X)
    fitted = BalancedBaggingClassifier(_Prior(), n_estimators=2, generator=0).fit(X, Y)
    with pytest.raises(DataValidationError, match="X has 5 features, but"):
        fitted.predict(X[:, :5])
    # a method the members lack is no attribute (scikit-learn's scorers test with hasattr)
    assert not hasattr(fitted, "decision_function")
    with pytest.raises(AttributeError, match="has no decision_function"):
        fitted.decision_function(X)


def test_estimator_default_is_a_torch_classifier():
    model = EasyEnsembleClassifier(n_estimators=2, generator=0).fit(X[:200], Y[:200])
    assert all(type(m) is TorchClassifier for m in model.estimators_)
    assert model.vectorized_ and model.vectorize_blocker_ is None


def test_member_seeds_replace_the_estimators_own():
    seeded = TorchClassifier(hidden_sizes=(8,), epochs=1, generator=0)
    model = BalancedBaggingClassifier(seeded, n_estimators=3, generator=0).fit(X, Y)
    seeds = {m.generator for m in model.estimators_}
    assert len(seeds) == 3 and 0 not in seeds
    assert model.estimator.generator == 0  # the template is untouched


def test_default_resampler_is_random_under_sampling():
    model = BalancedBaggingClassifier(_Prior())
    resampler, *_ = model._sampling()
    assert isinstance(resampler, RandomUnderSampler)


def test_experiment_strategies_build_and_fit_these_ensembles():
    from torchbalance.experiment import Setting, get_strategy

    setting = Setting(input_shape=(6,), class_counts=(510, 90), min_train_count=90, epochs=1)
    for name, cls in (
        ("balanced_bagging", BalancedBaggingClassifier),
        ("easy_ensemble", EasyEnsembleClassifier),
    ):
        estimator, resampler = get_strategy(name).build(setting)
        assert type(estimator) is cls and resampler is None
        assert estimator.n_estimators == 10
        assert estimator.fit(X, Y).vectorized_  # the setting's MLP takes the fast path
        assert estimator.predict(X).shape == (600,)


def test_sampling_strategy_in_the_callers_labels():
    labels = np.where(Y.numpy() == 1, "rare", "common")
    easy = EasyEnsembleClassifier(_Prior(), n_estimators=2, sampling_strategy={"common": 150})
    for rows in easy.set_params(generator=0).fit(X.numpy(), labels).estimators_samples_:
        assert _counts(rows) == [150, 90]
    shifted = BalancedBaggingClassifier(
        _Prior(),
        n_estimators=2,
        resampler=RandomUnderSampler(sampling_strategy={10: 100}),
        bootstrap=False,
        generator=0,
    ).fit(X, Y + 10)
    for rows in shifted.estimators_samples_:
        assert _counts(rows) == [100, 90]


@pytest.mark.parametrize("cls", [BalancedBaggingClassifier, EasyEnsembleClassifier])
def test_params_contract_with_the_estimator_positional(cls):
    check_params_contract(cls(TorchClassifier(epochs=1), n_estimators=2), positional=("estimator",))


def test_scorers_use_predict_proba_when_members_lack_decision_function():
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(180, 4)), rng.normal(1.5, size=(20, 4))])
    y = np.array([0] * 180 + [1] * 20)
    clf = EasyEnsembleClassifier(DecisionTreeClassifier(), n_estimators=3, generator=0)
    assert not hasattr(clf, "decision_function")
    assert np.isfinite(cross_val_score(clf, X, y, cv=3, scoring="roc_auc")).all()


@pytest.mark.parametrize(
    "y",
    [
        np.array([False] * 90 + [True] * 10),
        np.array([0.0] * 90 + [1.0] * 10),
        torch.tensor([False] * 90 + [True] * 10),
    ],
    ids=["bool", "float", "bool-tensor"],
)
def test_labels_keep_their_values_and_dtype(y):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(90, 3)), rng.normal(2, size=(10, 3))])
    X_in = torch.from_numpy(X) if isinstance(y, torch.Tensor) else X
    model = BalancedBaggingClassifier(LogisticRegression(), n_estimators=3, generator=0)
    predicted = model.fit(X_in, y).predict(X_in[-2:])
    assert model.classes_.tolist() == sorted(set(y.tolist()))
    assert predicted.dtype == y.dtype  # a tensor for tensor input, else a NumPy array


def test_a_callable_sampling_strategy_sees_the_callers_labels():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = np.array(["neg"] * 90 + ["pos"] * 10)
    seen = []

    def keep_30_negatives(labels):
        seen.append(set(np.asarray(labels).tolist()))
        return {"neg": 30}

    model = EasyEnsembleClassifier(
        LogisticRegression(), n_estimators=2, sampling_strategy=keep_30_negatives, generator=0
    ).fit(X, y)
    assert seen and all(s == {"neg", "pos"} for s in seen)
    assert all(len(rows) == 40 for rows in model.estimators_samples_)


@pytest.mark.parametrize("labels", [(1, 2), ("ok", "fraud")])
def test_a_resampler_pipelines_steps_get_the_class_names_translated(labels):
    # only a top-level resampler's sampling_strategy was rewritten in class codes: inside a
    # pipeline {1: 30} cut the other class, and string names were refused
    from sklearn.linear_model import LogisticRegression

    from torchbalance.pipeline import make_pipeline
    from torchbalance.under_sampling import TomekLinks

    class Recorder(LogisticRegression):
        def fit(self, X, y):
            self.seen_ = np.bincount(y, minlength=2)
            return super().fit(X, y)

    rng = np.random.default_rng(0)
    codes = np.array([0] * 160 + [1] * 40)
    y = np.asarray(labels, dtype=object)[codes] if isinstance(labels[0], str) else codes + 1
    X = rng.normal(size=(200, 3)) + codes[:, None]
    majority = labels[0]
    resampler = make_pipeline(TomekLinks(), RandomUnderSampler(sampling_strategy={majority: 30}))
    model = ensemble.BalancedBaggingClassifier(
        Recorder(), resampler=resampler, bootstrap=False, n_estimators=2, generator=0
    ).fit(X, y)
    code = list(model.classes_).index(majority)
    for member in model.estimators_:
        assert member.seen_[code] == 30 and member.seen_[1 - code] == 40
