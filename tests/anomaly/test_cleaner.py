from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import IsolationForest

from torchbalance.anomaly import AnomalyCleaner, AutoencoderDetector, DeepSVDD
from torchbalance.exceptions import InvalidParameterError
from torchbalance.testing import resampler_checks

FAST_SVDD = DeepSVDD(epochs=5, batch_size=128)
RESAMPLERS = [
    AnomalyCleaner(detector=FAST_SVDD, contamination=0.1),
    AnomalyCleaner(detector=AutoencoderDetector(epochs=5), sampling_strategy="not minority"),
]

CASES = [
    pytest.param(check, id=f"{i}-{name}")
    for i, resampler in enumerate(RESAMPLERS)
    for name, check in resampler_checks(resampler)
]


@pytest.mark.parametrize("check", CASES)
def test_conformance(check):
    check()


def test_default_detector_conforms_to_the_params_contract():
    dict(resampler_checks(AnomalyCleaner()))["params"]()


@pytest.mark.parametrize("contamination", [0.0, 0.03, 0.1, 0.25])
def test_removes_exactly_the_most_anomalous_majority_rows(planted, contamination):
    X, y = planted(n=300, m=15)
    cleaner = AnomalyCleaner(detector=FAST_SVDD, contamination=contamination, generator=0)
    _X_res, y_res = cleaner.fit_resample(X, y)
    n_drop = math.floor(contamination * 300)
    assert cleaner.n_removed_ == {0: n_drop}
    assert int((y_res == 0).sum()) == 300 - n_drop
    assert int((y_res == 1).sum()) == 15  # the minority is never touched
    assert bool(torch.isnan(cleaner.anomaly_scores_[y == 1]).all())
    removed = torch.ones(len(y), dtype=torch.bool)
    removed[cleaner.sample_indices_] = False
    assert not bool(removed[y == 1].any())
    if n_drop:
        scores = cleaner.anomaly_scores_
        # every removed row scores at least as high as every kept majority row
        kept_majority = (~removed) & (y == 0)
        assert float(scores[removed].min()) >= float(scores[kept_majority].max())
    assert not hasattr(FAST_SVDD, "module_")  # the template detector is never fitted
    assert torch.equal(cleaner.sample_indices_, torch.sort(cleaner.sample_indices_).values)


def test_scores_come_from_a_detector_fitted_on_the_cleaned_class_alone(planted):
    X, y = planted(n=200, m=10)
    detector = DeepSVDD(epochs=5, batch_size=128, generator=7)  # seeded: used as given
    fitted = AnomalyCleaner(detector=detector, contamination=0.1)
    fitted.fit_resample(X, y)
    direct = DeepSVDD(epochs=5, batch_size=128, generator=7).fit(X[y == 0])
    assert torch.allclose(fitted.anomaly_scores_[y == 0], direct.score_samples(X[y == 0]))


def test_planted_majority_outliers_are_the_ones_removed():
    g = torch.Generator().manual_seed(0)
    X = torch.cat([torch.randn(200, 4, generator=g), 5 + torch.randn(20, 4, generator=g)])
    y = torch.tensor([0] * 200 + [1] * 20)
    # four majority rows pushed 8 standard deviations out, in random directions
    X[:4] += 8.0 * torch.nn.functional.normalize(torch.randn(4, 4, generator=g), dim=1)
    detector = AutoencoderDetector(epochs=20)
    cleaner = AnomalyCleaner(detector=detector, contamination=0.02, generator=0)
    cleaner.fit_resample(X, y)
    removed = set(range(220)) - set(cleaner.sample_indices_.tolist())
    assert removed == {0, 1, 2, 3}


def test_list_strategy_names_the_classes_and_other_classes_stay(planted):
    X, y = planted(n=120, m=30)
    y = y.clone()
    y[:40] = 2  # a third class
    cleaner = AnomalyCleaner(detector=FAST_SVDD, sampling_strategy=[1, 2], contamination=0.1)
    _, y_res = cleaner.set_params(generator=0).fit_resample(X, y)
    counts = {int(c): int((y == c).sum()) for c in (0, 1, 2)}
    assert int((y_res == 0).sum()) == counts[0]
    assert cleaner.n_removed_ == {1: math.floor(0.1 * counts[1]), 2: 4}


def test_scikit_learn_detector_and_sample_weight(planted):
    X, y = planted(n=200, m=10)
    cleaner = AnomalyCleaner(detector=IsolationForest(random_state=0), contamination=0.05)
    weights = np.arange(210, dtype=np.float64)
    _X_res, y_res, w_res = cleaner.fit_resample(X.numpy(), y.numpy(), sample_weight=weights)
    assert np.array_equal(w_res, weights[cleaner.sample_indices_.numpy()])
    forest = IsolationForest(random_state=0).fit(X.numpy()[y.numpy() == 0])
    expected = -forest.score_samples(X.numpy()[y.numpy() == 0])  # higher = more anomalous
    assert np.allclose(cleaner.anomaly_scores_[y == 0].numpy(), expected)
    assert len(y_res) == 210 - 10


def test_bad_parameters_are_refused_by_name(planted):
    X, y = planted(n=60, m=6)
    for params, name in [
        ({"contamination": 1.0}, "contamination"),
        ({"contamination": -0.1}, "contamination"),
        ({"sampling_strategy": 0.5}, "sampling_strategy"),
        ({"generator": "seed"}, "generator"),
    ]:
        with pytest.raises(InvalidParameterError, match=rf"AnomalyCleaner: {name}=.* is invalid"):
            AnomalyCleaner(**params).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="it lacks fit"):
        AnomalyCleaner(detector=[1, 2]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'minority' cannot be used"):
        AnomalyCleaner(sampling_strategy="minority").fit_resample(X, y)


class _DistanceToMean:
    """A cheap third-party detector (it gets NumPy arrays): squared distance to the training
    mean, higher = more anomalous."""

    def fit(self, X):
        self.mean_ = X.mean(0)
        return self

    def score_samples(self, X):
        return ((X - self.mean_) ** 2).sum(1)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=2, max_size=4),
    contamination=st.floats(0.0, 0.99),
    seed=st.integers(0, 2**16),
    which=st.sampled_from(["majority", "not minority", "all"]),
)
def test_any_detector_removes_floor_of_the_fraction_from_each_cleaned_class(
    sizes, contamination, seed, which
):
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.full((n,), c) for c, n in enumerate(sizes)])
    X = torch.randn(len(y), 3, generator=g, dtype=torch.float64)
    cleaner = AnomalyCleaner(
        detector=_DistanceToMean(), sampling_strategy=which, contamination=contamination
    )
    _, y_res = cleaner.fit_resample(X, y)
    for c, n in enumerate(sizes):
        kept = int((y_res == c).sum())
        if c in cleaner.sampling_strategy_:
            assert kept == n - math.floor(contamination * n)
            rows = torch.nonzero(y == c).reshape(-1)
            distance = (X[rows] - X[rows].mean(0)).pow(2).sum(1)
            keep = torch.isin(rows, cleaner.sample_indices_)
            if (~keep).any() and keep.any():
                assert float(distance[~keep].min()) >= float(distance[keep].max())
        else:
            assert kept == n
