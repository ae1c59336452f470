import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.augment import GaussianNoiseOverSampler
from torchbalance.exceptions import InvalidParameterError
from torchbalance.testing import check_params_contract, check_resampler


def test_check_resampler():
    check_resampler(GaussianNoiseOverSampler(generator=0))
    check_params_contract(GaussianNoiseOverSampler(noise_scale=0.3))


def test_noise_scale_per_feature_matches():
    g = torch.Generator().manual_seed(0)
    X0 = torch.randn(500, 3, generator=g, dtype=torch.float64) * torch.tensor([1.0, 5.0, 0.1])
    X1 = torch.randn(10, 3, generator=g, dtype=torch.float64) * torch.tensor([2.0, 0.5, 3.0])
    X, y = torch.cat([X0, X1]), torch.tensor([0] * 500 + [1] * 10)
    sampler = GaussianNoiseOverSampler(noise_scale=0.2, generator=1)
    X_res, _y_res = sampler.fit_resample(X, y)
    expected = 0.2 * X1.std(dim=0)
    assert torch.allclose(sampler.scale_[1], expected)
    new = X_res[510:]
    # each new row is a class-1 row plus noise: the residual to its nearest parent has the scale
    residual = new - X1[torch.cdist(new / expected, X1 / expected).argmin(1)]
    ratio = residual.std(dim=0) / expected
    assert torch.all((ratio > 0.9) & (ratio < 1.1)), ratio
    assert torch.equal(X_res[:510], X)


def test_nd_keeps_shape_and_zero_noise_is_copies():
    X = torch.rand(12, 2, 4, 4)
    y = torch.tensor([0] * 9 + [1] * 3)
    X_res, y_res = GaussianNoiseOverSampler(noise_scale=0.0, generator=0).fit_resample(X, y)
    assert X_res.shape == (18, 2, 4, 4)
    assert torch.bincount(y_res).tolist() == [9, 9]
    for row in X_res[12:]:
        assert any(torch.equal(row, parent) for parent in X[9:])


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 8), st.integers(1, 5), st.floats(0.0, 2.0))
def test_counts_and_reproducible(n_minority, n_features, scale):
    X = torch.randn(20 + n_minority, n_features)
    y = torch.tensor([0] * 20 + [1] * n_minority)
    a = GaussianNoiseOverSampler(noise_scale=scale, generator=5).fit_resample(X, y)
    b = GaussianNoiseOverSampler(noise_scale=scale, generator=5).fit_resample(X, y)
    assert torch.equal(a[0], b[0])
    assert torch.bincount(a[1]).tolist() == [20, 20]


def test_bad_params_and_int_features_refused():
    X, y = torch.randn(6, 2), torch.tensor([0, 0, 0, 0, 1, 1])
    with pytest.raises(InvalidParameterError, match=r"noise_scale=-1.0 is invalid; it must be"):
        GaussianNoiseOverSampler(noise_scale=-1.0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="floating-point"):
        GaussianNoiseOverSampler().fit_resample(torch.ones(6, 2, dtype=torch.int64), y)
