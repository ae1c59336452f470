"""k-means on tensors: greedy k-means++ seeding, Lloyd iterations, mini-batch updates.

The one k-means of the package (ClusterCentroids, KMeansSMOTE). Distances to the centres are
computed in tiles of rows sized from a memory budget, so no ``(n, k)`` matrix larger than the
budget is built; everything runs on the device of ``X``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from ..exceptions import DataValidationError, TorchBalanceWarning
from ..utils import Interval, Options, check_param, host_generator, warn_user

__all__ = ["KMeansResult", "kmeans", "minibatch_kmeans", "nearest_center"]

_DEFAULT_BUDGET = 64 * 2**20  # bytes for one tile of squared distances


class KMeansResult(NamedTuple):
    """Result of :func:`kmeans` / :func:`minibatch_kmeans`.

    Attributes:
        centers: ``(n_clusters, d)`` cluster centres, dtype of the computation (float32 for
            float32/16 inputs, float64 for float64).
        labels: ``(n,)`` int64 index of each sample's nearest centre.
        inertia: Sum of squared distances of the samples to their nearest centre.
        n_iter: Iterations of the best run.
    """

    centers: torch.Tensor
    labels: torch.Tensor
    inertia: float
    n_iter: int


def _work_dtype(X: torch.Tensor) -> torch.dtype:
    return torch.float64 if X.dtype == torch.float64 else torch.float32


# Tiles of point-to-centre scores larger than this stop fitting the CPU caches (and gain
# nothing on a GPU); a larger memory budget does not make them larger.
_TILE_CAP = 16 * 2**20
# Centres per group of the two-step arg-min (see nearest_center).
_GROUP = 64


def nearest_center(
    X: torch.Tensor, centers: torch.Tensor, *, memory_budget: int = _DEFAULT_BUDGET
) -> tuple[torch.Tensor, torch.Tensor]:
    """Index of the nearest centre of every row of ``X`` and the squared distance to it.

    One GEMM per tile of rows gives ``||c||² - 2 x·c`` as ``[x, 1] @ [-2 c; ||c||²]``. The
    arg-min is taken in two steps, because a full ``min(dim=1)`` with indices costs several
    times the GEMM on CPU: the minima of contiguous groups of :data:`_GROUP` centres (a
    vectorised ``amin``), then the first group holding the row minimum, then the first centre
    of that group attaining it; so ties go to the lowest centre index, as with ``argmin``.
    Centres are padded to whole groups with scores of ``+inf``. The squared distance adds
    ``||x||²`` (clamped at 0 against rounding).

    Returns:
        ``(labels, sq_distances)``: int64 ``(n,)`` and ``(n,)`` in the dtype of ``centers``,
        computed outside autograd (inputs that require grad are detached).

    Raises:
        DataValidationError: ``X`` or ``centers`` not 2-D floating tensors, no centre, or
            different numbers of features.
    """
    _check_centers(X, centers)
    # both moved next to the origin: the expanded distance loses everything to cancellation
    # when the data sit far from it (10 000 + noise in float32)
    shift = _origin_near(centers.detach())
    labels, sq, _ = _nearest(
        X.detach() - shift.to(X.dtype), centers.detach() - shift, memory_budget, None, second=False
    )
    return labels, sq


def _check_centers(X: torch.Tensor, centers: torch.Tensor) -> None:
    owner = "nearest_center"
    for name, value in (("X", X), ("centers", centers)):
        if not (isinstance(value, torch.Tensor) and value.dim() == 2 and value.is_floating_point()):
            raise DataValidationError(f"{owner}: {name} must be a 2-D floating tensor.")
    if centers.shape[0] == 0:
        raise DataValidationError(f"{owner}: centers has no rows; give at least one centre.")
    if X.shape[1] != centers.shape[1]:
        raise DataValidationError(
            f"{owner}: X has {X.shape[1]} features but centers has {centers.shape[1]}."
        )


def _nearest(
    X: torch.Tensor,
    centers: torch.Tensor,
    memory_budget: int,
    rows: torch.Tensor | None,
    *,
    second: bool,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """:func:`nearest_center` of every row of ``X``, or of the rows ``X[rows]`` (gathered a tile
    at a time), and with ``second`` also each row's second-smallest squared distance (to any
    centre but the nearest; ``inf`` with one centre): the smaller of the runner-up inside the
    winning group and the minima of the other groups."""
    k, d = centers.shape
    dtype, device = centers.dtype, centers.device
    group = max(1, min(_GROUP, k))
    padded = -(-k // group) * group
    scores_of = torch.zeros((d + 1, padded), dtype=dtype, device=device)
    scores_of[:d, :k] = -2.0 * centers.T
    scores_of[d, :k] = (centers * centers).sum(1)
    scores_of[d, k:] = math.inf
    step = max(1, min(memory_budget, _TILE_CAP) // (padded * centers.element_size()))
    n = X.shape[0] if rows is None else rows.shape[0]
    labels = torch.empty(n, dtype=torch.int64, device=device)
    sq = torch.empty(n, dtype=dtype, device=device)
    sq2 = torch.empty(n, dtype=dtype, device=device) if second else None
    buffer = torch.empty(min(step, max(n, 1)) * padded, dtype=dtype, device=device)
    for begin in range(0, n, step):
        if rows is None:
            tile = X[begin : begin + step].to(dtype)
        else:
            tile = X.index_select(0, rows[begin : begin + step]).to(dtype)
        r = tile.shape[0]
        scores = buffer[: r * padded].view(r, padded)
        torch.mm(torch.cat([tile, tile.new_ones((r, 1))], 1), scores_of, out=scores)
        grouped = scores.view(r, padded // group, group)
        group_min = grouped.amin(2)
        # min(dim) gives the first index of the minimum, as argmin, and is faster on CPU
        best, best_group = group_min.min(1)
        members = grouped[torch.arange(r, device=device), best_group]
        within = members.min(1).indices
        labels[begin : begin + r] = best_group * group + within
        norms = (tile * tile).sum(1)
        sq[begin : begin + r] = (best + norms).clamp_(min=0)
        if sq2 is not None:
            runner_up = torch.minimum(
                members.scatter(1, within[:, None], math.inf).amin(1),
                group_min.scatter(1, best_group[:, None], math.inf).amin(1),
            )
            sq2[begin : begin + r] = (runner_up + norms).clamp_(min=0)
    return labels, sq, sq2


class _Assignment(NamedTuple):
    """Lloyd's state per point: its centre, the squared distance to it, and a lower bound on
    the squared distance to every other centre (for the centres as they are now)."""

    labels: torch.Tensor
    sq: torch.Tensor
    lower: torch.Tensor


def _assign(X: torch.Tensor, centers: torch.Tensor, memory_budget: int) -> _Assignment:
    labels, sq, second = _nearest(X, centers, memory_budget, None, second=True)
    assert second is not None
    return _Assignment(labels, sq, second)


def _reassign(
    X: torch.Tensor, centers: torch.Tensor, moved: torch.Tensor, state: _Assignment, budget: int
) -> _Assignment:
    """The :func:`nearest_center` assignment after only the centres flagged ``moved`` changed.

    Distances to the centres that did not move are unchanged, so one pass against the moved
    centres (nearest and runner-up) settles most points:
    - a point whose centre did not move keeps it unless a moved centre is now nearer (ties go
      to the lower index);
    - a point whose centre moved takes the nearest moved centre when it is strictly nearer
      than the lower bound on all the others;
    - only the remaining points are searched against all centres.
    The lower bounds are updated with what the pass saw. Late Lloyd iterations move a few
    percent of the centres, so an iteration costs a fraction of a full pass; when half of the
    centres or more moved, one full pass is done instead.
    """
    k = centers.shape[0]
    moved_ids = torch.nonzero(moved).reshape(-1)
    m = moved_ids.numel()
    if m == 0:
        return state
    if 2 * m >= k:
        return _assign(X, centers, budget)
    labels, sq, lower = state
    near, near_sq, runner_sq = _nearest(
        X, centers.index_select(0, moved_ids), budget, None, second=True
    )
    assert runner_sq is not None
    near = moved_ids.index_select(0, near)
    stale = moved[labels]
    switch = ~stale & ((near_sq < sq) | ((near_sq == sq) & (near < labels)))
    settled = stale & (near_sq < lower)
    taken = switch | settled
    # bounds on the centres other than the (new) own one: unmoved ones >= lower (and, after a
    # switch, the old centre is at sq), moved ones >= the runner-up or, if it stays, the nearest
    new_lower = torch.where(
        taken,
        torch.minimum(lower, runner_sq),
        torch.minimum(lower, near_sq),
    )
    new_lower = torch.where(switch, torch.minimum(new_lower, sq), new_lower)
    new_labels = torch.where(taken, near, labels)
    new_sq = torch.where(taken, near_sq, sq)
    rest = torch.nonzero(stale & ~settled).reshape(-1)
    if rest.numel():
        rest_labels, rest_sq, rest_second = _nearest(X, centers, budget, rest, second=True)
        assert rest_second is not None
        new_labels[rest], new_sq[rest], new_lower[rest] = rest_labels, rest_sq, rest_second
    return _Assignment(new_labels, new_sq, new_lower)


# Points per block of the k-means++ draw (see _d2_pick).
_SEED_BLOCK = 256
# k-means++ steps whose uniforms are drawn from the generator at once.
_UNIFORM_BATCH = 1024


def _d2_pick(
    cdf: np.ndarray, block_sums: np.ndarray, weights: torch.Tensor, targets: np.ndarray
) -> np.ndarray:
    """Inverse-CDF picks ``i`` (the first with ``cumsum(weights)[i] > target``) in two levels.

    ``weights`` (length a multiple of ``len(block_sums)``, any device) is cut into equal blocks
    whose float64 sums are ``block_sums`` and cumulative sums ``cdf``: the cumulative block sums
    give each target's block, and the cumulative weights of that block alone give the point
    (negative weights, rounding residue of a squared distance, count as 0). The same picks as a
    search in the cumulative sum of all weights, up to rounding, without building that sum: a
    float64 ``cumsum`` over every point at every k-means++ step cost a quarter of the step.
    The search runs in NumPy on the host: on these few numbers each torch call would cost more
    than its work (only the picked blocks are copied from the device).

    Returns:
        int64 ``(len(targets),)`` indices into ``weights``.
    """
    nb = block_sums.shape[0]
    block = weights.shape[0] // nb
    b = np.minimum(np.searchsorted(cdf, targets, side="right"), nb - 1)
    rest = targets - (cdf[b] - block_sums[b])
    picked = weights.view(nb, block).index_select(0, torch.from_numpy(b).to(weights.device))
    within = np.maximum(picked.cpu().numpy(), 0).cumsum(1, dtype=np.float64)
    j = np.minimum((within <= rest[:, None]).sum(1), block - 1)
    return b * block + j


def _kmeans_plusplus(
    X: torch.Tensor, n_clusters: int, generator: torch.Generator, memory_budget: int
) -> torch.Tensor:
    """Greedy k-means++ (Arthur & Vassilvitskii 2007, with ``2 + log k`` local trials per
    centre as scikit-learn does): each new centre is the best of several candidates drawn with
    probability proportional to the squared distance to the nearest centre so far.

    The ``k`` steps are sequential, so each is kept lean: three passes over the data (a GEMM, a
    ``minimum``, the block sums), the rest in NumPy on a few hundred numbers. The points are
    held transposed and augmented once (``(d + 2, n)``: ``[x; 1; ||x||²]``, zero-padded to whole
    blocks of :data:`_SEED_BLOCK` points) and as candidate rows ``[-2 c, ||c||², 1]``, so that
    one wide GEMM of the few candidates' rows gives their squared distances to every point. One
    ``minimum`` with the current nearest distances merges them, into one of two buffers used in
    turn (the winner's row is the next nearest distances; a point's distance to itself may round
    a little below 0, which the draw counts as 0); their sums per block (float32 within a block,
    float64 across blocks) give each candidate's potential and, for the winner, the two-level
    draw of the next candidates (:func:`_d2_pick`).
    """
    n, d = X.shape
    trials = 2 + int(math.log(n_clusters))
    n_blocks = -(-n // _SEED_BLOCK)
    width = n_blocks * _SEED_BLOCK
    sq_norms = (X * X).sum(1)
    XTa = X.new_zeros((d + 2, width))
    XTa[:d, :n] = X.T
    XTa[d, :n] = 1.0
    XTa[d + 1, :n] = sq_norms
    # each point as a candidate's row [-2 x, ||x||², 1]
    candidate_rows = torch.cat([-2.0 * X, sq_norms[:, None], X.new_ones((n, 1))], 1)
    first = int(torch.randint(n, (1,), generator=generator, device="cpu"))
    chosen = [first]
    closest = X.new_zeros(width)  # padding: weight 0, never drawn
    closest[:n] = _nearest(X, X[first : first + 1], memory_budget, None, second=False)[1]
    block_sums = closest.view(n_blocks, _SEED_BLOCK).sum(1).cpu().numpy().astype(np.float64)
    buffers = X.new_empty((2, trials, width))
    cols = max(1, memory_budget // (trials * X.element_size() * 2))
    uniforms, offset = np.empty((0, trials)), 1
    for step in range(1, n_clusters):
        if step - offset >= uniforms.shape[0]:  # the next batch of steps' uniforms
            count = min(_UNIFORM_BATCH, n_clusters - step)
            batch = torch.rand((count, trials), dtype=torch.float64, generator=generator)
            uniforms, offset = batch.numpy(), step
        cdf = np.cumsum(block_sums)
        total = float(cdf[-1])
        if total <= 0:  # every point sits on a centre: any point will do
            picks = torch.randint(n, (trials,), generator=generator, device="cpu").numpy()
        else:
            picks = _d2_pick(cdf, block_sums, closest, uniforms[step - offset] * total)
            picks = np.minimum(picks, n - 1)
        candidates = candidate_rows.index_select(0, torch.from_numpy(picks).to(X.device))
        # potential of each candidate: sum over points of min(closest, d²(x, candidate))
        merged = buffers[step % 2]
        for begin in range(0, width, cols):
            part = merged[:, begin : begin + cols]
            torch.mm(candidates, XTa[:, begin : begin + cols], out=part)
            torch.minimum(part, closest[begin : begin + cols], out=part)
        sums = merged.view(trials, n_blocks, _SEED_BLOCK).sum(2).cpu().numpy()
        sums = sums.astype(np.float64)
        best = int(sums.sum(1).argmin())
        chosen.append(int(picks[best]))
        closest = merged[best]
        block_sums = sums[best]
    return X.index_select(0, torch.tensor(chosen, device=X.device))


def _relocate_empty(
    X: torch.Tensor, centers: torch.Tensor, counts: torch.Tensor, sq: torch.Tensor
) -> None:
    """Move empty clusters onto the points farthest from their centres (as scikit-learn)."""
    empty = torch.nonzero(counts == 0).reshape(-1)
    if empty.numel() == 0:
        return
    far = torch.topk(sq, min(empty.numel(), sq.numel())).indices
    centers[empty[: far.numel()]] = X[far]


def _check(X: torch.Tensor, n_clusters: int, owner: str) -> torch.Tensor:
    if not isinstance(X, torch.Tensor) or X.dim() != 2 or not X.is_floating_point():
        raise DataValidationError(
            f"{owner}: X must be a 2-D floating tensor (n_samples, n_features)."
        )
    check_param(owner, "n_clusters", n_clusters, [Interval(int, 1, None)])
    if n_clusters > X.shape[0]:
        raise DataValidationError(
            f"{owner}: n_clusters={n_clusters} is more than the {X.shape[0]} samples; lower "
            "n_clusters."
        )
    if not bool(torch.isfinite(X).all()):
        raise DataValidationError(f"{owner}: X has NaN or infinite values.")
    return X.detach().to(_work_dtype(X))


def _origin_near(rows: torch.Tensor) -> torch.Tensor:
    """A point to move ``rows`` next to (as scikit-learn centres data before k-means): the
    expanded distances ``||c||² - 2 x·c + ||x||²`` lose every digit to cancellation when the
    data sit far from the origin (10 000 + noise in float32).

    Per feature, the mean rounded to a multiple of the largest power of two not above the
    feature's spread (the mean itself for a constant feature): data on a grid of that step or
    coarser, integers included, stay exactly on it, so ties stay ties.
    """
    mean = rows.mean(0, dtype=torch.float64)
    # only the power of two below the spread is used: no float64 copy of the data for it
    spread = rows.std(0, correction=0).double() if rows.shape[0] > 1 else mean * 0
    step = torch.exp2(torch.floor(torch.log2(spread)))
    rounded = torch.round(mean / step.clamp(min=torch.finfo(torch.float64).tiny)) * step
    return torch.where(spread > 0, rounded, mean).to(rows.dtype)


def _centred(data: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``data`` moved next to the origin (see :func:`_origin_near`), and the offset."""
    offset = _origin_near(data)
    return data - offset, offset


