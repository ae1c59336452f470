from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from torchbalance.exceptions import DataValidationError
from torchbalance.functional._smote import cluster_sparsity
from torchbalance.over_sampling import KMeansSMOTE


def _two_groups(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.tensor([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0], [8.0, 8.0]], dtype=torch.float64)
    X = torch.cat([torch.randn(50, 2, generator=g, dtype=torch.float64) + c for c in centers])
    y = torch.zeros(200, dtype=torch.long)
    y[torch.tensor([*range(0, 20), *range(150, 165)])] = 1  # minority in clusters 0 and 3
    return X, y


def test_sparsity_matches_the_paper_formula():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(17, 3, generator=g, dtype=torch.float64)
    from sklearn.metrics import pairwise_distances

    dist = pairwise_distances(X.numpy())
    mean = dist.sum() / (17 * 17 - 17)
    exponent = math.log(17, 1.6) ** 1.8 * 0.16
    assert cluster_sparsity(X) == pytest.approx(mean**exponent / 17, rel=1e-10)
    assert cluster_sparsity(X, 2.0) == pytest.approx(mean**2 / 17, rel=1e-10)


def test_new_samples_stay_inside_clusters_and_counts_are_recorded(geometry):
    knn_pairs, segment_distance = geometry
    X, y = _two_groups()
    sampler = KMeansSMOTE(
        kmeans_estimator=4, k_neighbors=2, cluster_balance_threshold=0.2, generator=0
    )
    X_res, y_res = sampler.fit_resample(X, y)
    n_new = sampler.sampling_strategy_[1]
    assert n_new in (130, 131) and int((y_res == 1).sum()) == 35 + n_new
    new = X_res[200:].numpy()
    clusters = sampler.cluster_labels_
    starts, ends = [], []
    for c in clusters.unique().tolist():
        members = X[(clusters == c) & (y == 1)].numpy()
        if len(members) >= 3:
            s, e = knn_pairs(members, members, 2)
            starts.append(s)
            ends.append(e)
    dist, _ = segment_distance(new, np.vstack(starts), np.vstack(ends))
    assert dist.max() < 1e-9
    # each cluster receives ceil(n * sparsity / total sparsity) samples
    near_first = (np.linalg.norm(new - [0.0, 0.0], axis=1) < 4).sum()
    near_last = (np.linalg.norm(new - [8.0, 8.0], axis=1) < 4).sum()
    s0, s1 = cluster_sparsity(X[0:20]), cluster_sparsity(X[150:165])
    assert near_first == math.ceil(130 * s0 / (s0 + s1))
    assert near_last == math.ceil(130 * s1 / (s0 + s1))


def test_no_qualifying_cluster_is_a_clear_error():
    X, y = _two_groups()
    with pytest.raises(DataValidationError, match="cluster_balance_threshold"):
        KMeansSMOTE(kmeans_estimator=4, cluster_balance_threshold=0.9, generator=0).fit_resample(
            X, y
        )
    with pytest.raises(DataValidationError, match="Use fewer clusters"):
        KMeansSMOTE(kmeans_estimator=500).fit_resample(X, y)


def test_single_cluster_is_plain_smote_on_the_class():
    X, y = _two_groups()
    sampler = KMeansSMOTE(kmeans_estimator=1, generator=0)
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {1: 130} and int((y_res == 1).sum()) == 165


@pytest.mark.parametrize("density_exponent", ["auto", -1.0])
def test_clusters_of_copies_share_the_new_samples_evenly(density_exponent):
    from torchbalance.over_sampling import KMeansSMOTE

    g = torch.Generator().manual_seed(0)
    X = torch.cat([torch.randn(40, 2, generator=g), torch.full((10, 2), 3.0)])
    y = torch.tensor([0] * 40 + [1] * 10)
    sampler = KMeansSMOTE(kmeans_estimator=2, density_exponent=density_exponent, generator=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert torch.bincount(y_res).tolist() == [40, 40]
    assert torch.equal(X_res[y_res == 1], torch.full((40, 2), 3.0))  # copies stay copies
