"""NearMiss-1's pruned selection: the same rows as summing every row, far fewer rows summed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.functional import _nearmiss
from torchbalance.functional._nearmiss import (
    neighbour_distance_sums,
    smallest_neighbour_distance_sums,
)


def every_row_sorted(query, ref, k, n_samples):
    sums = neighbour_distance_sums(query, ref, k)
    return torch.sort(sums, stable=True).indices[:n_samples]


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    m=st.integers(1, 120),
    n=st.integers(1, 12),
    d=st.integers(1, 4),
    grid=st.booleans(),
    data=st.data(),
)
def test_same_rows_as_sorting_every_sum(seed, m, n, d, grid, data):
    """Ties included (integer grids), with batches of a few rows so that the pruning and the
    stop rule are exercised on small problems."""
    k = data.draw(st.integers(1, n))
    n_samples = data.draw(st.integers(0, m + 2))
    batch = data.draw(st.integers(1, 8))
    g = torch.Generator().manual_seed(seed)
    if grid:
        query = torch.randint(-3, 4, (m, d), generator=g).double()
        ref = torch.randint(-3, 4, (n, d), generator=g).double()
    else:
        query = torch.randn(m, d, generator=g, dtype=torch.float64)
        ref = torch.randn(n, d, generator=g, dtype=torch.float64) + 1.0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_nearmiss, "_MIN_BATCH", batch)
        got = smallest_neighbour_distance_sums(query, ref, k, n_samples)
    assert torch.equal(got, every_row_sorted(query, ref, k, n_samples))


def test_most_rows_are_never_summed(monkeypatch):
    g = torch.Generator().manual_seed(0)
    query = torch.randn(20000, 16, generator=g)
    ref = torch.randn(1000, 16, generator=g) + 0.75
    summed = []

    def counting(q, r, k, **kwargs):
        summed.append(q.shape[0])
        return neighbour_distance_sums(q, r, k, **kwargs)

    monkeypatch.setattr(_nearmiss, "neighbour_distance_sums", counting)
    got = smallest_neighbour_distance_sums(query, ref, 3, 1000)
    monkeypatch.undo()
    assert torch.equal(got, every_row_sorted(query, ref, 3, 1000))
    assert sum(summed) < 0.5 * query.shape[0]


def test_same_indices_as_imblearn_when_pruning():
    iu = pytest.importorskip("imblearn.under_sampling")
    from torchbalance.under_sampling import NearMiss

    rng = np.random.default_rng(4)
    n = 12000
    y = (np.arange(n) < n // 20).astype(np.int64)
    X = rng.standard_normal((n, 8)).astype(np.float32)
    X[y == 1] += 0.75
    peer = iu.NearMiss(version=1)
    peer.fit_resample(X, y)
    ours = NearMiss(version=1)
    ours.fit_resample(torch.from_numpy(X), torch.from_numpy(y))
    assert sorted(ours.sample_indices_.tolist()) == sorted(peer.sample_indices_.tolist())


KEEL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "keel"


@pytest.mark.parametrize("name", ["cleveland-0_vs_4", "ecoli1", "glass0", "yeast-0-5-6-7-9_vs_4"])
def test_same_indices_as_imblearn_on_keel_when_pruning(name, monkeypatch):
    """Real data (the parity tests' tie-free KEEL sets) with batches of 4 rows, so that most
    rows are ruled out by their bound rather than summed."""
    path = KEEL / f"{name}.csv"
    if not path.exists():
        pytest.skip(f"KEEL data set {path} is not available")
    pd = pytest.importorskip("pandas")
    iu = pytest.importorskip("imblearn.under_sampling")
    from torchbalance.under_sampling import NearMiss

    frame = pd.read_csv(path)
    y = frame.pop("label").to_numpy().astype(np.int64)
    X = frame.to_numpy(dtype=np.float64)
    peer = iu.NearMiss(version=1)
    peer.fit_resample(X, y)
    monkeypatch.setattr(_nearmiss, "_MIN_BATCH", 4)
    ours = NearMiss(version=1)
    ours.fit_resample(torch.from_numpy(X), torch.from_numpy(y))
    assert sorted(ours.sample_indices_.tolist()) == sorted(peer.sample_indices_.tolist())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_selects_the_same_rows_as_cpu():
    g = torch.Generator().manual_seed(5)
    query = torch.randn(30000, 12, generator=g)
    ref = torch.randn(1500, 12, generator=g) + 0.75
    cpu = smallest_neighbour_distance_sums(query, ref, 3, 1500)
    cuda = smallest_neighbour_distance_sums(query.cuda(), ref.cuda(), 3, 1500)
    assert cuda.device.type == "cuda"
    assert torch.equal(cuda.cpu(), cpu)
