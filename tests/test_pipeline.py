from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.base import clone
from torchbalance.exceptions import InvalidParameterError, NotFittedError
from torchbalance.over_sampling import SMOTE
from torchbalance.pipeline import Pipeline, make_pipeline
from torchbalance.under_sampling import EditedNearestNeighbours, RandomUnderSampler, TomekLinks


def _data(n0=120, n1=30, seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)])
    X = torch.randn(len(y), 3, generator=g, dtype=torch.float64) + 1.5 * y[:, None]
    return X, y


class Recorder:
    """A minimal estimator that remembers what it was fitted and asked on."""

    def fit(self, X, y):
        self.fit_counts_ = np.bincount(np.asarray(y)).tolist()
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict(self, X):
        self.predict_rows_ = len(X)
        return np.zeros(len(X), dtype=np.int64)

    def predict_proba(self, X):
        return np.full((len(X), 2), 0.5)


def test_hybrid_under_then_smote_as_one_resampler():
    X, y = _data()
    hybrid = make_pipeline(
        RandomUnderSampler(sampling_strategy=0.5, generator=0), SMOTE(generator=0)
    )
    X_res, y_res = hybrid.fit_resample(X, y)
    assert torch.bincount(y_res).tolist() == [60, 60]
    # the same as running the two by hand
    X1, y1 = RandomUnderSampler(sampling_strategy=0.5, generator=0).fit_resample(X, y)
    X2, y2 = SMOTE(generator=0).fit_resample(X1, y1)
    assert torch.equal(X_res, X2) and torch.equal(y_res, y2)


def test_resampling_happens_in_fit_only():
    X, y = _data()
    model = Recorder()
    pipe = Pipeline([("under", RandomUnderSampler(generator=0)), ("model", model)])
    pipe.fit(X, y)
    assert model.fit_counts_ == [30, 30]
    predictions = pipe.predict(X)
    assert len(predictions) == len(y) and model.predict_rows_ == len(y)
    assert pipe.predict_proba(X[:7]).shape == (7, 2)
    assert pipe.classes_.tolist() == [0, 1]
    assert len(pipe.fit_predict(X, y)) == len(y)


def test_transformers_apply_at_predict_and_resamplers_do_not():
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y = _data()
    X_np, y_np = X.numpy() * 100 + 5, y.numpy()
    pipe = make_pipeline(StandardScaler(), TomekLinks(), LogisticRegression())
    pipe.fit(X_np, y_np)
    scaler, tomek, model = pipe[0], pipe["tomeklinks"], pipe[-1]
    expected = model.predict(scaler.transform(X_np))
    assert np.array_equal(pipe.predict(X_np), expected)
    assert np.allclose(pipe[:1].transform(X_np), scaler.transform(X_np))
    assert not hasattr(pipe, "transform")  # the last step is not a transformer
    # a pipeline ending in a transformer transforms without resampling
    scaled = make_pipeline(TomekLinks(), StandardScaler()).fit(X_np, y_np)
    assert scaled.transform(X_np).shape == X_np.shape
    assert pipe.score(X_np, y_np) == pytest.approx(model.score(scaler.transform(X_np), y_np))
    assert len(tomek.sample_indices_) < len(y_np)


def test_params_clone_and_scikit_learn_cross_validation():
    from sklearn.base import clone as sk_clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    pipe = make_pipeline(EditedNearestNeighbours(), LogisticRegression())
    params = pipe.get_params()
    assert params["editednearestneighbours__n_neighbors"] == 3
    pipe.set_params(editednearestneighbours__n_neighbors=5, logisticregression__C=0.5)
    assert pipe[0].n_neighbors == 5 and pipe[-1].C == 0.5
    twin = clone(pipe)
    assert twin[0] is not pipe[0] and twin[0].n_neighbors == 5
    sk_twin = sk_clone(pipe)
    assert sk_twin[-1] is not pipe[-1] and sk_twin[-1].C == 0.5
    X, y = _data()
    scores = cross_val_score(pipe, X.numpy(), y.numpy(), cv=3)
    assert scores.shape == (3,) and (scores > 0.5).all()
    sub = pipe[:1]
    assert isinstance(sub, Pipeline) and len(sub) == 1
    pipe.set_params(editednearestneighbours="passthrough")
    pipe.fit(X.numpy(), y.numpy())


