"""The samplers' math, once: grouping labels, the class-then-index draw, sharding.

Every function here is pure (tensors and a ``torch.Generator`` in, a tensor out), so the
class-balanced, scheduled, multi-label and distributed samplers share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch

from ._huge_pages import in_huge_pages

__all__ = [
    "BLOCK",
    "Groups",
    "allocate",
    "block_uniforms",
    "build_guide_table",
    "class_then_index",
    "class_then_index_without_replacement",
    "group_by_label",
    "inverse_cdf_draw",
    "power_probabilities",
    "shard",
    "shard_length",
    "weighted_without_replacement",
]

BLOCK = 1 << 18
"""Samples drawn per block: the temporaries (a few times ``BLOCK`` words) stay in cache, which
halves the time of a large draw against blocks of ``1 << 22``, and memory stays bounded."""

_FEW_CLASSES = 16  # below this, one boolean pass per class beats a full sort

_MAX_WORKERS = 4
"""Threads that draw blocks at once (at most ``torch.get_num_threads()``). mt19937 is one
sequential stream and the gathers barely split inside one operation, so separate blocks on
separate threads are what uses a second core: a 10M draw took 0.13 s on 2 threads against 0.20 s
on one."""


@dataclass(frozen=True)
class Groups:
    """Sample indices grouped by class: class ``c`` owns ``order[starts[c]:starts[c]+counts[c]]``.

    Attributes:
        classes: Label value of each group, int64 ``(C,)``.
        counts: Samples per group, int64 ``(C,)``, all ``> 0``.
        starts: Offset of each group in ``order``, int64 ``(C,)``.
        order: Sample indices sorted by group, ascending within a group, ``(sum(counts),)``
            (int32 when every index fits, else int64).
    """

    classes: torch.Tensor
    counts: torch.Tensor
    starts: torch.Tensor
    order: torch.Tensor


def _compact(order: torch.Tensor, n: int) -> torch.Tensor:
    return order.to(torch.int32) if n < 2**31 else order


def group_by_label(labels: torch.Tensor) -> Groups:
    """Group the indices of 1-D int64 ``labels`` by label value (present labels only).

    The result is the same whichever internal path is taken: indices ascending within a class,
    classes in increasing label order.
    """
    labels = labels.reshape(-1).cpu()
    n = labels.numel()
    low, high = int(labels.min()), int(labels.max())
    if low >= 0 and high < max(4 * n, 1 << 16):
        full = torch.bincount(labels, minlength=high + 1)
        classes = torch.nonzero(full).reshape(-1)
        counts = full[classes]
        codes = labels
    else:  # negative or very sparse label values: encode them first
        classes, codes, counts = torch.unique(labels, return_inverse=True, return_counts=True)
        classes = classes.long()
    starts = torch.cumsum(counts, 0) - counts
    if classes.numel() <= _FEW_CLASSES:
        keys = classes if codes is labels else torch.arange(classes.numel())
        order = torch.cat(
            [_compact(torch.nonzero(codes == c).reshape(-1), n) for c in keys.tolist()]
        )
    else:
        order = _compact(torch.sort(codes, stable=True).indices, n)
    return Groups(
        classes=classes, counts=counts.long(), starts=starts.long(), order=in_huge_pages(order)
    )


def power_probabilities(counts: torch.Tensor, power: float) -> torch.Tensor:
    """Class probabilities ``p_c ∝ n_c ** power`` in float64, computed in log space."""
    return torch.softmax(power * torch.log(counts.double()), dim=0)


def allocate(probabilities: torch.Tensor, total: int) -> torch.Tensor:
    """Integer counts summing to ``total`` closest to ``probabilities * total`` (largest remainder).

    Example:
        >>> allocate(torch.tensor([0.5, 0.25, 0.25], dtype=torch.float64), 5).tolist()
        [3, 1, 1]
    """
    exact = probabilities.double() * total
    counts = torch.floor(exact).long()
    short = total - int(counts.sum())
    if short > 0:
        # stable descending order of the remainders: ties go to the lower class
        order = torch.sort(exact - counts, descending=True, stable=True).indices
        counts[order[:short]] += 1
    return counts


def block_uniforms(
    generator: torch.Generator, num_samples: int
) -> list[Callable[[], torch.Tensor]]:
    """The float64 uniforms of a draw of ``num_samples``, as one callable per block of
    :data:`BLOCK` that returns that block's uniforms.

    The generator gives one seed; block ``b`` is the stream of a fresh generator seeded with
    ``seed + b`` (distinct streams, never the same one twice in a draw). So the blocks can be
    drawn in any order, on any thread, and the draw depends only on ``generator``.
    """
    base = int(torch.randint(0, 2**62, (1,), dtype=torch.int64, generator=generator))

    def uniforms(block: int, size: int) -> Callable[[], torch.Tensor]:
        def draw() -> torch.Tensor:
            stream = torch.Generator().manual_seed(base + block)
            return torch.rand(size, dtype=torch.float64, generator=stream)

        return draw

    return [
        uniforms(block, min(BLOCK, num_samples - begin))
        for block, begin in enumerate(range(0, num_samples, BLOCK))
    ]


def _fill_in_blocks(
    out: torch.Tensor,
    generator: torch.Generator,
    fill: Callable[[torch.Tensor], torch.Tensor],
) -> torch.Tensor:
    """``out[block] = fill(uniforms of block)`` for every block, on up to :data:`_MAX_WORKERS`
    threads; the result does not depend on how many."""
    draws = block_uniforms(generator, out.numel())

    def one(block: int) -> None:
        begin = block * BLOCK
        out[begin : begin + BLOCK] = fill(draws[block]())

    workers = min(_MAX_WORKERS, torch.get_num_threads(), len(draws))
    if workers <= 1:
        for block in range(len(draws)):
            one(block)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="torchbalance-draw") as pool:
            for _ in pool.map(one, range(len(draws))):
                pass
    return out


def class_then_index(
    groups: Groups,
    probabilities: torch.Tensor,
    num_samples: int,
    generator: torch.Generator,
) -> torch.Tensor:
    """Draw ``num_samples`` indices with replacement: a class ``c ~ probabilities``, then an index
    uniformly within class ``c``. O(1) per index, in blocks of :data:`BLOCK` (see
    :func:`block_uniforms`).

    One float64 uniform ``u`` serves both steps: its bucket in the class CDF is the class, and
    its position inside the bucket, ``(u - cdf[c-1]) / p_c``, is again uniform on ``[0, 1)``
    and picks the index within the class (53 bits of ``u`` leave far more than enough for both).
    With up to :data:`_FEW_CLASSES` classes the bucket is a sum of comparisons ``u >= cdf[j]``,
    several times faster than ``bucketize``'s per-element binary search and the same result.

    Returns:
        Int64 tensor ``(num_samples,)`` of sample indices.
    """
    cdf = torch.cumsum(probabilities.double(), 0)
    cdf /= cdf[-1].clone()
    inner = cdf[:-1].contiguous()  # the class of u is the number of inner bounds <= u
    low = torch.cat([cdf.new_zeros(1), inner])
    width = (cdf - low).clamp_(min=torch.finfo(torch.float64).tiny)  # 0 only if never drawn
    # Shrunk by 2**-50 (a relative bias far below float64 noise) so that, with every rounding
    # of the subtraction and products, ``(u - low[c]) * scale[c]`` stays below ``counts[c]``;
    # ``u >= low[c]`` keeps it at or above 0.
    scale = groups.counts.double() / width * (1.0 - 2.0**-50)
    # positions in ``order`` as int32 when they fit: half the memory traffic of int64
    position = torch.int32 if groups.order.numel() < 2**31 else torch.int64
    starts = groups.starts.to(position)
    bounds = inner.tolist() if inner.numel() < _FEW_CLASSES else None

    def indices(u: torch.Tensor) -> torch.Tensor:
        if bounds is None:
            cls = torch.bucketize(u, inner, right=True)
        elif bounds:
            cls = torch.ge(u, bounds[0]).to(position)
            for bound in bounds[1:]:
                cls += u >= bound
        else:
            cls = torch.zeros(u.numel(), dtype=position)
        offset = u.sub_(low.index_select(0, cls)).mul_(scale.index_select(0, cls)).to(position)
        offset += starts.index_select(0, cls)
        return groups.order.index_select(0, offset)

    return _fill_in_blocks(torch.empty(num_samples, dtype=torch.int64), generator, indices)


def class_then_index_without_replacement(
    groups: Groups, per_class: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Exactly ``per_class[c]`` distinct indices of each class ``c`` (``<= counts[c]``), shuffled.

    Returns:
        Int64 tensor ``(per_class.sum(),)``.
    """
    parts = []
    for start, count, take in zip(
        groups.starts.tolist(), groups.counts.tolist(), per_class.tolist(), strict=True
    ):
        if take == 0:
            continue
        chosen = torch.randperm(count, generator=generator)[:take]
        parts.append(groups.order[start + chosen].long())
    drawn = torch.cat(parts) if parts else torch.empty(0, dtype=torch.int64)
    return drawn[torch.randperm(drawn.numel(), generator=generator)]


