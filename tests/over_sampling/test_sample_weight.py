"""sample_weight through resampling: kept rows keep their weight, synthetic rows inherit the
interpolation of their parents' weights (with the step of their features)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.base import FunctionResampler
from torchbalance.combine import SMOTEENN, SMOTETomek
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
)
from torchbalance.under_sampling import (
    ClusterCentroids,
    EditedNearestNeighbours,
    NearMiss,
    RandomUnderSampler,
    TomekLinks,
)


def _data(seed: int = 0, n: tuple[int, ...] = (120, 40, 25)) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.full((m,), c, dtype=torch.long) for c, m in enumerate(n)])
    X = torch.randn(len(y), 3, generator=g, dtype=torch.float64) + 0.8 * y[:, None]
    return X, y


def _affine_weight(X: torch.Tensor) -> torch.Tensor:
    """Positive weights linear in the features: interpolating rows interpolates these exactly."""
    return 10.0 + X[:, 0] - 0.5 * X[:, 1] + 0.25 * X[:, 2]


INTERPOLATING = [
    RandomOverSampler(generator=0),
    SMOTE(k_neighbors=3, generator=0),
    BorderlineSMOTE(kind="borderline-1", generator=0),
    BorderlineSMOTE(kind="borderline-2", generator=0),
    ADASYN(n_neighbors=3, generator=0),
    KMeansSMOTE(kmeans_estimator=2, cluster_balance_threshold=0.05, generator=0),
    SVMSMOTE(out_step=0.0, generator=0),
]


@pytest.mark.parametrize("sampler", INTERPOLATING, ids=lambda s: repr(s)[:40])
def test_synthetic_weights_follow_the_features_interpolation(sampler) -> None:
    X, y = _data()
    w = _affine_weight(X)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    X_plain, y_plain = sampler.fit_resample(X, y)
    assert torch.equal(X_res, X_plain) and torch.equal(y_res, y_plain)  # weights change nothing
    assert w_res.shape == y_res.shape and w_res.dtype == w.dtype
    assert torch.equal(w_res[: len(w)], w)
    assert len(y_res) > len(y)
    torch.testing.assert_close(w_res, _affine_weight(X_res), rtol=0, atol=1e-9)


def test_smotenc_interpolates_weights_with_the_continuous_columns() -> None:
    X, y = _data()
    X = torch.cat([X, (torch.arange(len(y)) % 3).double()[:, None]], 1)
    w = _affine_weight(X)  # uses the continuous columns only
    X_res, _, w_res = SMOTENC(categorical_features=[3], generator=0).fit_resample(
        X, y, sample_weight=w
    )
    torch.testing.assert_close(w_res, _affine_weight(X_res), rtol=0, atol=1e-9)


def test_svm_smote_extrapolated_rows_keep_their_parents_range() -> None:
    X, y = _data(1)
    w = torch.rand(len(y), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    sampler = SVMSMOTE(out_step=0.5, generator=0)
    _, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    new = w_res[len(w) :]
    assert new.numel() == len(y_res) - len(y)
    assert bool((new >= w.min()).all()) and bool((new <= w.max()).all())


@pytest.mark.parametrize(
    "sampler",
    [RandomOverSampler(shrinkage=0.5, generator=0), SMOTEN(generator=0)],
    ids=["ROSE", "SMOTEN"],
)
def test_jittered_or_voted_rows_keep_a_same_class_weight(sampler) -> None:
    X, y = _data()
    if isinstance(sampler, SMOTEN):
        X = torch.div(X - X.min(), 1.0, rounding_mode="floor")  # small integer categories
    w = torch.arange(len(y), dtype=torch.float64) + 1.0  # every weight distinct
    _, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    for weight, label in zip(w_res[len(w) :].tolist(), y_res[len(y) :].tolist(), strict=True):
        parent = int(weight) - 1
        assert weight == parent + 1.0 and int(y[parent]) == label


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(generator=0),
        NearMiss(version=1),
        TomekLinks(),
        EditedNearestNeighbours(),
    ],
    ids=lambda s: type(s).__name__,
)
def test_selection_keeps_each_rows_own_weight(sampler) -> None:
    X, y = _data()
    w = torch.rand(len(y), generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    _, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    assert torch.equal(w_res, w[sampler.sample_indices_])
    assert w_res.shape == y_res.shape


@pytest.mark.parametrize("hybrid", [SMOTEENN, SMOTETomek])
def test_hybrids_interpolate_then_select(hybrid) -> None:
    X, y = _data()
    X_res, _, w_res = hybrid(generator=0).fit_resample(X, y, sample_weight=_affine_weight(X))
    torch.testing.assert_close(w_res, _affine_weight(X_res), rtol=0, atol=1e-9)


def test_weights_come_back_in_the_callers_type() -> None:
    pd = pytest.importorskip("pandas")
    X, y = _data()
    w = _affine_weight(X)
    sampler = SMOTE(generator=0)
    *_, w_np = sampler.fit_resample(X.numpy(), y.numpy(), sample_weight=w.numpy())
    assert isinstance(w_np, np.ndarray) and w_np.dtype == np.float64
    *_, w_list = sampler.fit_resample(X.numpy(), y.numpy(), sample_weight=w.tolist())
    assert isinstance(w_list, np.ndarray)
    series = pd.Series(w.numpy(), name="w")
    *_, w_series = sampler.fit_resample(X.numpy(), y.numpy(), sample_weight=series)
    assert isinstance(w_series, pd.Series) and w_series.name == "w"
    *_, w_f32 = sampler.fit_resample(X, y, sample_weight=w.float())
    assert w_f32.dtype == torch.float32
    *_, w_int = sampler.fit_resample(X, y, sample_weight=torch.ones(len(y), dtype=torch.long))
    assert w_int.dtype == torch.float64 and bool((w_int == 1).all())


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (torch.ones(3), "shape"),
        (torch.ones(185, 1), "shape"),
        (-torch.ones(185), "negative"),
        (torch.full((185,), float("nan")), "NaN"),
        (["a"] * 185, "numbers"),
    ],
    ids=["short", "2-D", "negative", "nan", "text"],
)
def test_bad_weights_are_refused(weights, message) -> None:
    X, y = _data()
    with pytest.raises(DataValidationError, match=message):
        SMOTE(generator=0).fit_resample(X, y, sample_weight=weights)


def test_resamplers_without_parent_rows_refuse_weights() -> None:
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="sample_weight is not supported"):
        ClusterCentroids(generator=0).fit_resample(X, y, sample_weight=torch.ones(len(y)))
    with pytest.raises(InvalidParameterError, match="sample_weight is not supported"):
        FunctionResampler(func=lambda X, y: (X, y)).fit_resample(
            X, y, sample_weight=torch.ones(len(y))
        )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    minority=st.integers(6, 30),
    k=st.integers(1, 5),
)
def test_smote_weights_property(seed: int, minority: int, k: int) -> None:
    X, y = _data(seed, (60, minority))
    w = _affine_weight(X)
    X_res, _, w_res = SMOTE(k_neighbors=k, generator=seed).fit_resample(X, y, sample_weight=w)
    torch.testing.assert_close(w_res, _affine_weight(X_res), rtol=0, atol=1e-9)