def test_nested_pipeline_inside_imblearn_pipeline():
    from imblearn.pipeline import make_pipeline as imb_make_pipeline
    from sklearn.linear_model import LogisticRegression

    X, y = _data()
    inner = make_pipeline(
        RandomUnderSampler(sampling_strategy=0.5, generator=0), SMOTE(generator=0)
    )
    outer = imb_make_pipeline(inner, LogisticRegression())
    outer.fit(X.numpy(), y.numpy())
    assert outer.predict(X.numpy()).shape == (150,)


@pytest.mark.parametrize(
    ("steps", "match"),
    [
        ([], "non-empty list"),
        ([("a", TomekLinks()), ("a", Recorder())], "used more than once"),
        ([("a__b", TomekLinks()), ("m", Recorder())], "must not contain '__'"),
        ([("model", Recorder()), ("tomek", TomekLinks())], "every step but the last"),
        (["tomek"], r"\(name, step\) pair"),
    ],
)
def test_malformed_steps_are_refused(steps, match):
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=match):
        Pipeline(steps).fit(X, y)


def test_prediction_needs_fit_and_fit_resample_needs_resamplers():
    X, y = _data()
    pipe = make_pipeline(TomekLinks(), Recorder())
    with pytest.raises(NotFittedError, match="call fit"):
        pipe.predict(X)
    assert not hasattr(pipe, "fit_resample")  # so no host takes it for a resampler
    with pytest.raises(AttributeError, match="'recorder' .* is a model, not a resampler"):
        pipe.fit_resample(X, y)
    pipe.fit(X, y)
    # a method the last step lacks is no attribute (scikit-learn's scorers test with hasattr)
    assert not hasattr(pipe, "decision_function")
    with pytest.raises(AttributeError, match="has no decision_function"):
        pipe.decision_function(X)


def test_make_pipeline_names_repeats():
    pipe = make_pipeline(TomekLinks(), TomekLinks(), RandomUnderSampler())
    assert [n for n, _ in pipe] == ["tomeklinks-1", "tomeklinks-2", "randomundersampler"]
    assert pipe.named_steps["tomeklinks-2"] is pipe[1]
    assert "steps" in repr(pipe) or "Pipeline" in repr(pipe)


def _numpy_data():
    X, y = _data()
    return X.numpy(), y.numpy()


def test_scorers_and_calibrators_see_only_the_last_steps_methods():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import cross_val_score
    from sklearn.svm import LinearSVC

    X, y = _numpy_data()
    forest = make_pipeline(SMOTE(generator=0), RandomForestClassifier(10, random_state=0))
    assert hasattr(forest, "predict_proba") and not hasattr(forest, "decision_function")
    scores = cross_val_score(forest, X, y, cv=3, scoring="roc_auc")
    assert np.isfinite(scores).all()
    svc = make_pipeline(SMOTE(generator=0), LinearSVC())
    assert hasattr(svc, "decision_function") and not hasattr(svc, "predict_proba")
    calibrated = CalibratedClassifierCV(svc, cv=3).fit(X, y)
    assert calibrated.predict_proba(X).shape == (len(y), 2)


def test_a_fitted_pipeline_is_fitted_to_scikit_learn():
    from sklearn.exceptions import NotFittedError as SklearnNotFitted
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.validation import check_is_fitted

    X, y = _numpy_data()
    pipe = make_pipeline(SMOTE(generator=0), LogisticRegression())
    with pytest.raises(SklearnNotFitted):
        check_is_fitted(pipe)
    check_is_fitted(pipe.fit(X, y))


def test_fit_params_are_routed_by_step_name():
    from sklearn.linear_model import LogisticRegression

    X, y = _numpy_data()
    weights = np.where(y == 1, 5.0, 1.0)
    direct = LogisticRegression().fit(X, y, sample_weight=weights)
    routed = make_pipeline("passthrough", LogisticRegression())
    routed.fit(X, y, logisticregression__sample_weight=weights)
    np.testing.assert_allclose(routed[-1].coef_, direct.coef_)
    routed.fit(X, y, sample_weight=weights)  # unprefixed: the last step's
    np.testing.assert_allclose(routed[-1].coef_, direct.coef_)
    recorded = make_pipeline(RandomUnderSampler(generator=0), Recorder())
    with pytest.raises(TypeError, match="sample_weight"):  # Recorder.fit takes no weights
        recorded.fit(X, y, recorder__sample_weight=weights)
    with pytest.raises(InvalidParameterError, match="names no step"):
        routed.fit(X, y, nosuchstep__sample_weight=weights)