def kmeans(
    X: torch.Tensor,
    n_clusters: int,
    *,
    init: str = "k-means++",
    n_init: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    generator: int | torch.Generator | None = None,
    memory_budget: int = _DEFAULT_BUDGET,
) -> KMeansResult:
    """Lloyd's k-means, the best of ``n_init`` runs by inertia.

    Each iteration reassigns only what can change (see :func:`_reassign`): once most centres
    have stopped moving, an iteration costs a fraction of a full pass, with the same result.

    Args:
        X: ``(n, d)`` floating tensor, any device.
        n_clusters: Number of clusters ``k <= n``.
        init: ``"k-means++"`` (greedy, as scikit-learn) or ``"random"`` (``k`` distinct rows).
        n_init: Independent runs; the one with the lowest inertia is returned.
        max_iter: Lloyd iterations per run.
        tol: Convergence when the squared centre shift summed over clusters is at most ``tol``
            times the mean per-feature variance of ``X`` (scikit-learn's rule).
        generator: An int seed, a ``torch.Generator`` or ``None``.
        memory_budget: Bytes for one tile of point-to-centre distances.

    Returns:
        :class:`KMeansResult`; an empty cluster is moved onto the point farthest from its centre.

    Raises:
        DataValidationError: ``X`` not a 2-D floating tensor, NaN/inf, or ``n_clusters > n``.
        InvalidParameterError: Other parameters out of range.

    References:
        S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982.
        D. Arthur, S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.

    Example:
        >>> X = torch.tensor([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
        >>> result = kmeans(X, 2, generator=0)
        >>> sorted(result.labels.tolist()) == [0, 0, 1, 1] and result.inertia < 0.011
        True
    """
    owner = "kmeans"
    data, offset = _centred(_check(X, n_clusters, owner))
    check_param(owner, "init", init, [Options(("k-means++", "random"))])
    check_param(owner, "n_init", n_init, [Interval(int, 1, None)])
    check_param(owner, "max_iter", max_iter, [Interval(int, 1, None)])
    check_param(owner, "tol", tol, [Interval(float, 0, None)])
    check_param(owner, "memory_budget", memory_budget, [Interval(int, 1, None)])
    rng = host_generator(generator, owner=owner)
    threshold = tol * float(data.var(dim=0, unbiased=False).mean()) if data.shape[0] > 1 else 0.0
    best: KMeansResult | None = None
    for _ in range(n_init):
        if init == "k-means++":
            centers = _kmeans_plusplus(data, n_clusters, rng, memory_budget)
        else:
            picks = torch.randperm(data.shape[0], generator=rng)[:n_clusters]
            centers = data[picks.to(data.device)].clone()
        state = _assign(data, centers, memory_budget)
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            counts = torch.bincount(state.labels, minlength=n_clusters)
            sums = torch.zeros_like(centers).index_add_(0, state.labels, data)
            updated = torch.where(
                counts[:, None] > 0, sums / counts.clamp(min=1)[:, None].to(sums), centers
            )
            _relocate_empty(data, updated, counts, state.sq)
            shift = float(((updated - centers) ** 2).sum())
            moved = (updated != centers).any(1)
            centers = updated
            state = _reassign(data, centers, moved, state, memory_budget)
            if shift <= threshold:
                break
        result = KMeansResult(centers, state.labels, float(state.sq.sum()), n_iter)
        if best is None or result.inertia < best.inertia:
            best = result
    assert best is not None
    found = int(torch.unique(best.labels).numel())
    if found < n_clusters:  # as scikit-learn: fewer distinct points than clusters
        warn_user(
            f"kmeans: only {found} distinct clusters were found for n_clusters={n_clusters} "
            "(X has fewer distinct points); some centres are duplicates.",
            TorchBalanceWarning,
        )
    return best._replace(centers=best.centers + offset)


