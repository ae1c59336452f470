from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.base import clone as sk_clone
from sklearn.ensemble import IsolationForest
from sklearn.metrics import f1_score, roc_auc_score

from torchbalance.anomaly import AutoencoderDetector, DeepSVDD
from torchbalance.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from torchbalance.model_selection import ThresholdTuner, stratified_split
from torchbalance.testing import check_params_contract

FAST = {"epochs": 30, "batch_size": 128}
AE_FAST = {**FAST, "lr": 1e-2}


def _detectors(**kwargs):
    return [AutoencoderDetector(**AE_FAST, **kwargs), DeepSVDD(**FAST, **kwargs)]


IDS = ["autoencoder", "deep_svdd"]


# -- detection quality ----------------------------------------------------------------------------
# measured here (data seed 0, generator 0): shift 1.000 / 0.999, off-manifold 0.966 / 0.966;
# over data seeds and learning rates the off-manifold AUCs ranged 0.88-1.00
@pytest.mark.parametrize(
    ("detector", "kind", "floor"),
    [
        (AutoencoderDetector(**AE_FAST, generator=0), "shift", 0.95),
        (AutoencoderDetector(**AE_FAST, generator=0), "offmanifold", 0.9),
        (DeepSVDD(**FAST, generator=0), "shift", 0.95),
        (DeepSVDD(**FAST, generator=0), "offmanifold", 0.9),
    ],
    ids=["ae-shift", "ae-offmanifold", "svdd-shift", "svdd-offmanifold"],
)
def test_roc_auc_of_planted_outliers_is_high(planted, detector, kind, floor):
    X, y = planted(kind)
    detector.fit(X[y == 0])
    scores = detector.score_samples(X)
    auc = roc_auc_score(y.numpy(), scores.numpy())  # higher score = more anomalous
    assert auc >= floor, auc


def test_off_manifold_outliers_are_missed_by_isolation_forest_not_by_the_detectors(planted):
    X, y = planted("offmanifold")
    normal = X[y == 0]
    forest = IsolationForest(random_state=0).fit(normal.numpy())
    forest_auc = roc_auc_score(y.numpy(), -forest.score_samples(X.numpy()))  # measured 0.56
    for detector in _detectors(generator=0):
        auc = roc_auc_score(y.numpy(), detector.fit(normal).score_samples(X).numpy())
        assert auc > forest_auc + 0.2, (type(detector).__name__, auc, forest_auc)


@pytest.mark.parametrize("detector", _detectors(generator=0), ids=IDS)
@pytest.mark.parametrize("contamination", [0.05, 0.1, 0.25])
def test_contamination_flags_that_fraction_of_training_rows(planted, detector, contamination):
    X, _ = planted(n=203, m=0)
    detector.set_params(contamination=contamination).fit(X)
    flagged = int(detector.predict(X).sum())
    assert abs(flagged - contamination * 203) <= 1, flagged
    expected = float(torch.quantile(detector.train_scores_, 1 - contamination))
    assert detector.threshold_ == pytest.approx(expected)
    assert torch.equal(
        detector.decision_function(X) > 0, detector.score_samples(X) > detector.threshold_
    )


@pytest.mark.parametrize("detector", _detectors(), ids=IDS)
def test_int_generator_reproduces_and_seeds_differ(planted, detector):
    X, _ = planted()
    a = detector.set_params(generator=3).fit(X).score_samples(X)
    b = sk_clone(detector).fit(X).score_samples(X)  # the clone keeps generator=3
    c = detector.set_params(generator=4).fit(X).score_samples(X)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


# -- labels, probabilities, types ---------------------------------------------------------------
@pytest.mark.parametrize("detector", _detectors(generator=0), ids=IDS)
def test_with_y_it_trains_on_the_normal_class_and_predicts_labels(planted, detector):
    X, y = planted()
    only_normal = sk_clone(detector).fit(X[y == 0]).score_samples(X)
    detector.fit(X, y)
    assert torch.equal(detector.score_samples(X), only_normal)
    assert detector.normal_class_ == 0 and detector.outlier_class_ == 1
    assert set(detector.predict(X).tolist()) <= {0, 1}
    names = np.where(y.numpy() == 1, "fraud", "ok")
    detector.fit(X.numpy(), names)
    assert detector.normal_class_ == "ok" and list(detector.classes_) == ["fraud", "ok"]
    predicted = detector.predict(X.numpy())
    assert set(predicted.tolist()) == {"fraud", "ok"}
    # as any scikit-learn classifier's, decision_function is positive for classes_[1] ("ok")
    flagged = detector.decision_function(X.numpy()) < 0
    assert np.array_equal(predicted == "fraud", flagged)
    proba = detector.predict_proba(X.numpy())  # column 0 is "fraud", the anomaly class
    assert np.array_equal(proba[:, 0] > 0.5, flagged)
    ranks = np.argsort(detector.decision_function(X.numpy()), kind="stable")
    assert np.array_equal(ranks, np.argsort(proba[:, 1], kind="stable"))


