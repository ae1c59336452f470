"""Synthetic data with a planted outlier class, shared by the anomaly tests."""

from __future__ import annotations

import pytest
import torch


def make_planted(kind: str = "shift", n: int = 400, m: int = 20, d: int = 8, seed: int = 0):
    """``n`` normal rows near a 3-D linear subspace of R^d, plus ``m`` planted outliers (label 1).

    ``kind="shift"``: the outliers are the same structure moved away as a cluster;
    ``kind="offmanifold"``: each outlier has the normal marginal spread but its coordinates
    permuted, so it leaves the subspace (hard for axis-aligned methods).
    """
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(3, d, generator=g, dtype=torch.float64)
    normal = torch.randn(n, 3, generator=g, dtype=torch.float64) @ W
    normal += 0.1 * torch.randn(n, d, generator=g, dtype=torch.float64)
    source = torch.randn(m, 3, generator=g, dtype=torch.float64) @ W
    if kind == "offmanifold":
        outliers = source[:, torch.randperm(d, generator=g)]
    else:
        outliers = source + 2.0 * torch.randn(d, generator=g, dtype=torch.float64)
    outliers += 0.1 * torch.randn(m, d, generator=g, dtype=torch.float64)
    X = torch.cat([normal, outliers])
    y = torch.cat([torch.zeros(n, dtype=torch.int64), torch.ones(m, dtype=torch.int64)])
    order = torch.randperm(n + m, generator=g)
    return X[order], y[order]


@pytest.fixture
def planted():
    """The :func:`make_planted` data factory."""
    return make_planted
