"""Neighbourhood cleaning rules on tensors: Tomek links, edited nearest neighbours, kNN votes.

Pure functions shared by :mod:`torchbalance.under_sampling` and :mod:`torchbalance.combine`.
Every neighbour search goes through :func:`torchbalance.neighbors.kneighbors` (exact, bounded
memory, any device). Labels are int64 tensors; features a 2-D floating tensor.
"""

from __future__ import annotations

import torch

from ..neighbors import kneighbors

__all__ = [
    "edited_keep_mask",
    "knn_vote",
    "neighbourhood_cleaning_mask",
    "neighbours_excluding_self",
    "tomek_link_mask",
]


def neighbours_excluding_self(
    X: torch.Tensor,
    n_neighbors: int,
    rows: torch.Tensor | None = None,
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """Indices of the ``n_neighbors`` nearest *other* points of ``X[rows]`` among ``X``.

    A point never counts as its own neighbour; its exact duplicates do (as
    ``kneighbors(..., exclude_self=True)``). Equal distances are ordered by the lower index.

    Args:
        X: ``(n, d)`` floating tensor.
        n_neighbors: ``k``, at most ``n - 1``.
        rows: ``(m,)`` int64 row numbers to query; ``None`` queries every row.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(m, k)`` int64 indices into ``X``, nearest first.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
        >>> neighbours_excluding_self(X, 1, torch.tensor([2, 3])).tolist()
        [[1], [2]]
    """
    # k + 1 neighbours without exclusion, then the point itself dropped (faster here than
    # kneighbors(exclude_self=True), and the same answer)
    if rows is None:
        rows = torch.arange(X.shape[0], device=X.device)
        _, idx = kneighbors(X, n_neighbors + 1, memory_budget=memory_budget)
    elif rows.numel() == 0:
        return torch.empty((0, n_neighbors), dtype=torch.int64, device=X.device)
    elif rows.numel() * 2 >= X.shape[0]:
        _, idx = kneighbors(X, n_neighbors + 1, memory_budget=memory_budget)
        idx = idx.index_select(0, rows)
    else:
        _, idx = kneighbors(
            X, n_neighbors + 1, query=X.index_select(0, rows), memory_budget=memory_budget
        )
    return _without_self(idx, rows)


def _without_self(idx: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """``(m, k)`` from the ``(m, k + 1)`` nearest of each row: the row itself dropped, or, where
    its duplicates pushed it out of the ``k + 1``, the last one (a duplicate stays a neighbour
    whatever its index)."""
    is_self = idx == rows[:, None]
    drop = is_self.clone()
    drop[:, -1] |= ~is_self.any(1)
    return idx[~drop].view(rows.numel(), idx.shape[1] - 1)


def knn_vote(neighbour_labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Majority vote of each row of neighbour labels; ties go to the smallest label.

    This is ``scipy.stats.mode`` and scikit-learn's ``KNeighborsClassifier.predict`` with
    uniform weights.

    Args:
        neighbour_labels: ``(m, k)`` int64 labels in ``0 .. n_classes - 1``.
        n_classes: Number of classes.

    Returns:
        ``(m,)`` int64 winning labels.

    Example:
        >>> knn_vote(torch.tensor([[2, 1, 1], [0, 2, 1]]), 3).tolist()
        [1, 0]
    """
    m = neighbour_labels.shape[0]
    counts = torch.zeros((m, n_classes), dtype=torch.int64, device=neighbour_labels.device)
    counts.scatter_add_(1, neighbour_labels, torch.ones_like(neighbour_labels))
    return counts.argmax(1)  # the first maximum: the smallest label among ties


def tomek_link_mask(
    X: torch.Tensor, y: torch.Tensor, *, memory_budget: int | None = None
) -> torch.Tensor:
    """Which samples belong to a Tomek link.

    ``i`` and ``j`` form a Tomek link when they have different labels and each is the other's
    nearest neighbour (the sample itself excluded).

    Args:
        X: ``(n, d)`` floating tensor, ``n >= 2``.
        y: ``(n,)`` int64 labels.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(n,)`` bool, ``True`` for both ends of every link.

    References:
        I. Tomek, "Two modifications of CNN", IEEE Trans. Systems, Man, and Cybernetics 6(11),
        1976.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [1.5], [5.0]])
        >>> tomek_link_mask(X, torch.tensor([0, 0, 1, 1])).tolist()
        [False, True, True, False]
    """
    nn = neighbours_excluding_self(X, 1, memory_budget=memory_budget)[:, 0]
    mutual = nn.index_select(0, nn) == torch.arange(X.shape[0], device=X.device)
    return mutual & (y.index_select(0, nn) != y)


def edited_keep_mask(
    X: torch.Tensor,
    y: torch.Tensor,
    rows: torch.Tensor,
    n_neighbors: int,
    kind_sel: str = "all",
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """Wilson's edited nearest neighbours: which of ``rows`` agree with their neighbourhood.

    Args:
        X: ``(n, d)`` floating tensor.
        y: ``(n,)`` int64 labels in ``0 .. C - 1``.
        rows: ``(m,)`` int64 rows to examine.
        n_neighbors: Neighbours examined per row (the row itself excluded), ``<= n - 1``.
        kind_sel: ``"all"``: keep a row when every neighbour has its label; ``"mode"``: when
            the most frequent neighbour label (ties: the smallest) is its label.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(m,)`` bool, ``True`` for rows to keep.

    References:
        D. Wilson, "Asymptotic properties of nearest neighbor rules using edited data",
        IEEE Trans. Systems, Man, and Cybernetics 2(3), 1972.

    Example:
        >>> X = torch.tensor([[0.0], [0.1], [0.2], [0.3], [5.0]])
        >>> y = torch.tensor([0, 0, 1, 0, 1])
        >>> edited_keep_mask(X, y, torch.arange(5), 2).tolist()
        [False, False, False, False, False]
        >>> edited_keep_mask(X, y, torch.arange(5), 2, "mode").tolist()
        [True, True, False, True, False]
    """
    nn = neighbours_excluding_self(X, n_neighbors, rows, memory_budget=memory_budget)
    labels = y[nn]
    own = y.index_select(0, rows)
    if kind_sel == "all":
        return (labels == own[:, None]).all(1)
    n_classes = int(y.max()) + 1 if y.numel() else 1
    return knn_vote(labels, n_classes) == own


def neighbourhood_cleaning_mask(
    X: torch.Tensor,
    y: torch.Tensor,
    minority: int,
    classes_to_clean: torch.Tensor,
    n_neighbors: int,
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """The second rule of the neighbourhood cleaning rule (Laurikkala 2001, imbalanced-learn).

    Each minority sample is classified by a ``n_neighbors``-NN vote over the whole data with
    the sample itself among its neighbours (as ``KNeighborsClassifier.predict`` on the training
    data); for every misclassified one, its ``n_neighbors`` nearest other samples that belong
    to ``classes_to_clean`` are marked.

    Args:
        X: ``(n, d)`` floating tensor.
        y: ``(n,)`` int64 labels in ``0 .. C - 1``.
        minority: Label of the minority class.
        classes_to_clean: int64 labels whose samples may be marked.
        n_neighbors: ``k``, at most ``n - 1``.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(n,)`` bool, ``True`` for samples to remove.

    References:
        J. Laurikkala, "Improving identification of difficult small classes by balancing class
        distribution", AIME 2001.

    Example:
        >>> X = torch.tensor([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1]])
        >>> y = torch.tensor([0, 0, 1, 0, 0, 1])
        >>> neighbourhood_cleaning_mask(X, y, 1, torch.tensor([0]), 2).tolist()
        [False, True, False, True, True, False]
    """
    n = X.shape[0]
    marked = torch.zeros(n, dtype=torch.bool, device=X.device)
    rows = torch.nonzero(y == minority).reshape(-1)
    if rows.numel() == 0:
        return marked
    _, idx = kneighbors(
        X, n_neighbors + 1, query=X.index_select(0, rows), memory_budget=memory_budget
    )
    n_classes = int(y.max()) + 1
    predicted = knn_vote(y[idx[:, :n_neighbors]], n_classes)
    wrong = predicted != minority
    # the neighbours of a misclassified sample: its k nearest others (a duplicate of a lower
    # index comes before it, so "without the first column" would drop the duplicate instead)
    neighbours = _without_self(idx[wrong], rows[wrong]).reshape(-1)
    marked[neighbours] = True
    return marked & torch.isin(y, classes_to_clean)
