"""The value difference metric (VDM) on ordinal-encoded categorical data, for SMOTEN.

The VDM is not Euclidean (per feature an L1 distance between class-probability vectors, then
squared and summed), so :func:`torchbalance.neighbors.kneighbors` cannot serve it; its nearest
neighbours are found here by exact tiled search over per-feature lookup tables (no
``(n, n)`` matrix beyond one tile of rows).
"""

from __future__ import annotations

import torch

__all__ = ["vdm_kneighbors", "vdm_tables"]


def vdm_tables(
    codes: torch.Tensor, y: torch.Tensor, n_categories: list[int], *, k: float = 1.0, r: float = 2.0
) -> list[torch.Tensor]:
    """Per feature, the ``(C_f, C_f)`` table of VDM contributions between categories.

    ``P_f[a, c]`` is the share of samples with category ``a`` in feature ``f`` that belong to
    class ``c`` (0 for an unseen category); the contribution of ``(a, b)`` is
    ``(sum_c |P_f[a, c] - P_f[b, c]| ** k) ** (r / k)``, so that
    ``vdm(x, z) = sum_f table_f[x_f, z_f]`` (imbalanced-learn's ``ValueDifferenceMetric``,
    whose defaults are ``k = 1``, ``r = 2``).

    Args:
        codes: ``(n, F)`` int64 codes, feature ``f`` in ``[0, n_categories[f])``.
        y: ``(n,)`` int64 labels.
        n_categories: Categories per feature.
        k: Exponent inside the per-feature norm.
        r: Exponent of the per-feature distance.

    Returns:
        ``F`` float64 tables.

    References:
        C. Stanfill, D. Waltz, "Toward memory-based reasoning", Communications of the ACM 29,
        1986.

    Example:
        >>> codes = torch.tensor([[0], [0], [1], [1]])
        >>> vdm_tables(codes, torch.tensor([0, 0, 0, 1]), [2])[0]
        tensor([[0., 1.],
                [1., 0.]], dtype=torch.float64)
    """
    classes, y_codes = torch.unique(y, return_inverse=True)
    tables = []
    for f, n_cat in enumerate(n_categories):
        counts = torch.zeros((n_cat, classes.numel()), dtype=torch.float64, device=codes.device)
        index = codes[:, f] * classes.numel() + y_codes
        counts.view(-1).index_add_(0, index, torch.ones_like(index, dtype=torch.float64))
        totals = counts.sum(1, keepdim=True)
        proba = torch.where(totals > 0, counts / totals.clamp(min=1), torch.zeros_like(counts))
        diff = (proba[:, None, :] - proba[None, :, :]).abs() ** k
        tables.append(diff.sum(-1) ** (r / k))
    return tables


def vdm_kneighbors(
    codes: torch.Tensor, tables: list[torch.Tensor], n_neighbors: int, *, tile_rows: int = 512
) -> torch.Tensor:
    """The ``n_neighbors`` VDM-nearest rows of ``codes`` for every row (itself included).

    Exact; rows ordered by ``(distance, index)``, so a sample comes first unless an identical
    row with a lower index ties with it.

    Args:
        codes: ``(m, F)`` int64 codes.
        tables: From :func:`vdm_tables`.
        n_neighbors: ``k <= m``.
        tile_rows: Query rows per tile (memory: ``tile_rows * m`` float64).

    Returns:
        ``(m, k)`` int64 indices.

    Example:
        >>> tables = [torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)]
        >>> vdm_kneighbors(torch.tensor([[0], [1], [0]]), tables, 2).tolist()
        [[0, 2], [1, 0], [0, 2]]
    """
    m = codes.shape[0]
    out = torch.empty((m, n_neighbors), dtype=torch.int64, device=codes.device)
    for start in range(0, m, tile_rows):
        rows = codes[start : start + tile_rows]
        dist = torch.zeros((rows.shape[0], m), dtype=torch.float64, device=codes.device)
        for f, table in enumerate(tables):
            dist += table[rows[:, f]][:, codes[:, f]]
        order = torch.sort(dist, dim=1, stable=True).indices
        out[start : start + tile_rows] = order[:, :n_neighbors]
    return out