@pytest.mark.parametrize("detector", _detectors(generator=0), ids=IDS)
def test_predict_proba_is_a_monotone_rating_crossing_one_half_at_the_threshold(planted, detector):
    X, y = planted()
    detector.fit(X, y)
    far = torch.cat([X, X[y == 1] * 1e6])
    scores = detector.score_samples(far).numpy()
    proba = detector.predict_proba(far).numpy()
    assert proba.shape == (len(far), 2) and np.allclose(proba.sum(1), 1.0)
    assert (proba > 0).all() and (proba < 1).all()
    order = np.argsort(scores, kind="stable")
    assert (np.diff(proba[order, 1]) >= 0).all()
    assert roc_auc_score(y.numpy(), proba[: len(X), 1]) == roc_auc_score(
        y.numpy(), scores[: len(X)]
    )
    assert np.array_equal(proba[:, 1] > 0.5, detector.predict(far).numpy() == 1)
    # no saturation: the extreme rows keep their order
    z = (scores - detector.threshold_) / detector.spread_
    assert np.allclose(proba[:, 1], 0.5 * (1 + z / (1 + np.abs(z))))


@pytest.mark.parametrize("detector", _detectors(generator=0), ids=IDS)
def test_types_come_back_as_they_came_in(planted, detector):
    pd = pytest.importorskip("pandas")
    X, _ = planted(n=150, m=0)
    detector.fit(X)
    scores = detector.score_samples(X)
    assert isinstance(scores, torch.Tensor) and scores.dtype == torch.float64
    assert detector.score_samples(X.float()).dtype == torch.float32
    assert detector.predict(X).dtype == torch.int64
    as_numpy = detector.score_samples(X.numpy())
    assert isinstance(as_numpy, np.ndarray) and np.allclose(as_numpy, scores.numpy())
    frame = pd.DataFrame(X.numpy(), columns=[f"f{i}" for i in range(X.shape[1])])
    assert np.allclose(detector.fit(frame).score_samples(frame), as_numpy)
    assert isinstance(detector.predict_proba(frame), np.ndarray)
    images = X[:, :8].reshape(-1, 2, 4)
    assert detector.fit(images).score_samples(images).shape == (150,)


