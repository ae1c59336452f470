from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import DataValidationError
from torchbalance.over_sampling import ADASYN

imb = pytest.importorskip("imblearn.over_sampling")


def _imblearn_counts(X: np.ndarray, y: np.ndarray, label: int, n: int, k: int) -> np.ndarray:
    """imbalanced-learn ADASYN's per-point generation counts, transcribed with sklearn kNN."""
    from sklearn.neighbors import NearestNeighbors

    X_class = X[y == label]
    nns = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X_class)[1][:, 1:]
    ratio = np.sum(y[nns] != label, axis=1) / k
    ratio /= ratio.sum()
    return np.rint(ratio * n).astype(int)


@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("strategy", ["auto", "all", {1: 70, 2: 40}])
def test_per_point_counts_and_totals_equal_imblearn(blobs, k, strategy):
    X, y = blobs((90, 30, 20), d=3)
    ours = ADASYN(n_neighbors=k, sampling_strategy=strategy, generator=0)
    _, y_ours = ours.fit_resample(X, y)
    _, y_theirs = imb.ADASYN(
        n_neighbors=k, sampling_strategy=strategy, random_state=0
    ).fit_resample(X.numpy(), y.numpy())
    assert np.bincount(y_ours.numpy()).tolist() == np.bincount(y_theirs).tolist()
    before = dict(enumerate(np.bincount(y.numpy()).tolist()))
    for label, n_gen in ours.sampling_strategy_.items():
        assert int((y_ours == label).sum()) == before[label] + n_gen
    requested = {1: 60, 2: 70} if strategy == "auto" else None
    if requested:
        for label, n in requested.items():
            expected = _imblearn_counts(X.numpy(), y.numpy(), label, n, k)
            assert np.array_equal(ours.n_samples_per_point_[label].numpy(), expected)


def test_harder_points_get_more_samples_and_samples_lie_on_segments(blobs, geometry):
    knn_pairs, segment_distance = geometry
    X, y = blobs((150, 40), d=2, shift=1.5)
    sampler = ADASYN(n_neighbors=4, generator=1)
    X_res, _ = sampler.fit_resample(X, y)
    counts = sampler.n_samples_per_point_[1].numpy()
    X_class = X[y == 1].numpy()
    starts, ends = knn_pairs(X_class, X_class, 4)
    dist, _ = segment_distance(X_res[len(y) :].numpy(), starts, ends)
    assert dist.max() < 1e-9
    from sklearn.neighbors import NearestNeighbors

    nns = NearestNeighbors(n_neighbors=5).fit(X.numpy()).kneighbors(X_class)[1][:, 1:]
    n_other = (y.numpy()[nns] != 1).sum(1)
    means = [counts[n_other == j].mean() for j in range(5) if (n_other == j).any()]
    assert means == sorted(means)  # generation count grows with the share of other classes


def test_no_other_class_neighbour_is_a_clear_error():
    X = torch.tensor([[0.0], [0.1], [0.2], [0.3], [10.0], [10.1], [10.2]])
    y = torch.tensor([0, 0, 0, 0, 1, 1, 1])
    with pytest.raises(DataValidationError, match="Use SMOTE"):
        ADASYN(n_neighbors=1).fit_resample(X, y)


def test_small_class_refused(blobs):
    X, y = blobs((30, 4))
    with pytest.raises(
        DataValidationError, match="n_neighbors=5 needs at least 6 samples in class 1"
    ):
        ADASYN().fit_resample(X, y)


def test_images_keep_shape_and_float16_kept():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(60, 1, 4, 4, generator=g).half()
    y = torch.tensor([0] * 45 + [1] * 15)
    X_res, _ = ADASYN(n_neighbors=3, generator=0).fit_resample(X, y)
    assert X_res.shape[1:] == (1, 4, 4) and X_res.dtype == torch.float16
