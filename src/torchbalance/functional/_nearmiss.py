"""NearMiss-1/2/3 (Mani & Zhang 2003) on tensors, as imbalanced-learn computes them.

Distances that decide the selection are recomputed in float64 from the points (difference,
then sum of squares), so the ranking does not depend on the input precision.
"""

from __future__ import annotations

import math

import torch

from ..neighbors import kneighbors, nearest_distance_lower_bounds

__all__ = [
    "farthest_distance_sums",
    "nearmiss_select",
    "neighbour_distance_sums",
    "smallest_neighbour_distance_sums",
]

_DEFAULT_BUDGET = 64 * 2**20
# Fewest rows summed exactly at a time by smallest_neighbour_distance_sums.
_MIN_BATCH = 1024


def _exact_distances(query: torch.Tensor, ref: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """float64 distances ``||query[i] - ref[idx[i, j]]||``, ``(m, k)``, in row chunks."""
    m, k = idx.shape
    out = torch.empty((m, k), dtype=torch.float64, device=query.device)
    step = max(1, (16 * 2**20) // max(1, k * ref.shape[1] * 8))
    for s in range(0, m, step):
        q = query[s : s + step].to(torch.float64)
        r = ref.index_select(0, idx[s : s + step].reshape(-1)).to(torch.float64)
        diff = r.view(q.shape[0], k, -1) - q[:, None]
        out[s : s + step] = (diff * diff).sum(-1).sqrt()
    return out


def neighbour_distance_sums(
    query: torch.Tensor, ref: torch.Tensor, n_neighbors: int, *, memory_budget: int | None = None
) -> torch.Tensor:
    """Sum of the distances of each query point to its ``n_neighbors`` nearest ``ref`` points.

    Returns:
        ``(m,)`` float64.

    Example:
        >>> ref = torch.tensor([[0.0], [1.0], [4.0]])
        >>> neighbour_distance_sums(torch.tensor([[0.5], [3.0]]), ref, 2).tolist()
        [1.0, 3.0]
    """
    _, idx = kneighbors(ref, n_neighbors, query=query, memory_budget=memory_budget)
    return _exact_distances(query, ref, idx).sum(1)


def smallest_neighbour_distance_sums(
    query: torch.Tensor,
    ref: torch.Tensor,
    n_neighbors: int,
    n_samples: int,
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """The ``n_samples`` query rows with the smallest :func:`neighbour_distance_sums`, in order
    (ties by the lower row), the same rows as sorting every row's sum, but summing exactly only
    the rows that can be among them.

    A row's sum is at least ``n_neighbors`` times its distance to the nearest ``ref`` point,
    and :func:`~torchbalance.neighbors.nearest_distance_lower_bounds` bounds that from below for
    every row in one GEMM pass. Rows are summed exactly in increasing order of that bound, a
    batch at a time, until the next row's bound exceeds the ``n_samples``-th smallest sum so
    far: every row left has a larger sum, so none of them can be kept. On 5% minority data
    most rows are ruled out this way, which saves the exact neighbour search on them. When the
    first batch would hold half the rows or more, every row is summed without the bound.

    Returns:
        int64 ``(min(n_samples, m),)`` row numbers into ``query``.

    Example:
        >>> ref = torch.tensor([[0.0], [1.0], [4.0]])
        >>> query = torch.tensor([[9.0], [0.5], [3.0], [0.6]])
        >>> smallest_neighbour_distance_sums(query, ref, 2, 2).tolist()
        [1, 3]
    """
    m = query.shape[0]
    if n_samples <= 0:
        return torch.empty(0, dtype=torch.int64, device=query.device)
    batch = max(n_samples // 4, _MIN_BATCH)
    if 2 * (n_samples + batch) > m:  # the first batch alone would be half the rows or more
        sums = neighbour_distance_sums(query, ref, n_neighbors, memory_budget=memory_budget)
        return torch.sort(sums, stable=True).indices[:n_samples]
    nearest = nearest_distance_lower_bounds(ref, query, memory_budget=memory_budget)
    # a float64 sum of n_neighbors distances is within a relative (k + 1) 2**-53 of its terms'
    bound = nearest * (n_neighbors * (1.0 - (n_neighbors + 1) * 2.0**-52))
    order = torch.sort(bound, stable=True).indices
    sums = torch.full((m,), math.inf, dtype=torch.float64, device=query.device)
    done, size = 0, n_samples + batch
    while done < m:
        rows = order[done : done + size]
        sums[rows] = neighbour_distance_sums(
            query.index_select(0, rows), ref, n_neighbors, memory_budget=memory_budget
        )
        done += rows.numel()
        # the n-th smallest; topk, not kthvalue, which CUDA's deterministic mode refuses
        threshold = torch.topk(sums, n_samples, largest=False, sorted=False).values.max()
        if done < m and float(bound[order[done]]) > float(threshold):
            break
        size = batch
    return torch.sort(sums, stable=True).indices[:n_samples]


def farthest_distance_sums(
    query: torch.Tensor,
    ref: torch.Tensor,
    n_neighbors: int,
    *,
    memory_budget: int = _DEFAULT_BUDGET,
) -> torch.Tensor:
    """Sum of the distances of each query point to its ``n_neighbors`` *farthest* ``ref`` points.

    Squared distances are scored in float64 tiles of query rows (centred on the mean of
    ``ref``), the farthest ``n_neighbors`` picked per row, and their distances recomputed
    exactly; no ``(m, n)`` matrix larger than ``memory_budget`` bytes is built.

    Returns:
        ``(m,)`` float64.

    Example:
        >>> ref = torch.tensor([[0.0], [1.0], [4.0]])
        >>> farthest_distance_sums(torch.tensor([[0.5], [3.0]]), ref, 2).tolist()
        [4.0, 5.0]
    """
    ref64 = ref.to(torch.float64)
    mu = ref64.mean(0)
    R = ref64 - mu
    norms = (R * R).sum(1)
    n = ref.shape[0]
    rows = max(1, memory_budget // max(1, 8 * n * 2))
    out = torch.empty(query.shape[0], dtype=torch.float64, device=query.device)
    for s in range(0, query.shape[0], rows):
        q = query[s : s + rows].to(torch.float64) - mu
        scores = torch.addmm(norms, q, R.T, alpha=-2.0)  # ||r||² - 2 q·r (+ ||q||², constant)
        idx = torch.topk(scores, n_neighbors, dim=1).indices
        out[s : s + rows] = _exact_distances(query[s : s + rows], ref, idx).sum(1)
    return out


def nearmiss_select(
    X_class: torch.Tensor,
    X_minority: torch.Tensor,
    n_samples: int,
    *,
    version: int = 1,
    n_neighbors: int = 3,
    n_neighbors_ver3: int = 3,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """Rows of ``X_class`` that NearMiss keeps (in imbalanced-learn's order).

    * version 1: the ``n_samples`` rows with the smallest mean distance to their
      ``n_neighbors`` nearest minority samples;
    * version 2: smallest mean distance to their ``n_neighbors`` farthest minority samples;
    * version 3: among the rows that are one of the ``n_neighbors_ver3`` nearest class rows
      of some minority sample, those with the *largest* mean distance to their
      ``n_neighbors`` nearest minority samples (fewer than ``n_samples`` when not enough rows
      qualify).

    Ties in the mean distance are broken by the lower row number (a stable sort).

    Args:
        X_class: ``(n_c, d)`` floating rows of the class to under-sample.
        X_minority: ``(n_min, d)`` rows of the minority class.
        n_samples: Rows to keep.

    Returns:
        int64 row numbers into ``X_class``.

    References:
        I. Mani, I. Zhang, "kNN approach to unbalanced data distributions: a case study
        involving information extraction", ICML workshop on learning from imbalanced
        datasets, 2003.

    Example:
        >>> X_class = torch.tensor([[0.0], [1.0], [2.0], [9.0]])
        >>> nearmiss_select(X_class, torch.tensor([[1.2], [2.5]]), 2, n_neighbors=1).tolist()
        [1, 2]
    """
    if version == 1:
        return smallest_neighbour_distance_sums(
            X_class, X_minority, n_neighbors, n_samples, memory_budget=memory_budget
        )
    candidates = None
    if version == 2:
        sums = farthest_distance_sums(X_class, X_minority, n_neighbors)
    else:
        _, idx = kneighbors(
            X_class, n_neighbors_ver3, query=X_minority, memory_budget=memory_budget
        )
        candidates = torch.unique(idx.reshape(-1))
        sums = neighbour_distance_sums(
            X_class.index_select(0, candidates),
            X_minority,
            n_neighbors,
            memory_budget=memory_budget,
        )
    order = torch.sort(sums, descending=version == 3, stable=True).indices[:n_samples]
    return order if candidates is None else candidates[order]