def test_sample_weight_flows_through_a_pipeline_of_resamplers():
    X, y = _data()
    weight = torch.arange(len(y), dtype=torch.float64)
    pipe = make_pipeline(RandomUnderSampler(generator=0), TomekLinks())
    X_res, y_res, w_res = pipe.fit_resample(X, y, sample_weight=weight)
    first, second = pipe[0].sample_indices_, pipe[1].sample_indices_
    assert torch.equal(w_res, weight[first][second]) and len(w_res) == len(y_res)
    assert torch.equal(X_res, X[first][second])


def test_an_int_generator_makes_pipelines_inside_models_repeat():
    from torchbalance.model_selection import cross_validate
    from torchbalance.models import TorchClassifier

    X, y = _data()

    def score():
        result = cross_validate(
            TorchClassifier(epochs=2, generator=0),
            X,
            y,
            cv=3,
            generator=0,
            resampler=make_pipeline(RandomUnderSampler(), SMOTE()),
            metrics=["balanced_accuracy"],
        )
        return result.summary["balanced_accuracy"].mean

    assert score() == score()
    model = lambda: TorchClassifier(  # noqa: E731
        epochs=2, generator=0, resampler=make_pipeline(RandomUnderSampler(), SMOTE())
    )
    assert torch.equal(model().fit(X, y).predict_proba(X), model().fit(X, y).predict_proba(X))


def test_named_steps_read_as_attributes_and_string_steps_keep_their_name():
    pipe = make_pipeline("passthrough", TomekLinks())
    assert pipe.named_steps.tomeklinks is pipe[1]
    assert [name for name, _ in pipe.steps] == ["passthrough", "tomeklinks"]
    with pytest.raises(AttributeError):
        _ = pipe.named_steps.smote


def test_a_last_step_that_cannot_fit_is_refused_by_name():
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="the last step 'b' \\(int\\) is invalid"):
        Pipeline([("a", SMOTE()), ("b", 42)]).fit(X, y)


def test_weights_routed_to_a_resampler_flow_on():
    X, y = _data()
    weight = torch.arange(len(y), dtype=torch.float64)
    pipe = make_pipeline(RandomUnderSampler(generator=0), TomekLinks())
    X_res, y_res = pipe.fit_resample(X, y, randomundersampler__sample_weight=weight)
    assert len(X_res) == len(y_res) == len(pipe[1].sample_indices_)


def test_a_pipeline_with_a_transformer_is_no_resampler_so_no_host_skips_its_transformer():
    # nested as a step (or given to TorchClassifier / an ensemble as resampler=), its scaler
    # ran at fit but would be skipped at predict with the resamplers: predictions on raw data
    from sklearn.preprocessing import StandardScaler

    X, y = _data()
    scaled_smote = make_pipeline(StandardScaler(), SMOTE(generator=0))
    assert not hasattr(scaled_smote, "fit_resample")
    with pytest.raises(AttributeError, match="'standardscaler' .* transforms the features"):
        scaled_smote.fit_resample(X, y)
    mixed = r"both resamples and transforms \(StandardScaler\)"
    with pytest.raises(InvalidParameterError, match=mixed):
        make_pipeline(scaled_smote, Recorder()).fit(X, y)
    from imblearn.over_sampling import SMOTE as ImblearnSMOTE
    from imblearn.pipeline import make_pipeline as imblearn_pipeline

    from torchbalance.ensemble import BalancedBaggingClassifier
    from torchbalance.models import TorchClassifier

    theirs = imblearn_pipeline(StandardScaler(), ImblearnSMOTE())  # it has fit_resample
    with pytest.raises(InvalidParameterError, match=mixed):
        make_pipeline(theirs, Recorder()).fit(X, y)
    for host in (TorchClassifier(resampler=theirs), BalancedBaggingClassifier(resampler=theirs)):
        with pytest.raises(InvalidParameterError, match=mixed):
            host.fit(X, y)
    flat = make_pipeline(StandardScaler(), SMOTE(generator=0), Recorder()).fit(X, y)
    assert flat.predict(X).shape == (len(y),)
    resamplers_only = make_pipeline(RandomUnderSampler(generator=0), SMOTE(generator=0))
    nested = make_pipeline(resamplers_only, Recorder()).fit(X, y)  # still a resampler
    assert (
        nested.named_steps["recorder"].fit_counts_[0]
        == nested.named_steps["recorder"].fit_counts_[1]
    )


