"""Hart's condensed nearest neighbour and the one-sided selection step, on tensors."""

from __future__ import annotations

import torch

from ..neighbors import kneighbors
from ._cleaning import knn_vote

__all__ = ["condense", "one_sided_keep"]


def _sq_dist_to(points: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    diff = points.to(torch.float64) - p.to(torch.float64)
    return (diff * diff).sum(1)


def condense(
    X: torch.Tensor,
    y: torch.Tensor,
    store: torch.Tensor,
    candidates: torch.Tensor,
    n_neighbors: int = 1,
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """Hart's CNN: add to ``store`` every candidate the current store misclassifies.

    Candidates are visited in the given order; one that the ``n_neighbors``-NN vote over the
    current store (ties: the smallest label) gets wrong is added to the store, which can only
    make the vote for its class stronger, so one pass leaves every candidate that was *not*
    added classified correctly by the final store. Each addition updates every candidate's
    neighbour list in ``O(n_candidates * d)`` (float64 distances), so the work is one exact
    kNN search plus that per addition.

    Args:
        X: ``(n, d)`` floating tensor.
        y: ``(n,)`` int64 labels in ``0 .. C - 1``.
        store: int64 rows that start the store (e.g. the minority class and a seed).
        candidates: int64 rows to condense, all of one class.
        n_neighbors: ``k`` of the vote, ``<= len(store)``.

    Returns:
        int64 rows of ``candidates`` added to the store, in visiting order.

    References:
        P. Hart, "The condensed nearest neighbor rule", IEEE Trans. Information Theory 14(3),
        1968.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [10.0]])
        >>> y = torch.tensor([1, 0, 0, 0, 0])
        >>> condense(X, y, torch.tensor([0, 4]), torch.tensor([1, 2, 3])).tolist()
        [1]
    """
    device = X.device
    m = candidates.numel()
    if m == 0:
        return candidates.clone()
    n_classes = int(y.max()) + 1
    target = y.index_select(0, candidates)
    Xc = X.index_select(0, candidates)
    _, idx = kneighbors(
        X.index_select(0, store), n_neighbors, query=Xc, memory_budget=memory_budget
    )
    nd2 = _exact_sq(Xc, X.index_select(0, store), idx)
    nlab = y.index_select(0, store)[idx]
    wrong = knn_vote(nlab, n_classes) != target
    added: list[int] = []
    start = 0
    while True:
        hits = torch.nonzero(wrong[start:]).reshape(-1)
        if hits.numel() == 0:
            break
        j = start + int(hits[0])
        added.append(j)
        start = j + 1
        if start >= m:
            break
        # fold the new store point into every later candidate's k nearest
        d2 = _sq_dist_to(Xc[start:], Xc[j])
        closer = torch.nonzero(d2 < nd2[start:, -1]).reshape(-1)
        if closer.numel() == 0:
            continue
        r = closer + start
        merged_d2 = torch.cat([nd2[r], d2[closer, None]], 1)
        merged_lab = torch.cat([nlab[r], target[j].expand(r.numel(), 1)], 1)
        order = torch.sort(merged_d2, dim=1, stable=True).indices[:, :n_neighbors]
        nd2[r] = merged_d2.gather(1, order)
        nlab[r] = merged_lab.gather(1, order)
        wrong[r] = knn_vote(nlab[r], n_classes) != target[r]
    return candidates[torch.tensor(added, dtype=torch.int64, device=device)]


def _exact_sq(query: torch.Tensor, ref: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    r = ref.index_select(0, idx.reshape(-1)).to(torch.float64).view(*idx.shape, -1)
    diff = r - query.to(torch.float64)[:, None]
    return (diff * diff).sum(-1)


def one_sided_keep(
    X: torch.Tensor,
    y: torch.Tensor,
    store: torch.Tensor,
    candidates: torch.Tensor,
    n_neighbors: int = 1,
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """The condensing step of one-sided selection: candidates the store misclassifies.

    One ``n_neighbors``-NN vote (ties: the smallest label) of every candidate against the
    fixed ``store``; no store updates (Kubat & Matwin 1997, as imbalanced-learn).

    Returns:
        ``(len(candidates),)`` bool, ``True`` for misclassified candidates.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [10.0]])
        >>> y = torch.tensor([1, 0, 0, 0])
        >>> one_sided_keep(X, y, torch.tensor([0, 3]), torch.tensor([1, 2])).tolist()
        [True, True]
    """
    if candidates.numel() == 0:
        return torch.zeros(0, dtype=torch.bool, device=X.device)
    _, idx = kneighbors(
        X.index_select(0, store),
        n_neighbors,
        query=X.index_select(0, candidates),
        memory_budget=memory_budget,
    )
    n_classes = int(y.max()) + 1
    predicted = knn_vote(y.index_select(0, store)[idx], n_classes)
    return predicted != y.index_select(0, candidates)
