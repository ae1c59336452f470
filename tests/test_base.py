from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from _toy_resamplers import KeepFirstUnderSampler
from torchbalance.base import FunctionResampler, ParamsMixin, clone
from torchbalance.exceptions import InvalidParameterError


class _Nested(ParamsMixin):
    def __init__(self, *, inner=None, alpha=1.0):
        self.inner = inner
        self.alpha = alpha


def test_get_set_params_and_nesting():
    outer = _Nested(inner=_Nested(alpha=2.0), alpha=3.0)
    params = outer.get_params()
    assert params["alpha"] == 3.0
    assert params["inner__alpha"] == 2.0
    assert outer.set_params(inner__alpha=5.0, alpha=0.5) is outer
    assert outer.inner.alpha == 5.0 and outer.alpha == 0.5
    assert sorted(outer.get_params(deep=False)) == ["alpha", "inner"]


def test_set_params_unknown_name():
    with pytest.raises(ValueError, match=r"invalid parameter 'beta'.*\['alpha', 'inner'\]"):
        _Nested().set_params(beta=1)


def test_repr_shows_changed_params_only():
    assert repr(_Nested()) == "_Nested()"
    assert repr(_Nested(alpha=2.0)) == "_Nested(alpha=2.0)"
    assert repr(_Nested(inner=_Nested(alpha=0.0))) == "_Nested(inner=_Nested(alpha=0.0))"


def test_repr_with_tensor_param_does_not_crash():
    assert "tensor" in repr(_Nested(alpha=torch.ones(2)))


def test_clone_is_deep_and_unfitted():
    resampler = KeepFirstUnderSampler(sampling_strategy={0: 2}, generator=0)
    resampler.fit_resample(torch.randn(6, 2), torch.tensor([0, 0, 0, 1, 1, 1]))
    twin = clone(resampler)
    assert (
        twin.sampling_strategy == {0: 2}
        and twin.sampling_strategy is not resampler.sampling_strategy
    )
    assert not hasattr(twin, "sample_indices_")


def test_sklearn_clone_and_imblearn_pipeline_accept_resamplers():
    sklearn_base = pytest.importorskip("sklearn.base")
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    linear = pytest.importorskip("sklearn.linear_model")
    resampler = KeepFirstUnderSampler(generator=0)
    twin = sklearn_base.clone(resampler)
    assert twin.get_params() == resampler.get_params()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (rng.random(120) < 0.2).astype(int)
    pipe = imblearn_pipeline.Pipeline(
        [("balance", resampler), ("model", linear.LogisticRegression())]
    )
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (120,)
    pipe.set_params(balance__sampling_strategy=0.5)
    assert pipe.named_steps["balance"].sampling_strategy == 0.5


def test_sampling_strategy_resolved_in_caller_labels():
    X = np.zeros((9, 2))
    y = np.array(["a"] * 6 + ["b"] * 3)
    resampler = KeepFirstUnderSampler(sampling_strategy={"a": 4}, generator=0)
    _, y_res = resampler.fit_resample(X, y)
    assert dict(resampler.sampling_strategy_) == {"a": 4}
    assert sorted(y_res.tolist()) == ["a"] * 4 + ["b"] * 3


def test_fit_resolves_strategy_without_resampling():
    resampler = KeepFirstUnderSampler().fit(np.zeros((5, 1)), [0, 0, 0, 1, 1])
    assert dict(resampler.sampling_strategy_) == {0: 2}


def test_params_validated_at_fit_time_not_init():
    resampler = KeepFirstUnderSampler(sampling_strategy=2.5)  # stored as given
    assert resampler.sampling_strategy == 2.5
    with pytest.raises(InvalidParameterError, match="KeepFirstUnderSampler: sampling_strategy=2.5"):
        resampler.fit_resample(np.zeros((4, 1)), [0, 0, 1, 1])


def test_function_resampler_validated_gives_caller_types():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    labels = pd.Series(["x", "y", "x", "y"], name="t")

    def drop_first(X, y):
        assert isinstance(X, torch.Tensor) and isinstance(y, torch.Tensor)
        return X[1:], y[1:]

    X_res, y_res = FunctionResampler(func=drop_first).fit_resample(frame, labels)
    assert isinstance(X_res, pd.DataFrame) and list(X_res["a"]) == [2.0, 3.0, 4.0]
    assert y_res.tolist() == ["y", "x", "y"] and y_res.name == "t"


def test_function_resampler_unvalidated_passes_through():
    seen = {}

    def spy(X, y, tag):
        seen["types"] = (type(X), type(y), tag)
        return X, y

    X, y = ["raw"], ["labels"]
    assert FunctionResampler(func=spy, kw_args={"tag": 1}, validate=False).fit_resample(X, y) == (
        X,
        y,
    )
    assert seen["types"] == (list, list, 1)


