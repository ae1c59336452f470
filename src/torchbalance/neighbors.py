"""The exact k-nearest-neighbour engine every kNN method in torchbalance shares.

One function, :func:`kneighbors`, returns the ``k`` nearest reference points of every query
point under the Euclidean distance. Results are *exact*: on data without ties the indices equal
scikit-learn's ``NearestNeighbors(algorithm="brute")``; equal distances are ordered by the lower
index (a deterministic rule; scikit-learn's order among ties is unspecified).

How it works (and why it is exact)
----------------------------------
Distances are never materialised as an ``(m, n)`` matrix. Queries are processed in blocks of
``B`` rows, reference points in GEMM tiles of ``T`` columns, all sized from ``memory_budget``
(see :func:`_plan`). One GEMM per tile gives the *ranking score*

    ``a[i, j] = ||y_j||² - 2 <p_i, y_j>``  (= ``||q_i - x_j||² - ||p_i||²``)

as ``[p_i, 1] @ [-2 y_j; ||y_j||²]`` in float32 (float64 for extreme ranges), where
``y = (x - mu) * 2**s`` and ``p = (q - mu) * 2**s`` are the points centred on the reference mean
and scaled by a power of two. Centring keeps the score accurate for data far from the origin;
scaling keeps float32 far from overflow and underflow.

The float32 scores are only a *filter*; nothing is guessed:

1. A rigorous bound ``e_i >= |a[i, j] - A[i, j]|`` (``A`` the exact score) follows from the
   standard floating-point error bounds of the input rounding, the length-``d + 1`` dot product
   (``gamma_{d+1}``, valid for any summation order, blocking or FMA a BLAS may use) and TF32 /
   bf16 matmul modes when enabled, see :func:`_score_error_bound`.
2. Each tile's columns are split into disjoint groups of ``G`` points and only the group minima
   are kept (one vectorised ``amin``, no indices). Let ``g_i`` be the k-th smallest group
   minimum: ``k`` distinct points score ``<= g_i``, so the k-th smallest exact score is
   ``A_(k) <= g_i + e_i`` and every point that can belong to the answer (``A_j <= A_(k)``,
   ties included) has ``a[i, j] <= g_i + 2 e_i``.
3. Every member of every group whose minimum passes ``g_i + 2 e_i`` is a candidate (a superset
   of the points above). Candidates' distances are recomputed in float64 directly from the
   inputs (difference, then sum of squares, in the same exact power-of-two scaled units) and
   ordered by ``(distance, index)``. The answer is defined by these float64 distances; their
   own rounding (``<= (d + 2) 2**-53`` relative) is added to ``e_i``, so a point that ties or
   beats the k-th in float64 is still a candidate.

So the candidate set provably contains the answer. Heavy exact ties only cost more
candidates to re-rank, in bounded memory; when a quarter or more of the rows are exact
duplicates (one-hot or integer-coded data), each distinct row is searched once and its first
copies expanded in ``(distance, index)`` order instead (:func:`_search_distinct`).

:func:`nearest_distance_lower_bounds` runs the same GEMM tiles with the same error bound but
keeps only each row's smallest score, a lower bound on its nearest-neighbour distance, for
callers that can rule most query points out before an exact search (NearMiss-1).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch

__all__ = ["kneighbors", "nearest_distance_lower_bounds"]

_FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)

# Preferred (query rows, reference columns) of a GEMM tile before the budget is applied.
# On CPU a 256 x 4096 float32 tile (4 MiB) stays in the last-level cache and keeps the BLAS
# efficient for the short inner dimension d + 1; GPUs want larger GEMMs.
_CPU_TILE = (256, 4096)
_GPU_TILE = (2048, 16384)
# The lower-bound pass keeps no candidates: on CPU its GEMM runs ~15% faster with more rows.
_CPU_BOUND_TILE = (1024, 4096)
# Most query rows per block (reached when tiles are short because n is small).
_MAX_BLOCK = 4096
# Points per group, a power of two in [_MIN_GROUP, _MAX_GROUP]. Per query row, the group minima
# cost ~n / G and the exact re-ranking of the k passing groups ~k * G * d float64 operations
# (about _RERANK_COST times dearer each); G ~ sqrt(n / (_RERANK_COST * k * d)) balances them
# (16 for n = 100000, d = 20, k = 3; 4 for n = 5000).
# On a GPU the gather-heavy re-ranking is cheap next to the per-segment synchronisations,
# so groups are larger there (fewer group minima, fewer segments).
_MIN_GROUP = 2
_MAX_GROUP = {"cpu": 16, "cuda": 64}
_RERANK_COST = {"cpu": 6, "cuda": 1}
# Byte costs of the budget model (see _plan_bytes).
# one candidate: its indices and masks, up to two dense (row, slot) cells of the merge with
# their column, squared distance and selection temporaries, or the sort workspace
_BYTES_PER_MEMBER = 320
_BYTES_PER_GROUP_MIN_EXTRA = 17  # mask byte + worst-case nonzero output (two int64)


@dataclass(frozen=True)
class _Plan:
    """Working-set shape of one :func:`kneighbors` call (all sizes in elements)."""

    block: int  # B: query rows processed together
    tile: int  # T: reference columns per GEMM tile (a multiple of group)
    group: int  # G: points per group
    segment: int  # S: reference columns whose group minima are held at once (multiple of T)
    member_chunk: int  # candidates expanded and re-ranked at once
    pair_chunk: int  # pairs per float64 exact-distance chunk


def kneighbors(
    X: torch.Tensor,
    n_neighbors: int,
    *,
    query: torch.Tensor | None = None,
    exclude_self: bool = False,
    memory_budget: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact k nearest neighbours under the Euclidean distance, in bounded memory.

    Works on any device (CPU, CUDA) with torch operations only. Scores are filtered in float32
    (float64 for extreme value ranges) and the surviving candidates are re-ranked with float64
    distances computed directly from the inputs, so the result is exact; see the module
    docstring for the argument. On tie-free data the indices equal scikit-learn's
    ``NearestNeighbors(algorithm="brute").kneighbors``; equal distances are ordered by the
    lower index.

    Args:
        X: ``(n, d)`` floating tensor (float16, bfloat16, float32 or float64), the reference
            points.
        n_neighbors: number of neighbours ``k`` to return, ``1 <= k <= n`` (``n - 1`` with
            ``exclude_self=True``).
        query: ``(m, d)`` tensor of query points with the same dtype and device as ``X``.
            ``None`` (default) queries ``X`` itself.
        exclude_self: only with ``query=None``: point ``i`` never returns index ``i`` (its
            exact duplicates are still neighbours), like scikit-learn's
            ``NearestNeighbors.kneighbors()`` called without ``X``.
        memory_budget: bytes of extra working memory the computation may use (GEMM tiles,
            group minima, candidates, the float32 working copy of ``X`` when it fits a quarter
            of the budget), under a worst-case model of the working set. Everything is sized
            from it; no ``(m, n)`` matrix is ever built. The inputs and the returned tensors
            are not counted. ``None`` (default): 512 MiB on the CPU (half of scikit-learn's
            default ``working_memory``; the float32 copy of 1 000 000 x 32 references fits its
            quarter, so they are prepared once, not once per query block); on a GPU a quarter of
            its free memory, between 256 MiB and 2 GiB (small budgets make a GPU wait on
            thousands of tiny steps).

    Returns:
        ``(distances, indices)``: ``distances`` is ``(m, k)`` with the dtype of ``X`` (true
        Euclidean distances, not squared), ``indices`` is ``(m, k)`` int64 row numbers of
        ``X``; both on ``X``'s device. Each row is sorted by ascending distance, equal
        distances by ascending index. A search, not a differentiable function: inputs that
        require grad are read detached.

    Raises:
        TypeError: ``X`` or ``query`` is not a floating tensor, or ``n_neighbors``,
            ``exclude_self`` or ``memory_budget`` has the wrong type.
        ValueError: wrong shapes, ``query`` on another device or with another dtype or
            number of features, NaN or infinite values, ``exclude_self=True`` together with
            ``query``, ``n_neighbors`` out of range, or ``memory_budget`` not positive or too
            small for a single tile.

    Example:
        >>> import torch
        >>> from torchbalance.neighbors import kneighbors
        >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
        >>> dist, idx = kneighbors(X, 2, exclude_self=True)
        >>> idx
        tensor([[1, 3],
                [3, 0],
                [0, 1],
                [1, 0]])
        >>> dist[0]
        tensor([1., 1.])
        >>> kneighbors(X, 1, query=torch.tensor([[0.9, 0.1]]))[1]
        tensor([[1]])
    """
    if memory_budget is None and isinstance(X, torch.Tensor):
        memory_budget = _default_memory_budget(X.device)
    _check_params(X, n_neighbors, query, exclude_self, memory_budget)
    assert memory_budget is not None
    X = X.detach()  # a search, not a differentiable function: outputs never require grad
    query = None if query is None else query.detach()
    k, budget = int(n_neighbors), int(memory_budget)
    members = _duplicate_rows(X, k + 1)
    if members is None:
        cols, d2, frame = _search(X, k, query, exclude_self, budget)
    else:
        cols, d2, frame = _search_distinct(X, k, query, exclude_self, budget, members)
    return frame.unscaled(d2.sqrt()).to(X.dtype), cols


