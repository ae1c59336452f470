from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import InvalidParameterError
from torchbalance.functional._smote import smoothed_bootstrap
from torchbalance.over_sampling import RandomOverSampler

imb = pytest.importorskip("imblearn.over_sampling")


@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "not majority", "all", {1: 40, 2: 50}, 0.0]
)
def test_counts_equal_imblearn(blobs, strategy):
    counts = (50, 20, 10) if strategy != 0.0 else (50, 20)
    strategy = 0.6 if strategy == 0.0 else strategy
    X, y = blobs(counts)
    _, ours = RandomOverSampler(sampling_strategy=strategy, generator=0).fit_resample(X, y)
    _, theirs = imb.RandomOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(
        X.numpy(), y.numpy()
    )
    assert np.bincount(ours.numpy()).tolist() == np.bincount(theirs).tolist()


def test_bootstrap_rows_come_from_their_class(blobs):
    X, y = blobs((50, 20, 10))
    sampler = RandomOverSampler(generator=0)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    assert torch.equal(X[idx], X_res) and torch.equal(y[idx], y_res)
    assert torch.equal(idx[: len(y)], torch.arange(len(y)))
    # every member of a small class is drawn about equally often
    drawn = torch.bincount(idx[len(y) :], minlength=len(y))[y == 2]
    assert int(drawn.sum()) == 40 and int((drawn > 0).sum()) >= 8


def test_smoothed_bootstrap_equals_imblearn_formula():
    g = torch.Generator().manual_seed(0)
    X_class = torch.randn(30, 3, generator=g, dtype=torch.float64) * torch.tensor([1.0, 5.0, 0.1])
    picks = torch.randint(0, 30, (200,), generator=g)
    out = smoothed_bootstrap(X_class, picks, 0.7, 100, generator=torch.Generator().manual_seed(9))
    noise = torch.randn((200, 3), generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    n_features, n_samples = 3, 100
    constant = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
    scale = 0.7 * constant * np.std(X_class.numpy(), axis=0)
    expected = noise.numpy() @ np.diagflat(scale) + X_class.numpy()[picks.numpy()]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_shrinkage_adds_noise_of_the_expected_width(blobs):
    X, y = blobs((4000, 200), d=2)
    X_res, _ = RandomOverSampler(shrinkage=2.0, generator=0).fit_resample(X, y)
    assert not hasattr(RandomOverSampler(shrinkage=2.0), "sample_indices_")
    new = X_res[len(y) :]
    cls = X[y == 1]
    d, n = 2, len(y)
    width = 2.0 * (4 / ((d + 2) * n)) ** (1 / (d + 4)) * cls.std(0, unbiased=False)
    expected_var = cls.var(0, unbiased=False) + width**2
    torch.testing.assert_close(new.var(0), expected_var, rtol=0.08, atol=0)


def test_shrinkage_dict_and_errors(blobs):
    X, y = blobs((50, 20, 10))
    sampler = RandomOverSampler(shrinkage={1: 0.5, 2: 0.0}, generator=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.shrinkage_ == {1: 0.5, 2: 0.0}
    # shrinkage 0: a plain bootstrap, every new class-2 row equals some class-2 row
    new2 = X_res[len(y) :][y_res[len(y) :] == 2]
    assert bool(
        (
            torch.cdist(new2, X[y == 2], compute_mode="donot_use_mm_for_euclid_dist").min(1).values
            == 0
        ).all()
    )
    with pytest.raises(InvalidParameterError, match=r"missing \[2\]"):
        RandomOverSampler(shrinkage={1: 0.5}).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="must be >= 0"):
        RandomOverSampler(shrinkage={1: 0.5, 2: -1.0}).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="shrinkage=-1.0 is invalid"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="floating-point"):
        RandomOverSampler(shrinkage=1.0).fit_resample(X.long(), y)


def test_nd_input_and_one_sample_classes_work():
    X = torch.rand(7, 2, 3, 3)
    y = torch.tensor([0, 0, 0, 0, 0, 1, 2])
    X_res, y_res = RandomOverSampler(generator=0).fit_resample(X, y)
    assert X_res.shape == (15, 2, 3, 3)
    assert bool((X_res[7:][y_res[7:] == 1] == X[5]).all())