def test_function_resampler_identity_and_bad_params():
    X, y = torch.ones(3, 2), torch.tensor([0, 1, 1])
    X_res, y_res = FunctionResampler().fit_resample(X, y)
    assert torch.equal(X_res, X) and torch.equal(y_res, y)
    with pytest.raises(InvalidParameterError, match="func=3"):
        FunctionResampler(func=3).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="kw_args="):
        FunctionResampler(kw_args=[1]).fit_resample(X, y)


def test_star_args_init_refused():
    class Bad(ParamsMixin):
        def __init__(self, *args):
            self.args = args

    with pytest.raises(TypeError, match=r"must not take \*args"):
        Bad().get_params()


def test_callable_strategy_sees_and_returns_caller_labels():
    seen = {}

    def keep_two_of_majority(y):
        seen["labels"] = sorted(set(np.asarray(y).tolist()))
        return {"a": 2}

    X = np.zeros((9, 2))
    y = np.array(["a"] * 6 + ["b"] * 3)
    resampler = KeepFirstUnderSampler(sampling_strategy=keep_two_of_majority, generator=0)
    _, y_res = resampler.fit_resample(X, y)
    assert seen["labels"] == ["a", "b"]
    assert sorted(y_res.tolist()) == ["a", "a", "b", "b", "b"]


def test_strategy_errors_name_caller_labels():
    resampler = KeepFirstUnderSampler(sampling_strategy={"a": 50})
    with pytest.raises(InvalidParameterError, match="class 'a', which has only 6"):
        resampler.fit_resample(np.zeros((9, 2)), np.array(["a"] * 6 + ["b"] * 3))


def test_selected_dataframe_rows_keep_their_exact_values():
    # a frame of int64 and float columns goes through float64, which rounds int64 above 2**53;
    # rows a resampler selects are taken from the frame itself
    pd = pytest.importorskip("pandas")
    from torchbalance.over_sampling import RandomOverSampler
    from torchbalance.under_sampling import RandomUnderSampler, TomekLinks

    y = np.r_[np.zeros(15, dtype=int), np.ones(5, dtype=int)]
    frame = pd.DataFrame(
        {"id": np.arange(20, dtype=np.int64) + 2**53 + 1, "x": np.linspace(0, 1, 20)},
        index=np.arange(100, 120),
    )
    for resampler in (
        RandomUnderSampler(generator=0),
        RandomOverSampler(generator=0),
        TomekLinks(),
    ):
        X_res, y_res = resampler.fit_resample(frame, y)
        rows = resampler.sample_indices_.numpy()
        assert X_res["id"].tolist() == frame["id"].to_numpy()[rows].tolist()
        assert X_res.dtypes.tolist() == frame.dtypes.tolist()
        assert X_res.index.tolist() == list(range(len(rows)))  # reset, as before
        X_array, y_array = clone(resampler).fit_resample(frame.to_numpy(np.float64), y)
        assert np.array_equal(X_res["x"].to_numpy(), X_array[:, 1])  # the array path's rows
        assert np.array_equal(np.asarray(y_res), y_array)


@pytest.mark.parametrize(("nullable", "plain"), [("Int64", "int64"), ("boolean", "bool")])
def test_nullable_columns_take_new_rows_as_plain_columns_do(nullable, plain):
    pd = pytest.importorskip("pandas")
    from torchbalance.over_sampling import SMOTE

    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    values = rng.integers(0, 100 if plain == "int64" else 2, 40).astype(plain)
    frame = pd.DataFrame(
        {"x": rng.normal(size=40), "nullable": pd.array(values, dtype=nullable), "plain": values}
    )
    X_res, _ = SMOTE(generator=0).fit_resample(frame, y)
    assert str(X_res["nullable"].dtype) == nullable and len(X_res) == 60
    assert X_res["nullable"].astype(plain).tolist() == X_res["plain"].tolist()


def test_clone_leaves_a_fitted_estimator_parameter_unfitted_as_scikit_learn_does():
    from sklearn.linear_model import LogisticRegression

    from torchbalance.model_selection._validation import clone_estimator
    from torchbalance.pipeline import make_pipeline
    from torchbalance.under_sampling import InstanceHardnessThreshold, RandomUnderSampler

    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    fitted = LogisticRegression(C=0.5).fit(X, y)
    for twin in (
        clone(InstanceHardnessThreshold(estimator=fitted)).estimator,
        clone_estimator(InstanceHardnessThreshold(estimator=fitted)).estimator,
        clone(make_pipeline(RandomUnderSampler(), fitted))[-1],
    ):
        assert twin is not fitted and twin.C == 0.5 and not hasattr(twin, "coef_")


def test_clone_keeps_the_output_chosen_with_set_output():
    from torchbalance.anomaly import AnomalyScoreFeature

    feature = AnomalyScoreFeature().set_output(transform="pandas")
    assert clone(feature)._output() == "pandas"
    assert clone(AnomalyScoreFeature())._output() == "default"