def _search(
    X: torch.Tensor, k: int, query: torch.Tensor | None, exclude_self: bool, memory_budget: int
) -> tuple[torch.Tensor, torch.Tensor, _Frame]:
    """The search itself (module doc): ``(m, k)`` columns, their float64 squared distances
    in the frame's scaled units, and the frame."""
    self_query = query is None
    Q = X if query is None else query
    n, d = X.shape
    m = Q.shape[0]
    device = X.device
    out_d2 = torch.empty((m, k), dtype=torch.float64, device=device)
    out_idx = torch.empty((m, k), dtype=torch.int64, device=device)
    frame = _Frame.of(X, None if self_query else Q, memory_budget)
    if m == 0:
        return out_idx, out_d2, frame
    work_dtype, scaled = frame.work_dtype, frame.scaled
    plan = _plan(
        m,
        n,
        d,
        k,
        memory_budget - frame.ref_copy_bytes,
        itemsize=frame.itemsize,
        device_type=device.type,
        prepare_tiles=frame.ref_copy_bytes == 0,
    )
    B, T, G, S = plan.block, plan.tile, plan.group, plan.segment
    w = T // G
    tile_buf = torch.empty(B * T, dtype=work_dtype, device=device)
    gmin_buf = torch.empty(B * (S // G), dtype=work_dtype, device=device)
    group_offsets = torch.arange(G, device=device) * w
    exclude_diag = self_query and exclude_self

    for qs in range(0, m, B):
        qe = min(qs + B, m)
        b = qe - qs
        Qw = frame.prep(Q[qs:qe])
        Qa = torch.cat([Qw, torch.ones((b, 1), dtype=work_dtype, device=device)], 1)
        q64 = scaled(Q[qs:qe])
        two_err = (2.0 * frame.score_error(Qw)).to(work_dtype)
        gk = torch.full((b, k), math.inf, dtype=work_dtype, device=device)
        # the k best candidates so far; column n with distance inf marks "none yet"
        kept_cols = torch.full((b, k), n, dtype=torch.int64, device=device)
        kept_d2 = torch.full((b, k), math.inf, dtype=torch.float64, device=device)

        for ss in range(0, n, S):
            n_tiles = -(-(min(ss + S, n) - ss) // T)
            gseg = gmin_buf[: b * n_tiles * w].view(b, n_tiles * w)
            for ti in range(n_tiles):
                rs = ss + ti * T
                t = min(T, n - rs)
                tile = tile_buf[: b * T].view(b, T)
                if t == T:
                    torch.mm(Qa, frame.ref(rs, rs + T), out=tile)
                else:  # last, partial tile: pad with +inf (never a group minimum)
                    torch.mm(Qa, frame.ref(rs, n), out=tile[:, :t])
                    tile[:, t:].fill_(math.inf)
                if exclude_diag:
                    tile.diagonal(offset=qs - rs).fill_(math.inf)
                # group g of this tile = columns {g, g + w, ..., g + (G-1) w}
                torch.amin(tile.view(b, G, w), dim=1, out=gseg[:, ti * w : (ti + 1) * w])

            layout = _SuperGroups.of(gseg.shape[1], k)
            sup = layout.minima(gseg)
            tail = gseg[:, layout.main :]
            gk, thresh = _update_threshold(gk, torch.cat([sup, tail], 1), two_err)
            step = max(1, plan.member_chunk // G)
            ri, gi = layout.passing_groups(gseg, sup, thresh, step)
            for c in range(0, ri.numel(), step):
                g_c = gi[c : c + step]
                tile_of = torch.div(g_c, w, rounding_mode="floor")
                base = ss + tile_of * T + (g_c - tile_of * w)
                cols = (base[:, None] + group_offsets).reshape(-1)
                rows = ri[c : c + step, None].expand(-1, G).reshape(-1)
                # column n = "no candidate": padding of the last tile, the point itself
                invalid = cols >= n
                if exclude_diag:
                    invalid |= cols == rows + qs
                kept_cols, kept_d2 = _merge(
                    kept_cols,
                    kept_d2,
                    rows,
                    cols.masked_fill_(invalid, n),
                    q64,
                    X,
                    scaled,
                    plan.pair_chunk,
                )

        if bool((kept_cols == n).any()):  # pragma: no cover - the candidates contain the answer
            raise RuntimeError("kneighbors: internal error, too few candidates were found.")
        out_idx[qs:qe] = kept_cols
        out_d2[qs:qe] = kept_d2
    return out_idx, out_d2, frame


# Below this share of distinct rows, duplicates are searched once (see _search_distinct).
_DISTINCT_SHARE = 0.75


def _duplicate_rows(X: torch.Tensor, keep: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """``(distinct, members)`` when many rows of ``X`` are exact duplicates, else ``None``.

    ``distinct`` holds one copy of each distinct row, ordered by the lowest index among its
    copies; ``members`` is ``(len(distinct), c)``: the indices of each one's first ``c``
    copies (``c <= keep``), ascending, padded with ``n``. A projection on a fixed random
    direction first counts distinct values (collisions only overcount duplicates), so data
    without many duplicates pays one matrix-vector product.
    """
    n = X.shape[0]
    if n < 64 or X.dtype not in (torch.float32, torch.float64):
        return None
    direction = torch.randn(
        X.shape[1], generator=torch.Generator().manual_seed(0), dtype=torch.float64
    )
    if torch.unique(X @ direction.to(X.device, X.dtype)).numel() >= _DISTINCT_SHARE * n:
        return None
    distinct, inverse, counts = torch.unique(X, dim=0, return_inverse=True, return_counts=True)
    if distinct.shape[0] >= _DISTINCT_SHARE * n:
        return None
    by_row = torch.argsort(inverse, stable=True)  # copies grouped, ascending within a group
    starts = torch.cumsum(counts, 0) - counts
    slot = torch.arange(n, device=X.device) - starts[inverse[by_row]]
    first = slot < keep  # later copies never enter an answer of keep - 1 neighbours
    width = min(int(counts.max()), keep)
    members = torch.full((distinct.shape[0], width), n, device=X.device)
    members[inverse[by_row][first], slot[first]] = by_row[first]
    order = torch.argsort(members[:, 0])  # by each row's first copy: ties by lowest index
    return distinct[order], members[order]


def _search_distinct(
    X: torch.Tensor,
    k: int,
    query: torch.Tensor | None,
    exclude_self: bool,
    memory_budget: int,
    duplicates: tuple[torch.Tensor, torch.Tensor],
) -> tuple[torch.Tensor, torch.Tensor, _Frame]:
    """:func:`_search` on data full of duplicate rows (one-hot, integer codes), which would
    otherwise make every copy of a point a candidate of every query.

    The distinct rows are searched instead, ordered by their first copy, so their
    ``(distance, index)`` order is that of their first copies. The ``k`` (``k + 1`` when the
    query point itself is excluded) nearest distinct rows hold the answer: a point outside
    them comes after each of their first copies. Their first ``k + 1`` copies are expanded, and
    the ``k`` smallest ``(distance, index)`` pairs kept; the same answer as the full search.
    """
    distinct, members = duplicates
    n = X.shape[0]
    wanted = min(k + int(exclude_self), distinct.shape[0])
    rows, d2, frame = _search(distinct, wanted, X if query is None else query, False, memory_budget)
    m, width = rows.shape[0], wanted * members.shape[1]  # each row's first k + 1 copies
    cols = torch.empty((m, k), dtype=torch.int64, device=X.device)
    out_d2 = torch.empty((m, k), dtype=torch.float64, device=X.device)
    step = max(1, memory_budget // (32 * width))  # a few (rows, width) temporaries at a time
    for start in range(0, m, step):
        stop = min(start + step, m)
        copies = members.index_select(0, rows[start:stop].reshape(-1)).view(stop - start, width)
        if exclude_self:
            own = torch.arange(start, stop, device=X.device)[:, None]
            copies = copies.masked_fill(copies == own, n)
        dist = d2[start:stop].repeat_interleave(members.shape[1], dim=1)
        dist = dist.masked_fill(copies == n, math.inf)
        cols[start:stop], out_d2[start:stop] = _select(copies, dist, k, n)
    if bool((cols == n).any()):  # pragma: no cover - the expansion holds k points
        raise RuntimeError("kneighbors: internal error, too few candidates were found.")
    return cols, out_d2, frame


def nearest_distance_lower_bounds(
    X: torch.Tensor, query: torch.Tensor, *, memory_budget: int | None = None
) -> torch.Tensor:
    """A lower bound on the distance from each query point to its nearest point of ``X``.

    One pass of the float32 GEMM tiles of :func:`kneighbors`, keeping only each row's smallest
    score: with the same rigorous error bound ``e_i``,
    ``sqrt(max(0, min_j a_ij - e_i + ||p_i||²))`` is at most the exact distance; it is lowered
    by a relative ``(d + 3) 2**-50`` so that it stays below the distance evaluated in float64
    too. It costs the GEMM and one reduction per pair, none of the candidates' bookkeeping, so
    it rules out query points cheaply (NearMiss-1 computes exact neighbours only for the rows
    this bound cannot rule out).

    Args:
        X: ``(n, d)`` floating tensor, the reference points (``n >= 1``).
        query: ``(m, d)`` tensor with the dtype and device of ``X``.
        memory_budget: bytes for the GEMM tile and the working copy of ``X``, as in
            :func:`kneighbors`.

    Returns:
        ``(m,)`` float64 on ``X``'s device, in the units of ``X``.

    Raises:
        TypeError: ``X`` or ``query`` is not a floating tensor, or ``memory_budget`` is not an
            int.
        ValueError: as :func:`kneighbors` (shapes, devices, dtypes, NaN or infinite values,
            an empty ``X``), or ``memory_budget`` too small for one row against one point.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
        >>> bound = nearest_distance_lower_bounds(X, torch.tensor([[0.0, 1.0], [3.0, 0.0]]))
        >>> bool((bound <= torch.tensor([1.0, 3.0], dtype=torch.float64)).all())
        True
        >>> bool((bound > torch.tensor([0.999, 2.999], dtype=torch.float64)).all())
        True
    """
    owner = "nearest_distance_lower_bounds"
    if memory_budget is None and isinstance(X, torch.Tensor):
        memory_budget = _default_memory_budget(X.device)
    if not isinstance(query, torch.Tensor):
        raise TypeError(f"{owner}: query must be a torch.Tensor, got {type(query).__name__}.")
    if isinstance(X, torch.Tensor) and X.dim() == 2 and X.shape[0] == 0:
        raise ValueError(f"{owner}: X has no rows; a nearest distance needs a reference point.")
    _check_params(X, 1, query, False, memory_budget, owner=owner)
    assert memory_budget is not None
    memory_budget = int(memory_budget)
    X, query = X.detach(), query.detach()
    n, d = X.shape
    m = query.shape[0]
    device = X.device
    frame = _Frame.of(X, query, memory_budget, owner=owner)
    out = torch.empty(m, dtype=torch.float64, device=device)
    pref_b, pref_t = _GPU_TILE if device.type == "cuda" else _CPU_BOUND_TILE
    # per query row: its float64 and working copies and its bound; per reference column: its
    # preparation (float64 temporaries included) when X is not copied up front
    rows_bytes = d * (40 + 2 * frame.itemsize) + 64
    column_bytes = 0 if frame.ref_t is not None else (d + 1) * (40 + 2 * frame.itemsize)
    available = memory_budget - frame.ref_copy_bytes

    def nbytes(b: int, t: int) -> int:
        return b * (t * frame.itemsize + rows_bytes) + t * column_bytes

    T = min(n, pref_t)
    B = max(1, min(m, _MAX_BLOCK, (pref_b * pref_t) // T))
    while nbytes(B, T) > available and (B > 1 or T > 1):
        if T > B:
            T = max(1, T // 2)
        else:
            B = max(1, B // 2)
    if nbytes(B, T) > available:
        raise ValueError(
            f"{owner}: memory_budget={memory_budget} bytes is too small for one query row "
            "against one reference point. Raise memory_budget."
        )
    tile_buf = torch.empty(B * T, dtype=frame.work_dtype, device=device)
    # a distance evaluated in float64 (difference, sum of squares, root) is within a relative
    # (d + 3) 2**-53 of the exact one
    lower = 1.0 - (d + 3) * 2.0**-50
    for qs in range(0, m, B):
        qe = min(qs + B, m)
        b = qe - qs
        p64 = frame.scaled(query[qs:qe]) - frame.mu
        Qw = p64.to(frame.work_dtype)  # frame.prep, without scaling the rows twice
        Qa = torch.cat([Qw, torch.ones((b, 1), dtype=frame.work_dtype, device=device)], 1)
        best = torch.full((b,), math.inf, dtype=frame.work_dtype, device=device)
        for rs in range(0, n, T):
            t = min(T, n - rs)
            tile = tile_buf[: b * t].view(b, t)
            torch.mm(Qa, frame.ref(rs, rs + t), out=tile)
            torch.minimum(best, tile.amin(1), out=best)
        # e_i also covers the float64 rounding of ||p_i||² (its last term)
        sq = (best.to(torch.float64) - frame.score_error(Qw) + (p64 * p64).sum(1)).clamp_(min=0)
        out[qs:qe] = frame.unscaled(sq.sqrt()) * lower
    return out


# --------------------------------------------------------------------------------------------
# the working coordinates


@dataclass(frozen=True)
class _Frame:
    """The coordinates a search works in, and the error bound of its float32 scores.

    Points are scaled by a power of two so that ``max |X|`` is in ``[0.5, 1)`` (exact; applied
    as two factors so that neither overflows) and centred on the mean of ``X`` (distances are
    translation invariant). Centred references then satisfy ``|y| < 2``; a query far outside
    could overflow float32 in the dot products, so the work is in float64 then (rare). The exact
    float64 re-ranking works in the same scaled units (exact, order preserving): squared
    distances then neither overflow nor underflow unless two points differ by less than
    ``~2**-500`` of the data's range, and the ordering does not depend on the data's scale. A
    query more than ``2**500`` times the data's range is refused (its squares would overflow).

    The references are held as ``(d + 1, n)`` rows ``[-2 y; ||y||²]`` (so that
    ``[p, 1] @ them = ||y||² - 2 <p, y>``) when that copy fits a quarter of the budget, else
    prepared per tile.
    """

    X: torch.Tensor
    exponent: int
    mu: torch.Tensor
    work_dtype: torch.dtype
    ref_t: torch.Tensor | None
    ref_norm_max: float  # >= max ||y_j||
    coef: float
    absolute: float

    @staticmethod
    def of(
        X: torch.Tensor,
        query: torch.Tensor | None,
        memory_budget: int,
        *,
        owner: str = "kneighbors",
    ) -> _Frame:
        """Scan ``X`` and ``query`` (refusing NaN/inf), then fix the frame for them."""
        n, d = X.shape
        device = X.device
        # Chunked passes over the inputs (no full-size copies): finiteness and range first.
        chunk_rows = max(1, (memory_budget // 4) // (24 * d + 8))
        x_maxabs = _scan(X, "X", chunk_rows, owner)
        q_maxabs = x_maxabs if query is None else _scan(query, "query", chunk_rows, owner)
        exponent = 0 if x_maxabs == 0.0 else math.frexp(x_maxabs)[1]
        x_sum = torch.zeros(d, dtype=torch.float64, device=device)
        for s in range(0, n, chunk_rows):
            x_sum += _scale(X[s : s + chunk_rows], exponent).sum(0)
        mu = x_sum / n
        # the query's largest value over X's, as a power of two (no factor that can overflow)
        reach = 0 if q_maxabs == 0.0 else math.frexp(q_maxabs)[1] - exponent
        if reach > 500:  # its squared distances (about 2**(2 reach)) would overflow float64
            scale = "the largest of X" if x_maxabs else "1 (X is all zeros)"
            raise ValueError(
                f"{owner}: query holds values about 2**{reach} times {scale}; their squared "
                "distances overflow float64. Rescale both, or leave such rows out."
            )
        work_dtype = torch.float32 if reach <= 60 else torch.float64
        # the frame without its references, to prepare them
        frame = _Frame(X, exponent, mu, work_dtype, None, 0.0, 0.0, 0.0)
        itemsize = frame.itemsize
        if n * (d + 1) * itemsize <= memory_budget // 4:
            ref_t = torch.empty((d + 1, n), dtype=work_dtype, device=device)
            for s in range(0, n, chunk_rows):
                ref_t[:, s : s + chunk_rows] = frame.augmented(X[s : s + chunk_rows])
            sq_max = float(ref_t[d].amax())
        else:
            ref_t, sq_max = None, 0.0
            for s in range(0, n, chunk_rows):
                sq_max = max(sq_max, float(_sq_norms(frame.prep(X[s : s + chunk_rows])).amax()))
        # M >= max ||y_j||: the norms were rounded to the working dtype, inflate a little.
        ref_norm_max = math.sqrt(sq_max) * (1.0 + 2.0**-20) + 2.0**-100
        coef, absolute = _score_error_bound(d, work_dtype, device.type)
        return replace(frame, ref_t=ref_t, ref_norm_max=ref_norm_max, coef=coef, absolute=absolute)

    @property
    def itemsize(self) -> int:
        return 4 if self.work_dtype == torch.float32 else 8

    @property
    def ref_copy_bytes(self) -> int:
        """Bytes of the working copy of the references (0 when they are prepared per tile)."""
        return 0 if self.ref_t is None else self.ref_t.numel() * self.itemsize

    def scaled(self, rows: torch.Tensor) -> torch.Tensor:
        """``rows`` in float64, scaled (exact)."""
        return _scale(rows, self.exponent)

    def prep(self, rows: torch.Tensor) -> torch.Tensor:
        """``rows`` scaled, centred and rounded to the working dtype."""
        return (self.scaled(rows) - self.mu).to(self.work_dtype)

    def augmented(self, rows: torch.Tensor) -> torch.Tensor:
        """``(d + 1, r)`` rows ``[-2 y; ||y||²]`` of reference points ``rows``."""
        w = self.prep(rows)
        return torch.cat([-2.0 * w, _sq_norms(w)[:, None]], 1).T

    def ref(self, start: int, stop: int) -> torch.Tensor:
        """Augmented references ``start:stop`` (a view of the copy, or prepared now)."""
        if self.ref_t is not None:
            return self.ref_t[:, start:stop]
        return self.augmented(self.X[start:stop])

    def score_error(self, Qw: torch.Tensor) -> torch.Tensor:
        """float64 ``e_i >= |a_ij - A_ij|`` for the prepared query rows ``Qw`` (module doc),
        including the float64 re-ranking's own rounding (relative ``<= (d + 2) 2**-53``)."""
        d = Qw.shape[1]
        M = self.ref_norm_max
        p_norm = _sq_norms(Qw).to(torch.float64).sqrt() * (1.0 + 2.0**-20)
        err = self.coef * (M**2 + 2.0 * M * p_norm)
        err += self.absolute * (1.0 + p_norm + M)
        return err + 4.0 * (d + 3) * 2.0**-53 * (p_norm + M) ** 2

    def unscaled(self, dist: torch.Tensor) -> torch.Tensor:
        """Distances in scaled units back in the units of ``X`` (exact powers of two)."""
        if self.exponent == 0:
            return dist
        return (
            dist
            * math.ldexp(1.0, self.exponent // 2)
            * math.ldexp(1.0, self.exponent - self.exponent // 2)
        )


def _scale(rows: torch.Tensor, exponent: int) -> torch.Tensor:
    """``rows * 2**-exponent`` in float64, as two factors when one would not be normal."""
    if exponent == 0:
        return rows.to(torch.float64)
    s1 = math.ldexp(1.0, -(exponent // 2))
    s2 = math.ldexp(1.0, exponent // 2 - exponent)
    if abs(exponent) < 1000:  # the product s1 * s2 is a normal float64
        return rows.to(torch.float64) * (s1 * s2)
    return rows.to(torch.float64) * s1 * s2


# --------------------------------------------------------------------------------------------
# validation


_CPU_BUDGET = 512 * 2**20
_GPU_BUDGET_RANGE = (256 * 2**20, 2 * 2**30)


def _default_memory_budget(device: torch.device) -> int:
    """The ``memory_budget`` used when none is given (see :func:`kneighbors`)."""
    if device.type != "cuda":
        return _CPU_BUDGET
    free, _ = torch.cuda.mem_get_info(device)
    low, high = _GPU_BUDGET_RANGE
    return int(min(max(free // 4, low), high))


def _check_params(
    X: torch.Tensor,
    n_neighbors: int,
    query: torch.Tensor | None,
    exclude_self: bool,
    memory_budget: int | None,
    *,
    owner: str = "kneighbors",
) -> None:
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{owner}: X must be a torch.Tensor, got {type(X).__name__}.")
    if X.dtype not in _FLOAT_DTYPES:
        raise TypeError(
            f"{owner}: X must be a floating tensor (float16, bfloat16, float32 or float64), "
            f"got dtype {X.dtype}. Convert it, e.g. X.float()."
        )
    if X.dim() != 2:
        raise ValueError(
            f"{owner}: X must be 2-D (n_samples, n_features), got shape {tuple(X.shape)}. "
            "Reshape it, e.g. X.reshape(len(X), -1)."
        )
    if X.shape[1] == 0:
        raise ValueError(f"{owner}: X has no features (shape {tuple(X.shape)}); no distances.")
    if not isinstance(exclude_self, bool):
        raise TypeError(f"{owner}: exclude_self must be a bool, got {type(exclude_self).__name__}.")
    if isinstance(memory_budget, bool) or not isinstance(memory_budget, numbers.Integral):
        raise TypeError(
            f"{owner}: memory_budget must be an int number of bytes, got "
            f"{type(memory_budget).__name__}."
        )
    if memory_budget <= 0:
        raise ValueError(
            f"{owner}: memory_budget={memory_budget} must be a positive number of bytes, "
            "e.g. 256 * 2**20."
        )
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, numbers.Integral):
        raise TypeError(f"{owner}: n_neighbors must be an int, got {type(n_neighbors).__name__}.")
    if n_neighbors < 1:
        raise ValueError(f"{owner}: n_neighbors={n_neighbors} must be >= 1.")
    if query is not None:
        if exclude_self:
            raise ValueError(
                f"{owner}: exclude_self=True only applies when query is None (X queried "
                "against itself). Pass query=None, or exclude_self=False."
            )
        if not isinstance(query, torch.Tensor):
            raise TypeError(
                f"{owner}: query must be a torch.Tensor or None, got {type(query).__name__}."
            )
        if query.dim() != 2:
            raise ValueError(
                f"{owner}: query must be 2-D (n_queries, n_features), got shape "
                f"{tuple(query.shape)}. Reshape it, e.g. query.reshape(len(query), -1)."
            )
        if query.shape[1] != X.shape[1]:
            raise ValueError(
                f"{owner}: query has {query.shape[1]} features but X has {X.shape[1]}. "
                "Pass points with the same number of features."
            )
        if query.device != X.device:
            raise ValueError(
                f"{owner}: query is on {query.device} but X is on {X.device}. "
                f"Move it, e.g. query.to({str(X.device)!r})."
            )
        if query.dtype != X.dtype:
            raise ValueError(
                f"{owner}: query has dtype {query.dtype} but X has {X.dtype}. "
                "Convert it, e.g. query.to(X.dtype)."
            )
    n_available = X.shape[0] - (1 if exclude_self else 0)
    if n_neighbors > n_available:
        what = " other" if exclude_self else ""
        raise ValueError(
            f"{owner}: n_neighbors={n_neighbors} needs at least {n_neighbors}{what} "
            f"reference points, got {n_available}. Lower n_neighbors."
        )


def _scan(A: torch.Tensor, name: str, chunk_rows: int, owner: str = "kneighbors") -> float:
    """Chunked pass: refuse NaN/inf; return ``max |A|``."""
    maxabs = torch.zeros((), dtype=torch.float64, device=A.device)
    finite = torch.ones((), dtype=torch.bool, device=A.device)
    for s in range(0, A.shape[0], chunk_rows):
        c = A[s : s + chunk_rows].to(torch.float64)
        finite &= torch.isfinite(c).all()
        if c.numel():
            maxabs = torch.maximum(maxabs, c.abs().amax())
    if not bool(finite):
        raise ValueError(
            f"{owner}: {name} contains NaN or infinite values. Remove or impute them first."
        )
    return float(maxabs)


# --------------------------------------------------------------------------------------------
# working-set plan (the memory budget model)


def _plan_bytes(plan: _Plan, d: int, k: int, *, itemsize: int, prepare_tiles: bool) -> int:
    """Worst-case working bytes of a plan (excluding the working copy of ``X``).

    Counts the GEMM tile, the segment's group minima with their mask and worst-case
    ``nonzero`` output (every group passing, as with massive exact ties), one chunk of
    candidates with the kept neighbours and sort workspace, one float64 exact-distance chunk,
    per-row block state and, when ``X`` is not copied up front, the per-tile preparation.
    """
    B, T, G, S = plan.block, plan.tile, plan.group, plan.segment
    tile = B * T * itemsize
    seg = B * (S // G) * (2 * itemsize + _BYTES_PER_GROUP_MIN_EXTRA)
    members = (plan.member_chunk + B * k) * _BYTES_PER_MEMBER
    pairs = plan.pair_chunk * (32 * d + 16)
    rows = B * (d * (24 + 2 * itemsize) + k * (itemsize + 24) + 64)
    prep = T * ((d + 1) * 2 * itemsize + 8 * d) if prepare_tiles else 0
    return tile + seg + members + pairs + rows + prep


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _plan(
    n_query: int,
    n_ref: int,
    d: int,
    k: int,
    budget: int,
    *,
    itemsize: int = 4,
    device_type: str = "cpu",
    prepare_tiles: bool = False,
) -> _Plan:
    """Size the working set from ``budget`` bytes (see :func:`_plan_bytes`).

    Candidates get an eighth of the budget, exact-distance chunks another eighth; the rest holds
    a GEMM tile (starting from a device-dependent preferred shape) and the group minima of a
    segment of reference columns (all of them when they fit). The larger of the two is halved
    until the plan fits.

    Raises:
        ValueError: if even a one-row, one-group plan does not fit ``budget``.
    """
    member_chunk = max(1, (budget // 8) // _BYTES_PER_MEMBER)
    pair_chunk = max(1, (budget // 8) // (32 * d + 16))
    kind = "cuda" if device_type == "cuda" else "cpu"
    G = 2 ** round(math.log2(max(1.0, n_ref / (_RERANK_COST[kind] * k * d))) / 2)
    G = max(1, min(max(_MIN_GROUP, min(_MAX_GROUP[kind], G)), member_chunk))
    pref_b, pref_t = _GPU_TILE if device_type == "cuda" else _CPU_TILE
    # balanced tiles (no mostly-empty last tile), multiples of G; short tiles get more rows
    n_tiles = _ceil_div(n_ref, pref_t)
    T = G * _ceil_div(_ceil_div(n_ref, n_tiles), G)
    B = max(1, min(n_query, _MAX_BLOCK, max(pref_b, (pref_b * pref_t) // T)))
    S = T * _ceil_div(n_ref, T)

    def nbytes(b: int, t: int, s: int) -> int:
        p = _Plan(b, t, G, s, member_chunk, pair_chunk)
        return _plan_bytes(p, d, k, itemsize=itemsize, prepare_tiles=prepare_tiles)

    if nbytes(1, G, G) > budget:
        raise ValueError(
            f"kneighbors: memory_budget={budget} bytes is too small for even one query row "
            f"against one group of reference points (needs {nbytes(1, G, G)} bytes with "
            f"d={d}, n_neighbors={k}; the working copy of X is counted too when it fits a "
            "quarter of the budget). Raise memory_budget."
        )
    while nbytes(B, T, S) > budget:
        tile_part = B * T
        seg_part = B * (S // G) * 3
        if S > T and seg_part >= tile_part:
            S = max(T, (S // 2) // T * T)
        elif T > G and (T >= 4 * B or B == 1):
            T = max(G, (T // 2) // G * G)
            S = max(T, S // T * T)
        else:
            B = max(1, B // 2)
    return _Plan(B, T, G, S, member_chunk, pair_chunk)


# --------------------------------------------------------------------------------------------
# exactness: error bound of the float32 score


def _unit_roundoff_of_matmul(work_dtype: torch.dtype, device_type: str) -> float:
    """Relative rounding of GEMM *inputs* beyond IEEE float32 (TF32 / bf16 fast modes)."""
    if work_dtype != torch.float32:
        return 0.0
    precision = torch.get_float32_matmul_precision()
    allow_tf32 = device_type == "cuda" and bool(torch.backends.cuda.matmul.allow_tf32)
    if precision == "medium":
        return 2.0**-8  # may use bfloat16 products
    if precision == "high" or allow_tf32:
        return 2.0**-11  # TF32 (10-bit mantissa) or bf16x3 products
    return 0.0


def _score_error_bound(d: int, work_dtype: torch.dtype, device_type: str) -> tuple[float, float]:
    """``(c, a)`` with ``|a_ij - A_ij| <= c * (M**2 + 2 * M * ||p_i||) + a`` (see module doc).

    ``A_ij = ||y_j||² - 2 <p_i, y_j>`` on the exact centred, scaled points, ``a_ij`` its value
    computed as ``[p~_i, 1] @ [-2 y~_j; s~_j]`` with ``s~_j = fl(||y~_j||²)``, ``M >= max_j
    ||y_j||``. With ``u`` the unit roundoff of the working dtype:

    * inputs rounded to the working dtype (after an exact power-of-two scaling and a float64
      centring): each coordinate has relative error ``delta <= u + 2**-52``, which changes
      ``A`` by at most ``(2 delta + delta²) (M² + 2 M ||p||)``;
    * ``s~_j`` (float64 sum, one rounding): ``u M²``;
    * the length-``d + 1`` dot product, in any order, blocking or FMA a BLAS may use:
      ``gamma_{d+1} (M² + 2 M ||p||)`` (the factor ``-2`` is exact); TF32 / bf16 matmul modes
      round the GEMM inputs too, adding ``2.01 u_in`` relative per product.

    The sum is at most ``(2 delta + gamma_{d+2} + 2.01 u_in)`` times ``(M² + 2 M ||p||)`` up to
    second-order terms. The factor 2 below covers those and the rounding of the threshold
    ``g + 2 e`` itself (``|g| <= M² + 2 M ||p||``). The absolute term covers subnormal underflow
    (values are scaled to ``|y| < 2``). The float64 error of the re-ranking distances is added
    by the caller per row (``4 (d + 3) 2**-53 (||p|| + M)²``).
    """
    u = 2.0**-24 if work_dtype == torch.float32 else 2.0**-53
    delta = u + 2.0**-52
    gamma = (d + 2) * u / (1.0 - (d + 2) * u)
    u_in = _unit_roundoff_of_matmul(work_dtype, device_type)
    coef = 2.0 * (2.0 * delta + delta * delta + gamma + 2.01 * u_in)
    tiny = 2.0**-149 if work_dtype == torch.float32 else 2.0**-1074
    # underflow: each coordinate / product loses at most ``tiny`` absolutely; the caller
    # multiplies this by ``(1 + ||p|| + M)``
    absolute = 16.0 * (d + 2) * tiny / u
    return coef, absolute


# --------------------------------------------------------------------------------------------
# thresholds, candidates and exact re-ranking


def _sq_norms(W: torch.Tensor) -> torch.Tensor:
    """Squared row norms, accumulated in float64, returned in ``W``'s dtype."""
    w64 = W.to(torch.float64)
    return (w64 * w64).sum(1).to(W.dtype)


@dataclass(frozen=True)
class _SuperGroups:
    """Disjoint super-groups of one segment's ``ng`` group minima, for a two-level filter.

    Super-group ``j < width`` holds the group-minimum columns ``j + i * width`` for
    ``i < size``; the ``ng - size * width`` tail columns (fewer than ``size``) stand alone.
    With ``size == 1`` there are no super-groups: every column is its own.

    Testing ``width`` super-group minima against the row's threshold, then only the members of
    the few super-groups that pass, costs about ``width + passing * size`` comparisons per row
    instead of ``ng`` (``nonzero`` over the full mask was the engine's dearest step after the
    GEMM). About ``sqrt(k * ng)`` super-groups, at least ``32 k``, balance the two levels.
    """

    width: int
    size: int

    @staticmethod
    def of(ng: int, k: int) -> _SuperGroups:
        size = ng // max(32 * k, math.isqrt(k * ng))
        if size < 2:
            return _SuperGroups(width=ng, size=1)
        return _SuperGroups(width=ng // size, size=size)

    @property
    def main(self) -> int:
        """Columns covered by super-groups (the rest is the tail)."""
        return self.width * self.size

    def minima(self, gseg: torch.Tensor) -> torch.Tensor:
        """``(b, width)`` minima of the super-groups (``gseg`` itself when ``size == 1``)."""
        if self.size == 1:
            return gseg
        return gseg[:, : self.main].unflatten(1, (self.size, self.width)).amin(1)

    def passing_groups(
        self, gseg: torch.Tensor, sup: torch.Tensor, thresh: torch.Tensor, chunk: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(rows, columns)`` of the group minima ``<= thresh`` of their row, rows ascending.

        Members of passing super-groups are expanded ``chunk`` group minima at a time, so the
        temporaries stay within the plan's member chunk.
        """
        t = thresh[:, None]
        if self.size == 1:
            ri, gi = (gseg <= t).nonzero(as_tuple=True)
            return ri, gi
        ri, sj = (sup <= t).nonzero(as_tuple=True)
        members = torch.arange(self.size, device=gseg.device) * self.width
        step = max(1, chunk // self.size)
        rows, cols = [], []
        for c in range(0, ri.numel(), step):
            r = ri[c : c + step, None]
            g = sj[c : c + step, None] + members
            keep = gseg[r, g] <= t[r[:, 0]]
            rows.append(r.expand_as(g)[keep])
            cols.append(g[keep])
        if self.main < gseg.shape[1]:
            r, g = (gseg[:, self.main :] <= t).nonzero(as_tuple=True)
            rows.append(r)
            cols.append(g + self.main)
        if not rows:  # nothing passes and there is no tail
            return ri, sj
        r, g = torch.cat(rows), torch.cat(cols)
        if len(rows) > 1:  # chunks and tail interleave rows: restore row order
            order = torch.argsort(r, stable=True)
            r, g = r[order], g[order]
        return r, g


def _update_threshold(
    gk: torch.Tensor, minima: torch.Tensor, two_err: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fold a segment's minima into the running k smallest; return ``(gk, thresh)``.

    ``gk[i]`` holds ``k`` minima of disjoint sets of reference points, so at least ``k`` points
    score ``<= gk[i, k-1]``. The segment enters through ``minima``: its super-group minima and
    tail columns (still minima of disjoint sets, so still a valid bound, a little looser than
    every group minimum), which keeps the selection small.
    """
    k = gk.shape[1]
    merged = torch.cat([gk, minima], 1)
    if k == 1:
        gk = merged.amin(1, keepdim=True)
    elif k > 8:
        gk = torch.topk(merged, k, dim=1, largest=False).values
    else:
        # k passes of amin, each removing every copy of the minimum: the j-th value is then
        # >= the j-th smallest (equal values count once), still achieved by j disjoint groups,
        # so still a valid bound; cheaper than topk for small k
        values = []
        for _ in range(k):
            v = merged.amin(1, keepdim=True)
            values.append(v)
            merged = merged.masked_fill(merged <= v, math.inf)
        gk = torch.cat(values, 1)
    return gk, gk[:, k - 1] + two_err


def _merge(
    kept_cols: torch.Tensor,
    kept_d2: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    q64: torch.Tensor,
    X: torch.Tensor,
    rerank: Callable[[torch.Tensor], torch.Tensor],
    pair_chunk: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact float64 squared distances of new candidates; keep the k best per row.

    ``kept_cols``/``kept_d2`` are ``(b, k)``, sorted by ``(d2, col)`` per row, with column
    ``n`` and ``inf`` as "no neighbour yet". ``rows`` (non-decreasing, block-local) and
    ``cols`` (``n`` = no candidate) are the new candidate pairs. ``q64`` is the query block and
    ``rerank`` maps rows of ``X`` to float64, both in the same units. Distances are computed as
    difference, then sum of squares. Returns the new ``(kept_cols, kept_d2)``.
    """
    P = rows.numel()
    if P == 0:
        return kept_cols, kept_d2
    b, k = kept_cols.shape
    n, d = X.shape
    device = X.device
    counts = torch.bincount(rows, minlength=b)
    width = int(counts.max())
    if b * width > 2 * P + b * k:
        # very unbalanced rows (massive ties in a few of them): work on the pairs instead
        return _merge_sorted(kept_cols, kept_d2, rows, cols, q64, X, rerank, pair_chunk)
    # dense (b, width) layout of each row's new candidates
    pos = torch.arange(P, device=device) - (torch.cumsum(counts, 0) - counts)[rows]
    C = torch.full((b, width), n, dtype=torch.int64, device=device)
    C[rows, pos] = cols
    D = torch.empty((b, width), dtype=torch.float64, device=device)
    row_step = max(1, pair_chunk // width)
    for r0 in range(0, b, row_step):
        Cc = C[r0 : r0 + row_step].reshape(-1).clamp(max=n - 1)
        diff = rerank(X.index_select(0, Cc)).view(-1, width, d) - q64[r0 : r0 + row_step, None]
        D[r0 : r0 + row_step] = (diff * diff).sum(-1)
    D.masked_fill_(C.eq(n), math.inf)
    return _select(torch.cat([kept_cols, C], 1), torch.cat([kept_d2, D], 1), k, n)


def _select(C: torch.Tensor, D: torch.Tensor, k: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k smallest ``(D, C)`` pairs of each row (distance, then column), in order.

    Columns are unique within a row except the filler ``n`` (with ``D = inf``).
    """
    if k > 8:
        C, perm = torch.sort(C, dim=1)  # columns ascending, then a stable sort by distance
        D, perm = torch.sort(D.gather(1, perm), dim=1, stable=True)
        return C.gather(1, perm[:, :k]), D[:, :k].contiguous()
    # small k: k passes of (smallest distance, then smallest column among equals), a few
    # cheap reductions instead of sorts
    b = C.shape[0]
    new_cols = torch.empty((b, k), dtype=torch.int64, device=C.device)
    new_d2 = torch.empty((b, k), dtype=torch.float64, device=C.device)
    for j in range(k):
        v = D.amin(1, keepdim=True)
        cm = torch.where(v == D, C, n).amin(1, keepdim=True)
        new_d2[:, j : j + 1] = v
        new_cols[:, j : j + 1] = cm
        if j + 1 < k:
            taken = cm == C
            D = D.masked_fill(taken, math.inf)
            C = C.masked_fill(taken, n)
    return new_cols, new_d2


def _merge_sorted(
    kept_cols: torch.Tensor,
    kept_d2: torch.Tensor,
    rows: torch.Tensor,
    cols: torch.Tensor,
    q64: torch.Tensor,
    X: torch.Tensor,
    rerank: Callable[[torch.Tensor], torch.Tensor],
    pair_chunk: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`_merge` for unbalanced rows: lexicographic sort of all pairs by (row, d2, col)."""
    b, k = kept_cols.shape
    n = X.shape[0]
    device = kept_cols.device
    real = cols < n
    rows, cols = rows[real], cols[real]
    d2 = torch.empty(rows.numel(), dtype=torch.float64, device=device)
    for s in range(0, rows.numel(), pair_chunk):
        r, c = rows[s : s + pair_chunk], cols[s : s + pair_chunk]
        diff = rerank(X.index_select(0, c)) - q64.index_select(0, r)
        d2[s : s + pair_chunk] = (diff * diff).sum(1)
    rows = torch.cat([torch.arange(b, device=device).repeat_interleave(k), rows])
    cols = torch.cat([kept_cols.reshape(-1), cols])
    d2 = torch.cat([kept_d2.reshape(-1), d2])
    # three stable sorts, least significant key first
    order = torch.argsort(cols, stable=True)
    order = order[torch.argsort(d2[order], stable=True)]
    order = order[torch.argsort(rows[order], stable=True)]
    rows, cols, d2 = rows[order], cols[order], d2[order]
    counts = torch.bincount(rows, minlength=b)
    keep = torch.arange(rows.numel(), device=device) - (torch.cumsum(counts, 0) - counts)[rows] < k
    # every row holds its k kept entries, so exactly k survive per row, in row order
    return cols[keep].view(b, k), d2[keep].view(b, k)