# -- the networks -------------------------------------------------------------------------------
def test_deep_svdd_guards_against_hypersphere_collapse(planted):
    X, _ = planted()
    svdd = DeepSVDD(**FAST, eps=0.1, generator=0).fit(X)
    linears = [m for m in svdd.module_.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(m.bias is None for m in linears)
    assert not any(isinstance(m, (torch.nn.Sigmoid, torch.nn.Tanh)) for m in svdd.module_)
    assert bool((svdd.center_.abs() >= 0.1).all())
    # c is the mean of the initial network's outputs (eps-pushed): rebuild it independently
    fresh = DeepSVDD(**{**FAST, "epochs": 1}, lr=1e-12, generator=0).fit(X)
    F = ((X.float() - fresh.mean_) / fresh.scale_).float()
    with torch.no_grad():
        mean = fresh.module_(F).mean(0)
    expected = torch.where(mean.abs() < 0.1, torch.where(mean < 0, -0.1, 0.1), mean)
    assert torch.allclose(fresh.center_, expected, atol=1e-4)
    # the score is the squared distance to c
    with torch.no_grad():
        direct = (svdd.module_((X.float() - svdd.mean_) / svdd.scale_) - svdd.center_).pow(2)
    assert torch.allclose(svdd.score_samples(X).float(), direct.sum(1), rtol=1e-5, atol=1e-6)
    assert svdd.history_[-1] < svdd.history_[0]


def test_deep_svdd_pretraining_changes_the_start(planted):
    X, y = planted("offmanifold")
    plain = DeepSVDD(**FAST, generator=0).fit(X[y == 0])
    pretrained = DeepSVDD(**FAST, pretrain_epochs=5, generator=0).fit(X[y == 0])
    assert not torch.equal(plain.center_, pretrained.center_)
    assert roc_auc_score(y.numpy(), pretrained.score_samples(X).numpy()) >= 0.8


def test_autoencoder_sizes_its_bottleneck_below_the_input():
    X = torch.randn(64, 6, generator=torch.Generator().manual_seed(0))
    detector = AutoencoderDetector(epochs=1, generator=0).fit(X)
    widths = [m.out_features for m in detector.module_.encoder if isinstance(m, torch.nn.Linear)]
    assert widths == [12, 3]
    custom = AutoencoderDetector(hidden_sizes=[5, 2], epochs=1, generator=0).fit(X)
    assert [m.out_features for m in custom.module_.modules() if isinstance(m, torch.nn.Linear)] == [
        5,
        2,
        5,
        6,
    ]


def test_progress_prints_to_stderr(capsys):
    X = torch.randn(32, 3, generator=torch.Generator().manual_seed(0))
    DeepSVDD(epochs=2, progress=True, generator=0).fit(X)
    assert "DeepSVDD: epoch 2/2 loss" in capsys.readouterr().err


# -- threshold tuning ---------------------------------------------------------------------------
@pytest.mark.parametrize("detector", _detectors(), ids=IDS)
def test_threshold_tuner_tunes_the_detector_on_held_out_folds(planted, detector):
    X, y = planted(n=600, m=30)
    train, test = stratified_split(y, (0.6, 0.4), generator=0)
    tuner = ThresholdTuner(detector, objective="f1", cv=3, generator=0).fit(X[train], y[train])
    assert tuner.best_score_ >= tuner.default_score_
    assert isinstance(tuner.model_, type(detector)) and tuner.model_.normal_class_ == 0
    f1 = f1_score(y[test].numpy(), np.asarray(tuner.predict(X[test])))
    assert f1 >= 0.8, f1


# -- configuration and errors ---------------------------------------------------------------------
@pytest.mark.parametrize("detector", _detectors(generator=1), ids=IDS)
def test_params_contract_and_sklearn_clone(detector):
    check_params_contract(detector)
    twin = sk_clone(detector)
    assert twin is not detector and twin.get_params() == detector.get_params()
    assert twin.set_params(contamination=0.2) is twin and twin.contamination == 0.2
    assert "contamination=0.2" in repr(twin)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"contamination": 0.7}, "contamination"),
        ({"contamination": 0.0}, "contamination"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 1.5}, "batch_size"),
        ({"lr": -1.0}, "lr"),
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"hidden_sizes": (8, 0)}, "hidden_sizes"),
        ({"hidden_sizes": 8}, "hidden_sizes"),
        ({"generator": -1}, "generator"),
        ({"progress": "yes"}, "progress"),
        ({"device": "npu:7"}, "device"),
    ],
)
@pytest.mark.parametrize("cls", [AutoencoderDetector, DeepSVDD], ids=IDS)
def test_bad_parameters_are_refused_by_name(cls, params, name):
    X = torch.randn(20, 3, generator=torch.Generator().manual_seed(0))
    with pytest.raises(InvalidParameterError, match=rf"{cls.__name__}: {name}=.* is invalid"):
        cls(**params).fit(X)


@pytest.mark.parametrize(("params", "name"), [({"rep_dim": 0}, "rep_dim"), ({"eps": 0.0}, "eps")])
def test_bad_deep_svdd_parameters_are_refused_by_name(params, name):
    with pytest.raises(InvalidParameterError, match=rf"DeepSVDD: {name}=.* is invalid"):
        DeepSVDD(**params).fit(torch.randn(20, 3))


def test_bad_data_and_misuse_are_refused():
    X = torch.randn(30, 3, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0] * 20 + [1] * 10)
    detector = AutoencoderDetector(epochs=1, generator=0)
    with pytest.raises(NotFittedError, match="not fitted"):
        detector.score_samples(X)
    with pytest.raises(InvalidParameterError, match="normal_class=5 is invalid"):
        AutoencoderDetector(normal_class=5, epochs=1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="normal_class=1 needs y"):
        AutoencoderDetector(normal_class=1, epochs=1).fit(X)
    with pytest.raises(DataValidationError, match="needs exactly 2"):
        detector.fit(X, torch.arange(30) % 3)
    with pytest.raises(DataValidationError, match="needs exactly 2"):
        detector.fit(X, torch.zeros(30, dtype=torch.int64))
    with pytest.raises(DataValidationError, match="same length"):
        detector.fit(X, y[:-1])
    with pytest.raises(DataValidationError, match="at least 2"):
        detector.fit(X[:1])
    bad = X.clone()
    bad[0, 0] = math.nan
    with pytest.raises(DataValidationError, match="NaN"):
        detector.fit(bad)
    detector.fit(X, y)
    with pytest.raises(DataValidationError, match="expecting 3 features"):
        detector.score_samples(torch.randn(4, 5))


