"""Oracles shared by the over-sampling tests (scikit-learn neighbours, segment geometry)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch


def segment_distance(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each point, the smallest distance to any segment ``[starts[p], ends[p]]`` (float64),
    and the position ``u`` along that best segment: returns ``(distance, u)`` stacked."""
    p = points[:, None, :].astype(np.float64)
    a = starts[None].astype(np.float64)
    b = ends[None].astype(np.float64)
    ab = b - a
    denom = np.maximum((ab * ab).sum(-1), 1e-300)
    u = np.clip(((p - a) * ab).sum(-1) / denom, 0.0, 1.0)
    closest = a + u[..., None] * ab
    dist = np.sqrt(((p - closest) ** 2).sum(-1))
    best = dist.argmin(1)
    rows = np.arange(points.shape[0])
    return np.stack([dist[rows, best], u[rows, best]])


def knn_pairs(X_ref: np.ndarray, X_query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) arrays of all (query, one of its k nearest in X_ref, self dropped) pairs."""
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=k + 1).fit(X_ref).kneighbors(X_query, return_distance=False)
    nn = nn[:, 1:]
    starts = np.repeat(X_query, k, axis=0)
    ends = X_ref[nn.reshape(-1)]
    return starts, ends


@pytest.fixture
def on_segments() -> Callable[..., np.ndarray]:
    """``check(new, X_ref, X_query, k)`` -> distance of each new sample to the nearest
    (query, kNN-in-X_ref) segment; asserts nothing itself."""

    def check(new: np.ndarray, X_ref: np.ndarray, X_query: np.ndarray, k: int) -> np.ndarray:
        starts, ends = knn_pairs(X_ref, X_query, k)
        return segment_distance(new, starts, ends)[0]

    return check


@pytest.fixture
def geometry() -> tuple[Callable[..., tuple[np.ndarray, np.ndarray]], Callable[..., np.ndarray]]:
    """``(knn_pairs, segment_distance)``."""
    return knn_pairs, segment_distance


@pytest.fixture
def blobs() -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """``make(counts, d=4, shift=1.0, seed=0, dtype=float64)`` overlapping Gaussian classes."""

    def make(
        counts: tuple[int, ...] = (60, 20),
        d: int = 4,
        shift: float = 1.0,
        seed: int = 0,
        dtype: torch.dtype = torch.float64,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        g = torch.Generator().manual_seed(seed)
        y = torch.cat([torch.full((n,), c) for c, n in enumerate(counts)])
        X = torch.randn(len(y), d, generator=g, dtype=torch.float64) + shift * y[:, None]
        perm = torch.randperm(len(y), generator=g)
        return X[perm].to(dtype), y[perm]

    return make
