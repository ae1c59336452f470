"""What every sampler shares: epoch seeding, resumable iteration, sharding across ranks."""

from __future__ import annotations

import itertools
import numbers
import operator
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import Sampler

from .._types import GeneratorLike
from ..exceptions import DataValidationError, InvalidParameterError, TorchBalanceWarning
from ..labels import get_labels
from ..utils import Interval, check_generator, check_param, derive_seed, warn_user
from ._draw import shard, shard_length

__all__ = ["EpochSampler", "resolve_replicas", "sampler_labels"]

_CHUNK = 1 << 16  # indices turned into Python ints at a time


def sampler_labels(labels: Any, owner: str) -> torch.Tensor:
    """1-D int64 labels on the CPU from a dataset, tensor, array or list, or a clear error."""
    shape = getattr(labels, "shape", None)
    if shape is not None and len(shape) != 1 and not (len(shape) == 2 and shape[1] == 1):
        raise DataValidationError(
            f"{owner}: labels has shape {tuple(shape)}; one integer label per sample, shape "
            "(n_samples,), is needed (for one-hot labels pass labels.argmax(1); for multi-label "
            "data use MultilabelBalancedSampler)."
        )
    try:
        tensor = get_labels(labels)
    except DataValidationError as error:
        raise DataValidationError(f"{owner}: labels cannot be used: {error}") from error
    if tensor.numel() == 0:
        raise DataValidationError(f"{owner}: labels is empty; at least one sample is needed.")
    return tensor.cpu()


def resolve_replicas(owner: str, num_replicas: int | None, rank: int | None) -> tuple[int, int]:
    """``(num_replicas, rank)`` from the arguments, else from the initialised process group."""
    check_param(owner, "num_replicas", num_replicas, [Interval(int, 1, None), None])
    check_param(owner, "rank", rank, [Interval(int, 0, None), None])
    if num_replicas is None or rank is None:
        import torch.distributed as dist

        if not (dist.is_available() and dist.is_initialized()):
            raise InvalidParameterError(
                f"{owner}: torch.distributed is not initialised, so num_replicas and rank cannot "
                "be inferred; call torch.distributed.init_process_group first or pass "
                "num_replicas=... and rank=...."
            )
        num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
        rank = dist.get_rank() if rank is None else rank
    if rank >= num_replicas:
        raise InvalidParameterError(
            f"{owner}: rank={rank} is invalid for num_replicas={num_replicas}; it must be in "
            f"[0, {num_replicas - 1}]."
        )
    return int(num_replicas), int(rank)


def check_sampler_generator(owner: str, generator: Any) -> None:
    """A sampler's ``generator``: a seed >= 0, ``None`` or a torch.Generator on the CPU."""
    check_param(owner, "generator", generator, ["generator"])
    if isinstance(generator, numbers.Integral):
        check_generator(int(generator), owner=owner)  # the seed range torch takes
    if isinstance(generator, torch.Generator) and generator.device.type != "cpu":
        raise InvalidParameterError(
            f"{owner}: generator is a torch.Generator on {generator.device}; samplers draw indices "
            "on the CPU (as torch's own samplers do), so pass an int seed or a CPU torch.Generator."
        )