def build_guide_table(weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised float64 CDF of non-negative ``weights`` and its guide table.

    ``guide[b]`` is the first index whose CDF exceeds ``b / m`` (``m = len(weights)`` buckets),
    so a uniform ``u`` in bucket ``b`` is resolved by a short forward search from ``guide[b]``
    (Chen & Asau's indexed search): expected O(1) per draw, exact inverse-CDF sampling.
    """
    top = weights.double().max()
    # scaled by the largest first: finite weights near float64's limit sum past it
    cdf = torch.cumsum(weights.double() / top, 0)
    cdf /= cdf[-1].clone()
    last = int(torch.nonzero(weights > 0).max())
    cdf[last:] = 1.0  # u < 1 never reaches the zero-weight tail
    m = weights.numel()
    grid = torch.arange(m, dtype=torch.float64) / m
    guide = torch.searchsorted(cdf, grid, right=True)
    return in_huge_pages(cdf), in_huge_pages(guide)


def inverse_cdf_draw(
    cdf: torch.Tensor, guide: torch.Tensor, num_samples: int, generator: torch.Generator
) -> torch.Tensor:
    """``num_samples`` iid indices ``i`` with ``P(i) = cdf[i] - cdf[i-1]`` (see the guide table).

    Returns:
        Int64 tensor ``(num_samples,)``.
    """
    m = guide.numel()

    def indices(u: torch.Tensor) -> torch.Tensor:
        k = guide.index_select(0, (u * m).long().clamp_(max=m - 1))
        for _ in range(4):
            behind = cdf.index_select(0, k) <= u
            if not bool(behind.any()):
                break
            k += behind
        else:
            rest = torch.nonzero(cdf[k] <= u).reshape(-1)
            if rest.numel():
                k[rest] = torch.searchsorted(cdf, u[rest], right=True)
        return k

    return _fill_in_blocks(torch.empty(num_samples, dtype=torch.int64), generator, indices)


def weighted_without_replacement(
    weights: torch.Tensor, num_samples: int, generator: torch.Generator
) -> torch.Tensor:
    """Successive weighted sampling without replacement (Efraimidis & Spirakis keys ``E_i / w_i``).

    Returns the ``num_samples`` indices in draw order, int64 ``(num_samples,)``; the order has the
    distribution of drawing one item at a time with probability proportional to its weight.
    """
    keys = torch.empty(weights.numel(), dtype=torch.float64).exponential_(generator=generator)
    keys /= weights.double()  # zero weights give inf keys and are never chosen
    if num_samples * 4 < weights.numel():
        return torch.topk(keys, num_samples, largest=False, sorted=True).indices
    return torch.sort(keys, stable=True).indices[:num_samples]


def shard(items: torch.Tensor, num_replicas: int, rank: int, drop_last: bool) -> torch.Tensor:
    """Rank ``rank``'s share of ``items`` (along dim 0), as ``DistributedSampler`` splits them.

    ``drop_last`` drops the tail that does not divide evenly; otherwise the draw is padded by
    repeating it from the start. Rank ``r`` takes rows ``r, r + R, r + 2R, ...``, so the shards are
    disjoint in position, equal in length, and interleaved they give back the (padded) draw.

    Example:
        >>> shard(torch.arange(5), 2, 1, drop_last=False).tolist()
        [1, 3, 0]
    """
    if num_replicas == 1:
        return items
    n = items.shape[0]
    if drop_last:
        items = items[: (n // num_replicas) * num_replicas]
    else:
        total = -(-n // num_replicas) * num_replicas
        if total > n and n > 0:
            reps = -(-(total - n) // n)
            items = torch.cat([items, items.repeat(reps, *([1] * (items.dim() - 1)))[: total - n]])
    return items[rank::num_replicas]


def shard_length(n: int, num_replicas: int, drop_last: bool) -> int:
    """Length of every rank's shard of ``n`` items."""
    return n // num_replicas if drop_last else -(-n // num_replicas)