def test_scikit_learn_pipeline_methods_score_samples_score_weights_and_output():
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from torchbalance.anomaly import DeepSVDD

    X, y = _data()
    X = X.numpy()
    detector = make_pipeline(StandardScaler(), DeepSVDD(epochs=1, generator=0)).fit(X)
    scaled = StandardScaler().fit_transform(X)
    assert np.allclose(detector.score_samples(X), detector[-1].score_samples(scaled))
    model = make_pipeline(StandardScaler(), SMOTE(generator=0), LogisticRegression()).fit(X, y)
    weights = np.where(np.asarray(y) == 1, 3.0, 1.0)
    expected = model[-1].score(scaled, y, sample_weight=weights)
    assert model.score(X, y, sample_weight=weights) == expected
    assert model.n_features_in_ == X.shape[1]
    framed = model.set_output(transform="pandas").fit(X, y)
    assert list(framed[-1].feature_names_in_) == [f"x{i}" for i in range(X.shape[1])]
    resampled = make_pipeline(SMOTE(generator=0), StandardScaler())
    out = resampled.fit_transform(X, y)
    X_s, _ = SMOTE(generator=0).fit_resample(X, y)
    assert np.allclose(out, StandardScaler().fit_transform(X_s))
    assert list(resampled.get_feature_names_out()) == [f"x{i}" for i in range(X.shape[1])]
    assert not hasattr(make_pipeline(SMOTE(), LogisticRegression()), "fit_transform")
    with pytest.raises(InvalidParameterError, match="both resamples and transforms"):
        make_pipeline(make_pipeline(SMOTE(), StandardScaler()), LogisticRegression()).fit(X, y)


@pytest.mark.parametrize("weights_given_as", ["sample_weight", "logisticregression__sample_weight"])
def test_the_last_steps_sample_weight_follows_the_resampled_rows(weights_given_as):
    # the resamplers ran without the weights, and the last step got one per input row
    from sklearn.linear_model import LogisticRegression

    from torchbalance.under_sampling import RandomUnderSampler

    rng = np.random.default_rng(0)
    y = np.array([0] * 150 + [1] * 50)
    X = rng.normal(size=(200, 3)) + y[:, None]
    w = rng.uniform(0.1, 5.0, size=200)
    pipe = make_pipeline(RandomUnderSampler(generator=0), LogisticRegression())
    pipe.fit(X, y, **{weights_given_as: w})
    X_r, y_r, w_r = RandomUnderSampler(generator=0).fit_resample(X, y, sample_weight=w)
    expected = LogisticRegression().fit(X_r, y_r, sample_weight=w_r)
    np.testing.assert_allclose(pipe[-1].coef_, expected.coef_)


def test_a_resampler_without_sample_weight_cannot_carry_the_weights():
    from imblearn.under_sampling import RandomUnderSampler as ImblearnRUS
    from sklearn.linear_model import LogisticRegression

    X, y = np.random.default_rng(0).normal(size=(40, 2)), np.array([0] * 30 + [1] * 10)
    pipe = make_pipeline(ImblearnRUS(random_state=0), LogisticRegression())
    with pytest.raises(InvalidParameterError, match="takes no sample_weight"):
        pipe.fit(X, y, sample_weight=np.ones(40))


def test_tags_take_sparse_input_only_when_every_step_does_and_names_come_from_the_first():
    pd = pytest.importorskip("pandas")
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils import get_tags

    assert get_tags(LogisticRegression()).input_tags.sparse
    pipe = make_pipeline(RandomUnderSampler(generator=0), LogisticRegression())
    assert not get_tags(pipe).input_tags.sparse  # the resampler refuses sparse input
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)), columns=["a", "b", "c"])
    pipe.fit(frame, np.array([0] * 30 + [1] * 10))
    assert list(pipe.feature_names_in_) == ["a", "b", "c"]


def test_a_steps_own_weights_stay_that_steps():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 10)
    X, w = rng.normal(size=(40, 2)), rng.uniform(0.5, 2.0, size=40)
    pipe = make_pipeline(RandomUnderSampler(generator=0), KNeighborsClassifier(3))
    pipe.fit(X, y, randomundersampler__sample_weight=w)  # the last step takes no weights
    with pytest.raises(InvalidParameterError, match="its own sample_weight and the weights"):
        pipe.fit(X, y, sample_weight=w, randomundersampler__sample_weight=w)