class EpochSampler(Sampler[Any], ABC):
    """Base of the package's samplers: one draw per epoch, sharded, resumable mid-epoch.

    Subclasses implement :meth:`_draw` (the whole epoch's items, as one tensor: indices, or rows
    of a batch) and :meth:`_global_length`. This class turns ``generator`` into the epoch's
    ``torch.Generator``, shards the draw across ranks, yields it chunk by chunk and remembers how
    far it got, so :meth:`state_dict` / :meth:`load_state_dict` resume the same order.

    Seeding: an int seed ``s`` draws epoch ``e`` from a generator seeded with ``s + e``; ``None``
    draws a base seed once, at the first iteration, from torch's global RNG (broadcast from rank
    0 when torch.distributed is initialised), then behaves like an int; a ``torch.Generator`` is
    used as is (its state advances; ``state_dict`` saves its state at the start of the epoch).
    After a complete pass the epoch advances by one, so consecutive passes differ even without
    :meth:`set_epoch`; ``set_epoch(e)`` pins the next pass to epoch ``e``.
    """

    _owner = "EpochSampler"

    def __init__(
        self,
        generator: GeneratorLike,
        *,
        num_replicas: int = 1,
        rank: int = 0,
        drop_last: bool = False,
    ) -> None:
        check_sampler_generator(self._owner, generator)
        check_param(self._owner, "drop_last", drop_last, [bool])
        self.generator = generator
        self.num_replicas = num_replicas
        self.rank = rank
        self.drop_last = drop_last
        self.epoch = 0
        self._base_seed: int | None = None
        self._start_state: torch.Tensor | None = None
        self._resume_position = 0
        self._restore_state = False
        self._live: tuple[int, int, Iterator[Any]] | None = None

    # -- to implement -------------------------------------------------------------------------
    @abstractmethod
    def _draw(self, generator: torch.Generator) -> torch.Tensor:
        """The epoch's whole (global) draw."""

    @abstractmethod
    def _global_length(self) -> int:
        """Length of the global draw, before sharding."""

    def _items_per_row(self) -> int:
        return 1

    # -- epochs and seeds -----------------------------------------------------------------------
    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch`` for the next pass (its draw depends only on seed and epoch).

        A resumed position (from :meth:`load_state_dict`) is kept when ``epoch`` is the epoch
        that was saved, so the usual ``set_epoch(epoch)`` at the top of the loop is safe.
        """
        check_param(self._owner, "epoch", epoch, [Interval(int, 0, None)])
        if epoch != self.epoch:
            self._resume_position = 0
            self._restore_state = False
        self.epoch = int(epoch)

    def _sync_seed(self, seed: int) -> int:
        if self.num_replicas > 1:
            import torch.distributed as dist

            if dist.is_available() and dist.is_initialized():
                box = [seed]
                dist.broadcast_object_list(box, src=0)
                return int(box[0])
        return seed

    def _epoch_generator(self) -> torch.Generator:
        if isinstance(self.generator, torch.Generator):
            if self._restore_state and self._start_state is not None:
                self.generator.set_state(self._start_state)
            self._restore_state = False
            self._start_state = self.generator.get_state()
            return self.generator
        return self._seeded_generator()

    def _seeded_generator(self) -> torch.Generator:
        """The epoch's generator for an int or ``None`` seed: seeded with ``seed + epoch``."""
        if self.generator is None:
            if self._base_seed is None:
                self._base_seed = self._sync_seed(derive_seed())
            seed = self._base_seed
        else:
            assert isinstance(self.generator, numbers.Integral)
            seed = int(self.generator)  # NumPy integers too
        return check_generator((seed + self.epoch) % 2**64, owner=self._owner)

    def epoch_indices(self, epoch: int | None = None) -> torch.Tensor:
        """This rank's whole pass as one int64 tensor, without iterating in Python.

        The same indices in the same order as iterating the sampler for ``epoch`` (default: the
        epoch the next pass draws); a batch sampler gives one row per batch. For training loops
        whose data are already tensors (on the GPU, say), the epoch never becomes 10M Python
        ints. Nothing about the sampler changes: its epoch, its position and its generator are
        left as they were, and a mid-epoch position from :meth:`load_state_dict` is ignored here
        (the whole pass is returned).

        With a ``torch.Generator`` the draw starts from the state the next pass would start from
        (it is copied, not advanced); ``epoch`` then only selects the epoch of a schedule.

        Example:
            >>> from torchbalance.samplers import ClassBalancedSampler
            >>> sampler = ClassBalancedSampler(torch.tensor([0, 0, 0, 1]), generator=0)
            >>> torch.equal(sampler.epoch_indices(), torch.tensor(list(sampler)))
            True
        """
        check_param(self._owner, "epoch", epoch, [Interval(int, 0, None), None])
        current = self.epoch
        self.epoch = current if epoch is None else int(epoch)
        try:
            if isinstance(self.generator, torch.Generator):
                state = self.generator.get_state()
                if self._restore_state and self._start_state is not None:
                    state = self._start_state
                generator = torch.Generator(device=self.generator.device)
                generator.set_state(state)
            else:
                generator = self._seeded_generator()
            draw = self._draw(generator)
        finally:
            self.epoch = current
        return shard(draw, self.num_replicas, self.rank, self.drop_last)

    # -- iteration -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return shard_length(self._global_length(), self.num_replicas, self.drop_last)

    def __iter__(self) -> Iterator[Any]:
        if self.drop_last and len(self) == 0 and self._global_length() > 0:
            warn_user(
                f"{self._owner}: drop_last=True with num_replicas={self.num_replicas} and an "
                f"epoch of {self._global_length()} items leaves every rank an empty epoch; use "
                "drop_last=False (shards are then padded) or fewer ranks.",
                TorchBalanceWarning,
            )
        draw = self._draw(self._epoch_generator())
        items = shard(draw, self.num_replicas, self.rank, self.drop_last)
        start, self._resume_position = self._resume_position, 0
        self._live = (start, 0, iter(()))
        # chain pulls each item from a list iterator in C; only the chunks pass through Python
        return itertools.chain.from_iterable(self._chunks(items, start))

    def _chunks(self, items: torch.Tensor, start: int) -> Iterator[Iterator[Any]]:
        step = max(1, _CHUNK // self._items_per_row())
        position = start
        total = items.shape[0]
        while position < total:
            chunk = items[position : position + step].tolist()
            it = iter(chunk)
            self._live = (position, len(chunk), it)
            yield it
            position += len(chunk)
        self._live = None
        self._start_state = None
        self.epoch += 1

    def _position(self) -> int:
        if self._live is None:
            return self._resume_position
        begin, size, it = self._live
        return begin + size - operator.length_hint(it)

    # -- checkpoints ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Where the sampler is: ``epoch``, ``position`` (items already yielded this epoch on this
        rank), the base ``seed`` and, for a ``torch.Generator``, its state at the epoch's start.

        ``position`` counts what the sampler yielded; a ``DataLoader`` prefetches, so save the
        loader's own progress (e.g. ``torchdata``'s ``StatefulDataLoader``) when exactness
        matters, or save between epochs.
        """
        state: torch.Tensor | None = None
        if isinstance(self.generator, torch.Generator):
            pending = self._live is not None or self._restore_state  # a pass started, or loaded
            state = self._start_state if pending else self.generator.get_state()
        return {
            "epoch": self.epoch,
            "position": self._position(),
            "seed": self._base_seed,
            "generator_state": state,
            "num_replicas": self.num_replicas,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue from a :meth:`state_dict`: the next pass yields the rest of that epoch."""
        missing = {"epoch", "position"} - set(state_dict)
        if missing:
            raise InvalidParameterError(
                f"{self._owner}: state_dict lacks {sorted(missing)}; pass the dict returned by "
                "state_dict()."
            )
        position = int(state_dict["position"])
        saved_world = state_dict.get("num_replicas", self.num_replicas)
        # the start of an epoch is the same for any world size (elastic resume between epochs)
        if saved_world != self.num_replicas and position != 0:
            raise InvalidParameterError(
                f"{self._owner}: state_dict was saved with num_replicas={saved_world}, but this "
                f"sampler has num_replicas={self.num_replicas}; a position within another world "
                "size's shard means other items. Resume with the same world size, or from the "
                "start of an epoch (load only 'epoch' and 'seed', with position=0)."
            )
        if not 0 <= position <= len(self):
            raise InvalidParameterError(
                f"{self._owner}: state_dict position={position} is invalid; this rank's epoch "
                f"holds {len(self)} items, so it must be in [0, {len(self)}]."
            )
        epoch = int(state_dict["epoch"])
        if epoch < 0:
            raise InvalidParameterError(
                f"{self._owner}: state_dict epoch={epoch} is invalid; epochs are >= 0."
            )
        self._live = None
        self.epoch = epoch
        self._resume_position = position
        if state_dict.get("seed") is not None:
            self._base_seed = int(state_dict["seed"])
        state = state_dict.get("generator_state")
        if state is not None:
            self._start_state = state
            self._restore_state = True