def test_normal_class_can_be_the_minority_label():
    g = torch.Generator().manual_seed(0)
    X = torch.cat([torch.randn(40, 3, generator=g), 6 + torch.randn(10, 3, generator=g)])
    y = torch.tensor([0] * 40 + [1] * 10)
    detector = DeepSVDD(normal_class=1, epochs=20, generator=0).fit(X, y)
    assert detector.normal_class_ == 1 and detector.outlier_class_ == 0
    proba = detector.predict_proba(X)
    # column 0 (class 0) is now the anomaly column: class-0 rows are far from class 1
    assert roc_auc_score((y == 0).numpy(), proba[:, 0].numpy()) > 0.95


def test_boolean_labels_come_back_as_booleans_and_numpy_batch_sizes_work():
    import numpy as np

    from torchbalance.anomaly import AutoencoderDetector

    X = np.random.default_rng(0).normal(size=(100, 4))
    y = np.array([False] * 90 + [True] * 10)
    detector = AutoencoderDetector(epochs=1, batch_size=np.int64(32), generator=0).fit(X, y)
    assert detector.classes_.dtype == np.bool_
    assert detector.predict(X[:3]).dtype == np.bool_


def test_infinite_scores_give_probability_one_not_nan():
    X = torch.randn(200, 3, generator=torch.Generator().manual_seed(0))
    detector = AutoencoderDetector(epochs=2, generator=0).fit(X)
    far = torch.tensor([[1e6, 1e6, 1e6], [3e38, 0.0, 0.0]])
    assert bool(torch.isinf(detector.score_samples(far)[1]))
    proba = detector.predict_proba(far)
    assert not bool(proba.isnan().any()) and proba[1].tolist() == [0.0, 1.0]


def test_detectors_are_classifiers_to_scikit_learn():
    from sklearn.base import is_classifier
    from sklearn.model_selection import cross_val_score

    g = torch.Generator().manual_seed(0)
    X = torch.cat([torch.randn(190, 3, generator=g), 6 + torch.randn(10, 3, generator=g)]).numpy()
    y = np.array([0] * 190 + [1] * 10)
    assert is_classifier(DeepSVDD())
    scores = cross_val_score(DeepSVDD(epochs=3, generator=0), X, y, scoring="roc_auc", cv=2)
    assert scores.min() > 0.9


@pytest.mark.parametrize("detector", _detectors(generator=0), ids=IDS)
def test_scikit_learn_scorers_rank_anomalies_right_whichever_label_sorts_first(planted, detector):
    # roc_auc's scorer reads decision_function as a score for classes_[1]
    from sklearn.metrics import get_scorer

    X, y = planted()
    auc = get_scorer("roc_auc")
    for rare in (1, 0):  # the anomaly label sorts second, then first
        labels = np.where(y.numpy() == 1, rare, 1 - rare)
        fitted = sk_clone(detector).fit(X.numpy(), labels)
        by_scorer = auc(fitted, X.numpy(), labels)
        by_hand = roc_auc_score(labels == rare, fitted.score_samples(X.numpy()))
        assert by_scorer == pytest.approx(by_hand) and by_scorer > 0.8, (rare, by_scorer)


@pytest.mark.parametrize("detector", _detectors(generator=0, contamination=0.1), ids=IDS)
@pytest.mark.parametrize("anomaly", [0, 1])
def test_a_score_at_the_threshold_gets_predicts_label_from_decision_function(detector, anomaly):
    # 11 normal rows and contamination 0.1: the threshold is one training row's score exactly
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(11, 3)), rng.normal(size=(3, 3)) + 5])
    y = np.r_[np.full(11, 1 - anomaly), np.full(3, anomaly)]
    detector.fit(X, y)
    assert (detector.score_samples(X) == detector.threshold_).any()
    margin = detector.decision_function(X)
    assert np.array_equal(detector.classes_[(margin > 0).astype(int)], detector.predict(X))
    ranks = np.argsort(-detector.score_samples(X), kind="stable")
    sign = 1 if anomaly == 1 else -1
    assert np.array_equal(np.argsort(-sign * margin, kind="stable"), ranks)