def minibatch_kmeans(
    X: torch.Tensor,
    n_clusters: int,
    *,
    batch_size: int = 1024,
    max_iter: int = 100,
    tol: float = 1e-4,
    generator: int | torch.Generator | None = None,
    memory_budget: int = _DEFAULT_BUDGET,
) -> KMeansResult:
    """Mini-batch k-means (Sculley 2010): k-means++ seeding on a sample, then up to
    ``max_iter`` passes over the data in random batches, each centre moving towards its batch
    points with a per-centre learning rate ``1 / (points assigned so far)``; a pass whose
    squared centre shift is at most ``tol`` times the mean feature variance ends the run.

    Faster than :func:`kmeans` on large ``n``, at a slightly higher inertia.

    References:
        D. Sculley, "Web-scale k-means clustering", WWW 2010.

    Example:
        >>> X = torch.cat([torch.zeros(50, 2), torch.full((50, 2), 9.0)])
        >>> result = minibatch_kmeans(X, 2, batch_size=16, max_iter=5, generator=0)
        >>> result.inertia < 1e-6
        True
    """
    owner = "minibatch_kmeans"
    data, offset = _centred(_check(X, n_clusters, owner))
    check_param(owner, "batch_size", batch_size, [Interval(int, 1, None)])
    check_param(owner, "max_iter", max_iter, [Interval(int, 1, None)])
    check_param(owner, "tol", tol, [Interval(float, 0, None)])
    check_param(owner, "memory_budget", memory_budget, [Interval(int, 1, None)])
    rng = host_generator(generator, owner=owner)
    n = data.shape[0]
    threshold = tol * float(data.var(dim=0, unbiased=False).mean()) if n > 1 else 0.0
    seed_rows = torch.randperm(n, generator=rng)[: max(3 * batch_size, n_clusters)]
    centers = _kmeans_plusplus(data[seed_rows.to(data.device)], n_clusters, rng, memory_budget)
    seen = torch.zeros(n_clusters, dtype=centers.dtype, device=data.device)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        start = centers
        for rows in torch.randperm(n, generator=rng).to(data.device).split(batch_size):
            batch = data[rows]
            labels, _, _ = _nearest(batch, centers, memory_budget, None, second=False)
            counts = torch.bincount(labels, minlength=n_clusters).to(centers.dtype)
            sums = torch.zeros_like(centers).index_add_(0, labels, batch)
            seen += counts
            rate = (counts / seen.clamp(min=1))[:, None]
            means = sums / counts.clamp(min=1)[:, None]
            centers = centers + rate * (means - centers)  # rows with no points have rate 0
        if float(((centers - start) ** 2).sum()) <= threshold:
            break
    labels, sq, _ = _nearest(data, centers, memory_budget, None, second=False)
    return KMeansResult(centers + offset, labels, float(sq.sum()), n_iter)
