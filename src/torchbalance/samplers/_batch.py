"""Batches of P classes × K samples."""

from __future__ import annotations

from typing import Any

import torch

from .._types import GeneratorLike
from ..exceptions import InvalidParameterError
from ..utils import Interval, check_param
from ._base import EpochSampler, resolve_replicas, sampler_labels
from ._draw import Groups, group_by_label

__all__ = ["BalancedBatchSampler", "DistributedBalancedBatchSampler", "pk_batches"]


_KEYS_PER_CHUNK = 1 << 20  # uniform keys drawn at once when choosing the batches' classes


def pk_batches(
    groups: Groups,
    num_batches: int,
    classes_per_batch: int,
    samples_per_class: int,
    generator: torch.Generator,
) -> torch.Tensor:
    """``num_batches`` batches of ``P`` distinct classes × ``K`` samples each.

    Classes are chosen uniformly without replacement per batch. Each class serves its samples
    from a stream of fresh random permutations cut to a multiple of ``K`` (when it has at least
    ``K`` samples), so no sample repeats within a batch and every sample is used about equally
    across the epoch; a class with fewer than ``K`` samples repeats its samples within the batch.

    Returns:
        Int64 tensor ``(num_batches, P * K)``; row ``b`` holds ``K`` indices of its first class,
        then ``K`` of its second, and so on.
    """
    p, k = classes_per_batch, samples_per_class
    num_classes = groups.counts.numel()
    # the batches' classes: the top P of uniform keys, in chunks of batches so that the keys
    # stay small with many classes (the same draws as one (B, C) matrix)
    step = max(1, _KEYS_PER_CHUNK // num_classes)
    chosen = torch.cat(
        [
            torch.topk(
                torch.rand(min(step, num_batches - start), num_classes, generator=generator),
                p,
                dim=1,
            ).indices.reshape(-1)
            for start in range(0, num_batches, step)
        ]
    )  # (B * P,) class ids
    by_class = torch.sort(chosen, stable=True)
    occurrences = torch.bincount(chosen, minlength=num_classes).tolist()
    blocks = []
    for c, occ in enumerate(occurrences):
        if occ == 0:
            continue
        n_c = int(groups.counts[c])
        usable = (n_c // k) * k if n_c >= k else n_c
        need = occ * k
        passes = -(-need // usable)
        perms = torch.rand(passes, n_c, generator=generator).argsort(dim=1)[:, :usable]
        picks = perms.reshape(-1)[:need] + int(groups.starts[c])
        blocks.append(groups.order[picks].long().reshape(occ, k))
    rows = torch.empty(num_batches * p, k, dtype=torch.int64)
    rows[by_class.indices] = torch.cat(blocks)
    return rows.reshape(num_batches, p * k)


class BalancedBatchSampler(EpochSampler):
    """Batch sampler yielding lists of ``classes_per_batch`` classes × ``samples_per_class``.

    The P×K sampler of metric learning and few-shot episodes, and a way to make every batch see
    the minority classes. Pass it as ``DataLoader(dataset, batch_sampler=...)``.

    Args:
        labels: A dataset understood by :func:`torchbalance.labels.get_labels`, or its labels,
            shape ``(n_samples,)``.
        classes_per_batch: ``P``, distinct classes per batch, ``1 <= P <= number of classes``.
        samples_per_class: ``K``, samples of each class per batch (distinct when the class has
            at least ``K``).
        num_batches: Batches per epoch; default ``len(labels) // (P * K)`` (at least 1).
        generator: Int seed (epoch ``e`` uses ``seed + e``), ``torch.Generator`` or ``None``.

    Raises:
        DataValidationError: Labels of the wrong shape or type, or empty.
        InvalidParameterError: ``classes_per_batch`` above the number of classes, or a
            parameter out of range.

    Example:
        >>> labels = torch.tensor([0] * 20 + [1] * 5 + [2] * 3)
        >>> batches = list(BalancedBatchSampler(labels, classes_per_batch=2,
        ...                                     samples_per_class=3, generator=0))
        >>> len(batches), len(batches[0]), len(set(labels[batches[0]].tolist()))
        (4, 6, 2)
    """

    _owner = "BalancedBatchSampler"

    def __init__(
        self,
        labels: Any,
        *,
        classes_per_batch: int,
        samples_per_class: int,
        num_batches: int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        self._setup(labels, classes_per_batch, samples_per_class, num_batches, generator)

    def _setup(
        self,
        labels: Any,
        classes_per_batch: int,
        samples_per_class: int,
        num_batches: int | None,
        generator: GeneratorLike,
        **replicas: Any,
    ) -> None:
        owner = self._owner
        super().__init__(generator, **replicas)
        check_param(owner, "classes_per_batch", classes_per_batch, [Interval(int, 1, None)])
        check_param(owner, "samples_per_class", samples_per_class, [Interval(int, 1, None)])
        check_param(owner, "num_batches", num_batches, [Interval(int, 1, None), None])
        y = sampler_labels(labels, owner)
        self._groups = group_by_label(y)
        num_classes = self._groups.counts.numel()
        if classes_per_batch > num_classes:
            raise InvalidParameterError(
                f"{owner}: classes_per_batch={classes_per_batch} is invalid; labels has only "
                f"{num_classes} classes. Lower classes_per_batch to at most {num_classes}."
            )
        self.classes_ = self._groups.classes
        self.class_counts_ = self._groups.counts
        self.classes_per_batch = int(classes_per_batch)
        self.samples_per_class = int(samples_per_class)
        self.batch_size = self.classes_per_batch * self.samples_per_class
        self.num_batches = (
            max(1, y.numel() // self.batch_size) if num_batches is None else int(num_batches)
        )

    def _items_per_row(self) -> int:
        return self.batch_size

    def _draw(self, generator: torch.Generator) -> torch.Tensor:
        return pk_batches(
            self._groups,
            self.num_batches,
            self.classes_per_batch,
            self.samples_per_class,
            generator,
        )

    def _global_length(self) -> int:
        return self.num_batches


class DistributedBalancedBatchSampler(BalancedBatchSampler):
    """:class:`BalancedBatchSampler` for distributed training: each rank yields whole batches.

    Every rank draws the same ``num_batches`` global batches and keeps batches
    ``rank, rank + R, ...`` (padded by repeating from the start, or cut with ``drop_last``).

    Args:
        labels, classes_per_batch, samples_per_class, num_batches, generator: As
            :class:`BalancedBatchSampler`; ``num_batches`` counts global batches.
        num_replicas: Number of ranks; default the process group's world size.
        rank: This process's rank; default its rank in the process group.
        drop_last: Drop the batches that do not divide evenly instead of padding.

    Raises:
        InvalidParameterError: As :class:`BalancedBatchSampler`, and for missing or invalid
            ``num_replicas``/``rank``.

    Example:
        >>> labels = torch.tensor([0] * 6 + [1] * 6)
        >>> sampler = DistributedBalancedBatchSampler(labels, classes_per_batch=2,
        ...     samples_per_class=2, num_replicas=2, rank=1, generator=0)
        >>> len(sampler), len(next(iter(sampler)))
        (2, 4)
    """

    _owner = "DistributedBalancedBatchSampler"

    def __init__(
        self,
        labels: Any,
        *,
        classes_per_batch: int,
        samples_per_class: int,
        num_batches: int | None = None,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
        generator: GeneratorLike = None,
    ) -> None:
        replicas, this_rank = resolve_replicas(self._owner, num_replicas, rank)
        self._setup(
            labels,
            classes_per_batch,
            samples_per_class,
            num_batches,
            generator,
            num_replicas=replicas,
            rank=this_rank,
            drop_last=drop_last,
        )
