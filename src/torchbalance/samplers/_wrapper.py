"""Shard any sampler across ranks."""

from __future__ import annotations

import numbers
from typing import Any

import torch
from torch.utils.data import Sampler

from ..exceptions import InvalidParameterError
from ..utils import derive_seed
from ._base import EpochSampler, resolve_replicas

__all__ = ["DistributedSamplerWrapper"]


class DistributedSamplerWrapper(EpochSampler):
    """Run any sampler in distributed training: every rank draws it, then keeps its shard.

    ``DistributedSampler(dataset)`` ignores a sampler; this wrapper keeps it. Each epoch every
    rank makes the wrapped sampler draw the same global order, then keeps positions ``rank,
    rank + R, ...`` (padded by repeating the draw, or cut with ``drop_last``), so shards are
    disjoint, of equal length, and together they are the single-process draw.

    The same order on every rank comes from: ``sampler.set_epoch(epoch)`` when the sampler has
    it (the package's samplers, whose ``generator=None`` takes this wrapper's seed;
    ``DistributedSampler``-style ones: give them an int seed); else,
    for a sampler with a ``generator`` attribute (``WeightedRandomSampler``, ``RandomSampler``),
    a fresh generator seeded with ``seed + epoch`` is set on it for the draw. A sampler with
    neither must itself be deterministic.

    Args:
        sampler: Any ``Sampler`` (or iterable of indices or of batches) with a length.
        num_replicas: Number of ranks; default the process group's world size.
        rank: This process's rank; default its rank in the process group.
        drop_last: Drop the tail that does not divide evenly instead of padding.
        generator: Seed for samplers seeded through their ``generator`` attribute: an int
            (epoch ``e`` uses ``seed + e``) or ``None`` (one seed drawn at the first pass from
            torch's global RNG and broadcast from rank 0 when the process group is initialised).

    Raises:
        InvalidParameterError: ``sampler`` without ``__len__``/``__iter__``, a
            ``torch.Generator`` as ``generator`` (ranks could not agree on it), or missing or
            invalid ``num_replicas``/``rank``.

    Example:
        >>> from torch.utils.data import WeightedRandomSampler
        >>> inner = WeightedRandomSampler([1.0, 1.0, 5.0, 5.0, 1.0], num_samples=5)
        >>> shards = [list(DistributedSamplerWrapper(inner, num_replicas=2, rank=r, generator=0))
        ...           for r in range(2)]
        >>> [len(s) for s in shards]
        [3, 3]
    """

    _owner = "DistributedSamplerWrapper"

    def __init__(
        self,
        sampler: Sampler[Any] | Any,
        *,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
        generator: int | None = None,
    ) -> None:
        if isinstance(generator, torch.Generator):
            raise InvalidParameterError(
                f"{self._owner}: generator=torch.Generator is invalid; ranks must agree on the "
                "draw, so pass an int seed or None."
            )
        if not (hasattr(sampler, "__iter__") and hasattr(sampler, "__len__")):
            raise InvalidParameterError(
                f"{self._owner}: sampler={type(sampler).__name__} is invalid; it must be a "
                "Sampler with __iter__ and __len__."
            )
        replicas, this_rank = resolve_replicas(self._owner, num_replicas, rank)
        super().__init__(generator, num_replicas=replicas, rank=this_rank, drop_last=drop_last)
        self.sampler = sampler
        # a wrapped package sampler with a torch.Generator draws from its current state: the
        # state at the start of this pass, and one loaded to resume from
        self._inner_start_state: torch.Tensor | None = None
        self._inner_resume_state: torch.Tensor | None = None

    def _inner_generator(self) -> torch.Generator | None:
        inner = self.sampler
        if isinstance(inner, EpochSampler) and isinstance(inner.generator, torch.Generator):
            return inner.generator
        return None

    def state_dict(self) -> dict[str, Any]:
        """As :meth:`EpochSampler.state_dict`, plus ``inner_generator_state``: the state of a
        wrapped package sampler's ``torch.Generator`` at the start of this pass (the next
        pass's start between passes), so that a resumed pass draws the same order."""
        state = super().state_dict()
        inner = self._inner_generator()
        if inner is not None:
            if self._inner_resume_state is not None:
                state["inner_generator_state"] = self._inner_resume_state
            elif self._live is not None:
                state["inner_generator_state"] = self._inner_start_state
            else:
                state["inner_generator_state"] = inner.get_state()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As :meth:`EpochSampler.load_state_dict`; a saved ``inner_generator_state`` is set on
        the wrapped sampler's generator before the resumed pass draws."""
        super().load_state_dict(state_dict)
        self._inner_resume_state = state_dict.get("inner_generator_state")

    def _epoch_seed(self) -> int:
        if self.generator is None:
            if self._base_seed is None:
                self._base_seed = self._sync_seed(derive_seed())
            return self._base_seed + self.epoch
        seed = self.generator
        assert isinstance(seed, numbers.Integral)
        return int(seed) + self.epoch

    def epoch_indices(self, epoch: int | None = None) -> torch.Tensor:
        """As :meth:`EpochSampler.epoch_indices`; the wrapped sampler is left as it was too
        (its epoch and, when it has one, its ``torch.Generator``'s state)."""
        inner: Any = self.sampler
        inner_generator = getattr(inner, "generator", None)
        if not isinstance(inner_generator, torch.Generator):
            inner_generator = None
        state = None if inner_generator is None else inner_generator.get_state()
        inner_epoch = getattr(inner, "epoch", None)
        saved = (self._inner_start_state, self._inner_resume_state)
        try:
            return super().epoch_indices(epoch)
        finally:
            if inner_generator is not None and state is not None:
                inner_generator.set_state(state)
            if inner_epoch is not None:
                inner.epoch = inner_epoch
            self._inner_start_state, self._inner_resume_state = saved

    def _draw(self, generator: torch.Generator) -> torch.Tensor:
        del generator  # the wrapped sampler draws
        inner: Any = self.sampler
        if callable(getattr(inner, "set_epoch", None)):
            inner.set_epoch(self.epoch)
            if isinstance(inner, EpochSampler):
                inner._resume_position = 0  # the wrapper tracks the position
                if inner.generator is None:  # its own seed would differ between ranks
                    inner._base_seed = self._epoch_seed() - self.epoch
            inner_generator = self._inner_generator()
            if inner_generator is not None:
                if self._inner_resume_state is not None:
                    inner_generator.set_state(self._inner_resume_state)
                    inner._restore_state = False  # the wrapper's saved state comes first
                    self._inner_resume_state = None
                self._inner_start_state = inner_generator.get_state()
            drawn = list(inner)
        elif hasattr(inner, "generator"):
            previous = inner.generator
            inner.generator = torch.Generator().manual_seed(self._epoch_seed() % 2**64)
            try:
                drawn = list(inner)
            finally:
                inner.generator = previous
        else:
            drawn = list(inner)
        if drawn and isinstance(drawn[0], (list, tuple)) and len({len(b) for b in drawn}) > 1:
            raise InvalidParameterError(
                f"{self._owner}: the wrapped batch sampler yields batches of different sizes; "
                "give it drop_last=True (or wrap the index sampler and batch afterwards)."
            )
        return torch.tensor(drawn, dtype=torch.int64)

    def _items_per_row(self) -> int:
        return max(1, getattr(self.sampler, "batch_size", 1) or 1)

    def _global_length(self) -> int:
        return len(self.sampler)
