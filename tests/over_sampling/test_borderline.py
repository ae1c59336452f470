from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.functional._smote import danger_noise_mask
from torchbalance.over_sampling import BorderlineSMOTE

imb = pytest.importorskip("imblearn.over_sampling")


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
@pytest.mark.parametrize("m", [4, 10])
def test_danger_set_equals_imblearn(blobs, kind, m):
    X, y = blobs((120, 40, 25), d=3)
    ours = BorderlineSMOTE(kind=kind, m_neighbors=m, generator=0)
    ours.fit_resample(X, y)
    theirs = imb.BorderlineSMOTE(kind=kind, m_neighbors=m, random_state=0)
    _, y_theirs = theirs.fit_resample(X.numpy(), y.numpy())
    assert set(ours.in_danger_indices_) == set(theirs.in_danger_indices)
    for label, rows in theirs.in_danger_indices.items():
        assert np.array_equal(np.sort(ours.in_danger_indices_[label].numpy()), np.sort(rows))
    assert sum(ours.sampling_strategy_.values()) == len(y_theirs) - len(y)


def test_danger_and_noise_follow_the_definition():
    from sklearn.neighbors import NearestNeighbors

    g = torch.Generator().manual_seed(2)
    X = torch.randn(200, 2, generator=g, dtype=torch.float64)
    y = (torch.rand(200, generator=g) < 0.3).long()
    rows = torch.nonzero(y == 1).reshape(-1)
    danger, noise = danger_noise_mask(X, y, rows, 1, 6)
    nn = NearestNeighbors(n_neighbors=7).fit(X.numpy()).kneighbors(X[rows].numpy())[1][:, 1:]
    n_other = (y.numpy()[nn] != 1).sum(1)
    assert np.array_equal(danger.numpy(), (n_other >= 3) & (n_other < 6))
    assert np.array_equal(noise.numpy(), n_other == 6)


def test_borderline1_samples_lie_between_danger_points_and_class_neighbours(blobs, on_segments):
    X, y = blobs((150, 40), d=3)
    sampler = BorderlineSMOTE(k_neighbors=4, generator=3)
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res[len(y) :].numpy()
    assert len(new) == 110 and bool((y_res[len(y) :] == 1).all())
    danger = X[sampler.in_danger_indices_[1]].numpy()
    dist = on_segments(new, X[y == 1].numpy(), danger, 4)
    assert dist.max() < 1e-9


def test_borderline2_samples_reach_other_classes_only_half_way(blobs, geometry):
    knn_pairs, segment_distance = geometry

    X, y = blobs((150, 40), d=2)
    sampler = BorderlineSMOTE(kind="borderline-2", k_neighbors=5, generator=0)
    X_res, _ = sampler.fit_resample(X, y)
    new = X_res[len(y) :].numpy()
    danger = X[sampler.in_danger_indices_[1]].numpy()
    starts, ends = knn_pairs(X.numpy(), danger, 5)
    dist, _ = segment_distance(new, starts, ends)
    assert dist.max() < 1e-9
    # samples near a majority neighbour never pass the midpoint of that segment
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=6).fit(X.numpy()).kneighbors(danger)[1][:, 1:]
    end_class = y.numpy()[nn.reshape(-1)]
    p = new[:, None, :]
    ab = ends - starts
    u = ((p - starts) * ab).sum(-1) / (ab * ab).sum(-1)
    closest = starts + np.clip(u, 0, 1)[..., None] * ab
    on = np.sqrt(((p - closest) ** 2).sum(-1)) < 1e-9
    to_majority = on & (end_class[None] == 0)
    # a sample on a segment towards the majority is at u < 0.5 of that segment
    only_majority = to_majority.any(1) & ~(on & (end_class[None] == 1)).any(1)
    assert only_majority.sum() > 0
    assert np.all(u[to_majority & only_majority[:, None]] < 0.5 + 1e-9)


def test_no_danger_point_generates_nothing_like_imblearn():
    X = torch.tensor([[0.0], [0.1], [0.2], [0.3], [10.0], [10.1], [10.2]])
    y = torch.tensor([0, 0, 0, 0, 1, 1, 1])
    sampler = BorderlineSMOTE(k_neighbors=1, m_neighbors=2, generator=0)
    _, y_res = sampler.fit_resample(X, y)
    theirs = imb.BorderlineSMOTE(k_neighbors=1, m_neighbors=2, random_state=0)
    _, y_theirs = theirs.fit_resample(X.numpy(), y.numpy())
    assert len(y_res) == len(y_theirs) == 7 and sampler.sampling_strategy_ == {1: 0}


def test_parameters_and_small_classes_refused(blobs):
    X, y = blobs((30, 5))
    with pytest.raises(InvalidParameterError, match="kind='borderline-3' is invalid"):
        BorderlineSMOTE(kind="borderline-3").fit_resample(X, y)
    with pytest.raises(DataValidationError, match="class 1, which has 5"):
        BorderlineSMOTE(k_neighbors=5).fit_resample(X, y)
    with pytest.raises(DataValidationError, match="m_neighbors=40 needs at least 41"):
        BorderlineSMOTE(k_neighbors=2, m_neighbors=40).fit_resample(X, y)


def test_images_keep_shape():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(60, 2, 3, 3, generator=g)
    y = torch.tensor([0] * 45 + [1] * 15)
    X_res, y_res = BorderlineSMOTE(k_neighbors=3, m_neighbors=5, generator=0).fit_resample(X, y)
    assert X_res.shape[1:] == (2, 3, 3) and X_res.shape[0] == y_res.shape[0]
