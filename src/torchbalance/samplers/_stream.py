"""Rebalancing a stream that cannot be indexed, by acceptance (rejection) sampling."""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import torch
from torch.utils.data import IterableDataset, get_worker_info

from .._types import GeneratorLike
from ..exceptions import DataValidationError, InvalidParameterError
from ..utils import IsCallable, Options, check_generator, check_param, derive_seed
from ._base import check_sampler_generator, resolve_replicas

__all__ = ["StreamRebalancer"]

_OWNER = "StreamRebalancer"
_PRIOR_TOLERANCE = 1e-6
_UNIFORM_BLOCK = 4096  # uniforms drawn at a time


def _mix_seed(seed: int, epoch: int, worker: int) -> int:
    """Seed of worker ``worker`` in epoch ``epoch``: a deterministic function of all three."""
    generator = torch.Generator().manual_seed((seed + epoch) % (2**63))
    return int(torch.randint(0, 2**62, (worker + 1,), generator=generator)[worker])


def _process_group() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized()


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_class_key(name: str, key: Any) -> int:
    if isinstance(key, bool) or not isinstance(key, numbers.Integral):
        raise InvalidParameterError(
            f"{_OWNER}: {name} has the key {key!r}; keys must be int class labels, as label_fn "
            "returns them."
        )
    return int(key)


def _check_target(target: Any) -> dict[int, float] | None:
    """``None`` for ``"balanced"``, else the normalised positive shares."""
    if isinstance(target, str):
        check_param(_OWNER, "target", target, [Options(("balanced",))])
        return None
    if not isinstance(target, Mapping):
        raise InvalidParameterError(
            f"{_OWNER}: target={target!r} is invalid; it must be 'balanced' or a dict "
            "{class: share}."
        )
    shares = _non_negative_by_class(
        "target",
        target,
        "every share must be a finite number >= 0 (use 0, or leave the class out, to drop it)",
    )
    total = sum(shares.values())
    if total <= 0:
        raise InvalidParameterError(
            f"{_OWNER}: target={dict(target)!r} gives no class a positive share; give at least "
            "one class a share > 0, or use target='balanced'."
        )
    return {label: share / total for label, share in shares.items() if share > 0}


def _non_negative_by_class(name: str, values: Mapping[Any, Any], rule: str) -> dict[int, float]:
    """``{class: float}`` from a user dict whose values must be finite and >= 0."""
    checked: dict[int, float] = {}
    for key, value in values.items():
        label = _check_class_key(name, key)
        if not _is_real(value) or not math.isfinite(float(value)) or value < 0:
            raise InvalidParameterError(f"{_OWNER}: {name}[{label}]={value!r} is invalid; {rule}.")
        checked[label] = float(value)
    return checked


def _check_priors(priors: Any, target: dict[int, float] | None) -> dict[int, float] | None:
    if priors is None:
        return None
    if not isinstance(priors, Mapping) or len(priors) == 0:
        raise InvalidParameterError(
            f"{_OWNER}: priors={priors!r} is invalid; it must be a non-empty dict "
            "{class: probability} or None (to estimate the priors from the stream)."
        )
    checked = _non_negative_by_class("priors", priors, "a prior must be a finite probability >= 0")
    total = sum(checked.values())
    if abs(total - 1.0) > _PRIOR_TOLERANCE:
        raise InvalidParameterError(
            f"{_OWNER}: priors sum to {total:.9g}, not 1 (within {_PRIOR_TOLERANCE:g}); pass "
            "probabilities, e.g. divide class counts by their total."
        )
    targeted = checked.keys() if target is None else target.keys()
    for label in sorted(targeted):
        if label not in checked:
            raise InvalidParameterError(
                f"{_OWNER}: target gives class {label} a positive share but priors does not "
                f"list it; add priors[{label}] or drop the class from target."
            )
        if checked[label] <= 0:
            raise InvalidParameterError(
                f"{_OWNER}: priors[{label}]={checked[label]!r} but class {label} is targeted; a "
                "targeted class needs a prior > 0 (it cannot be drawn otherwise). Fix the prior "
                "or drop the class from target."
            )
    return checked


class StreamRebalancer(IterableDataset[Any]):
    """Rebalance an iterable dataset or stream by accepting each item with a class probability.

    Item ``x`` of class ``c = label_fn(x)`` is kept with probability
    ``a_c = (t_c / p_c) / max_c' (t_c' / p_c')``, where ``t`` is the target class distribution
    and ``p`` the class priors of the stream; the class with the largest ratio is always kept.
    The kept items are then distributed as ``t`` (rejection sampling), whatever the stream's
    length, and items are yielded unchanged, in stream order. Nothing is buffered, so this works
    on data that cannot be indexed (WebDataset shards, generators, network streams); the price is
    that only a fraction ``sum_c p_c a_c`` of the stream is kept.

    Priors: given ``priors``, the acceptance probabilities are exact and fixed. With
    ``priors=None`` they are estimated online from the classes seen so far in the current pass,
    with add-one smoothing: ``p_c ∝ n_c + 1``, where ``n_c`` counts the items of class ``c`` seen
    so far, the current one included. Targeted classes not seen yet do not enter the maximum, so
    until every targeted class has shown up and its count is large (a warm-up of a few hundred
    items per class), the kept distribution is only approximately ``t``; it converges to ``t``
    as the counts grow.

    Workers and ranks: every reader (a ``DataLoader`` worker, on every rank of a distributed
    job) must read a disjoint share of the stream. If the wrapped dataset has an attribute
    ``shards_by_worker`` its truth value says whether it shards itself; otherwise a
    ``torch.utils.data.IterableDataset`` is assumed to shard itself across workers and ranks (as
    WebDataset's ``split_by_node`` / ``split_by_worker`` do) and is left alone, and any other
    iterable (list, range, custom iterable) is split by position: with ``W`` workers per rank and
    ``R`` ranks, worker ``w`` of rank ``r`` takes items ``i`` with ``i % (R W) == r W + w``. Each
    reader draws from its own generator, seeded from ``(seed, epoch, r W + w)``.
    ``set_epoch`` reaches persistent workers (``persistent_workers=True``) too: the epoch is
    kept in shared memory. Acceptance is random, so ranks keep different numbers of items:
    under DistributedDataParallel wrap the training loop in
    ``torch.distributed.algorithms.Join`` (or stop every rank at the smallest count), since a
    rank with more batches would otherwise wait for the others' gradients.

    Seeding: an int seed ``s`` makes epoch ``e`` draw with seed ``s + e`` in a single process
    (a deterministic mix of ``s + e`` and the reader's index otherwise), so every pass of an
    epoch is identical; call :meth:`set_epoch` at the top of each epoch to get a fresh draw (the
    epoch does not advance by itself). ``None`` draws a base seed once, at the first pass, from
    torch's global RNG. A ``torch.Generator`` is used as is by the one reader of a single process
    without workers (its state advances, the epoch is ignored); any other reader mixes a seed
    derived from it with the epoch and its index, so alike-seeded ranks decide differently.

    Counts: :meth:`seen_counts`, :meth:`accepted_counts` and :meth:`achieved_distribution`
    describe the current (or last) pass *in this process*. With ``num_workers > 0`` the passes
    run in the worker processes, so these stay empty in the main process; count the yielded
    items (they are unchanged) with ``label_fn`` instead.

    Args:
        dataset: Any iterable of items: a ``torch.utils.data.IterableDataset``, a list, an
            iterable object. A one-shot iterator (a generator) can be passed through once.
        label_fn: ``label_fn(item) -> int``, the class of an item (an int, or anything with
            ``__index__`` such as a 0-d integer tensor).
        target: ``"balanced"`` (equal shares for every class: the classes of ``priors`` when
            given, else the classes seen so far), or a dict ``{class: share}`` of non-negative
            shares, normalised to sum to 1. Classes absent from the dict, or with share 0, get
            share 0: all their items are dropped.
        priors: Class probabilities of the stream, ``{class: p}``, summing to 1 within 1e-6
            (they are not normalised); every class of the stream must be listed, and every
            targeted class needs ``p > 0``. ``None`` estimates them online (see above).
        generator: An int seed, a ``torch.Generator`` or ``None`` (see Seeding).
        num_replicas: Number of ranks reading the stream (default: the initialised process
            group's world size, else 1).
        rank: This process's rank (default: the process group's, else 0).

    Raises:
        InvalidParameterError: If ``dataset`` is not iterable, ``label_fn`` is not callable,
            ``target`` is not ``"balanced"`` or has a negative, non-finite or only zero shares,
            ``priors`` has negative or non-finite values, does not sum to 1, or misses or gives
            ``p <= 0`` to a targeted class, ``generator`` is not a seed, generator or None, or
            ``rank`` is not below ``num_replicas``.
        DataValidationError: During iteration, if ``label_fn`` returns something that is not an
            integer, or the stream has a class that the given ``priors`` does not list.

    References:
        J. von Neumann, "Various techniques used in connection with random digits", National
        Bureau of Standards Applied Math Series 12, 1951 (rejection sampling).
        M. Saerens, P. Latinne and C. Decaestecker, "Adjusting the outputs of a classifier to new
        a priori probabilities", Neural Computation 14(1), 2002 (class-prior shift).
        B. Krawczyk, "Learning from imbalanced data: open challenges and future directions",
        Progress in Artificial Intelligence 5, 2016 (rebalancing of data streams).

    Example:
        >>> stream = [(i, 0 if i % 10 else 1) for i in range(2000)]  # 90% class 0
        >>> balanced = StreamRebalancer(
        ...     stream, label_fn=lambda item: item[1], priors={0: 0.9, 1: 0.1}, generator=0
        ... )
        >>> kept = list(balanced)
        >>> balanced.accepted_counts()[1] == 200  # the rarest class is always kept
        True
        >>> 150 < balanced.accepted_counts()[0] < 250
        True
    """

    def __init__(
        self,
        dataset: Iterable[Any],
        *,
        label_fn: Callable[[Any], int],
        target: str | Mapping[int, float] = "balanced",
        priors: Mapping[int, float] | None = None,
        generator: GeneratorLike = None,
        num_replicas: int | None = None,
        rank: int | None = None,
    ) -> None:
        if not isinstance(dataset, Iterable):
            raise InvalidParameterError(
                f"{_OWNER}: dataset={dataset!r} is not iterable; pass an iterable dataset or "
                "stream (for a map-style dataset use ClassBalancedSampler)."
            )
        if not IsCallable().is_satisfied_by(label_fn):
            raise InvalidParameterError(
                f"{_OWNER}: label_fn={label_fn!r} is invalid; it must be a callable "
                "label_fn(item) -> int returning the class of a stream item."
            )
        check_sampler_generator(_OWNER, generator)
        self._target = _check_target(target)
        self._priors = _check_priors(priors, self._target)
        self.dataset = dataset
        self.label_fn = label_fn
        self.target = target
        self.priors = priors
        self.generator = generator
        if num_replicas is None and rank is None and not _process_group():
            self.num_replicas, self.rank = 1, 0
        else:
            self.num_replicas, self.rank = resolve_replicas(_OWNER, num_replicas, rank)
        # in shared memory, so that set_epoch reaches persistent DataLoader workers too
        self._epoch = torch.zeros((), dtype=torch.int64).share_memory_()
        self._base_seed: int | None = None
        self._fixed_acceptance = self._acceptance_from_priors()
        self._seen: dict[int, int] = {}
        self._accepted: dict[int, int] = {}
        self._consumed = 0
        self._skip = 0
        self._start_state: torch.Tensor | None = None
        self._restore_state = False

    # -- acceptance -------------------------------------------------------------------------------
    def _acceptance_from_priors(self) -> dict[int, float] | None:
        if self._priors is None:
            return None
        if self._target is None:
            shares = {label: 1.0 / len(self._priors) for label in self._priors}
        else:
            shares = self._target
        ratios = {label: share / self._priors[label] for label, share in shares.items()}
        top = max(ratios.values())
        return {label: ratios.get(label, 0.0) / top for label in self._priors}

    def _estimated_acceptance(self, label: int) -> float:
        seen = self._seen
        if self._target is None:  # balanced over the classes seen so far
            return (min(seen.values()) + 1) / (seen[label] + 1)
        share = self._target.get(label, 0.0)
        if share == 0.0:
            return 0.0
        top = max(s / (seen[c] + 1) for c, s in self._target.items() if c in seen)
        return (share / (seen[label] + 1)) / top

    def _label(self, item: Any) -> int:
        value = self.label_fn(item)
        try:
            return operator.index(value)
        except TypeError:
            raise DataValidationError(
                f"{_OWNER}: label_fn returned {value!r} ({type(value).__name__}) for a stream "
                "item; it must return an int class label."
            ) from None

    # -- epochs, seeds and workers ----------------------------------------------------------------
    @property
    def epoch(self) -> int:
        """The epoch the next passes draw (see :meth:`set_epoch`)."""
        return int(self._epoch)

    @epoch.setter
    def epoch(self, epoch: int) -> None:
        self.set_epoch(epoch)

    # the epoch's shared memory: a copy gets its own (shared again, for its own workers), while
    # a DataLoader worker receives the original's through torch's pickler (already shared)
    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if not self._epoch.is_shared():
            self._epoch = self._epoch.clone().share_memory_()

    def __copy__(self) -> StreamRebalancer:
        twin = type(self).__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin._epoch = self._epoch.clone().share_memory_()
        return twin

    def set_epoch(self, epoch: int) -> None:
        """Draw the next passes as epoch ``epoch`` (an int seed ``s`` then uses ``s + epoch``)."""
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
            raise InvalidParameterError(
                f"{_OWNER}: epoch={epoch!r} is invalid; it must be an int >= 0."
            )
        if epoch != self.epoch:
            self._skip = 0
            self._restore_state = False
        self._epoch.fill_(int(epoch))

    def _pass_generator(self, worker: int | None, reader: int | None) -> torch.Generator:
        """The pass's generator; ``reader`` is this reader's index among all ranks' workers
        (``None`` for the one reader of a single process without workers)."""
        if isinstance(self.generator, torch.Generator):
            if worker is None:
                if self._restore_state and self._start_state is not None:
                    self.generator.set_state(self._start_state)
                self._restore_state = False
                self._start_state = self.generator.get_state()
                if reader is None:
                    return self.generator
            # ranks given alike-seeded generators must not make the same decisions
            seed = derive_seed(self.generator)
        elif self.generator is None:
            if self._base_seed is None:
                self._base_seed = derive_seed()
            seed = self._base_seed
        else:
            seed = int(self.generator)
        if reader is None:
            return check_generator((seed + self.epoch) % 2**64, owner=_OWNER)
        return check_generator(_mix_seed(seed, self.epoch, reader), owner=_OWNER)

    def _shards_itself(self) -> bool:
        flag = getattr(self.dataset, "shards_by_worker", None)
        if flag is not None:
            return bool(flag)
        return isinstance(self.dataset, IterableDataset)

    # -- iteration --------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Any]:
        info = get_worker_info()
        worker = None if info is None else int(info.id)
        workers = 1 if info is None else int(info.num_workers)
        readers = self.num_replicas * workers
        reader = self.rank * workers + (worker or 0)
        generator = self._pass_generator(worker, reader if readers > 1 else None)
        items: Iterable[Any] = self.dataset
        if readers > 1 and not self._shards_itself():
            items = (
                item for position, item in enumerate(self.dataset) if position % readers == reader
            )
        self._seen = {}
        self._accepted = {}
        self._consumed = 0
        skip, self._skip = self._skip, 0
        return self._rebalance(items, generator, skip)

    def _rebalance(
        self, items: Iterable[Any], generator: torch.Generator, skip: int
    ) -> Iterator[Any]:
        """Yield the accepted items; the first ``skip`` items read replay a saved pass (every
        decision is made again, from the same uniforms, but nothing is yielded).
        """
        fixed = self._fixed_acceptance
        seen, accepted = self._seen, self._accepted
        uniforms: list[float] = []
        for item in items:
            self._consumed += 1
            label = self._label(item)
            if fixed is not None and label not in fixed:
                raise DataValidationError(
                    f"{_OWNER}: the stream has an item of class {label}, which priors does not "
                    f"list; add priors[{label}] (priors must cover every class of the stream) "
                    "or pass priors=None to estimate them."
                )
            seen[label] = seen.get(label, 0) + 1
            rate = fixed[label] if fixed is not None else self._estimated_acceptance(label)
            if rate <= 0.0:
                continue
            if rate < 1.0:
                if not uniforms:
                    block = torch.rand(_UNIFORM_BLOCK, dtype=torch.float64, generator=generator)
                    uniforms = block.tolist()[::-1]
                if uniforms.pop() >= rate:
                    continue
            accepted[label] = accepted.get(label, 0) + 1
            if self._consumed > skip:
                yield item

    # -- checkpoints ------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Where this process's pass is: ``epoch``, ``consumed`` (stream items read so far in the
        current pass, kept or not), the base ``seed`` and, for a ``torch.Generator``, its state at
        the start of the pass.

        A stream cannot be rewound, so :meth:`load_state_dict` resumes by reading the stream
        again from its start and replaying the first ``consumed`` decisions without yielding:
        the resumed pass yields exactly the items the interrupted one had not yet yielded,
        provided the stream gives the same items in the same order again (a seeded shard list,
        a file). With ``num_workers > 0`` the passes run in the workers and this object does not
        see them; save between epochs (``epoch`` and ``seed`` then suffice) or use a stateful
        loader.
        """
        return {
            "epoch": self.epoch,
            "num_replicas": self.num_replicas,
            "rank": self.rank,
            "consumed": self._consumed,
            "seed": self._base_seed,
            "generator_state": self._start_state
            if isinstance(self.generator, torch.Generator)
            else None,
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Continue from a :meth:`state_dict`: the next pass yields the rest of that pass."""
        missing = {"epoch", "consumed"} - set(state_dict)
        if missing:
            raise InvalidParameterError(
                f"{_OWNER}: state_dict lacks {sorted(missing)}; pass the dict returned by "
                "state_dict()."
            )
        consumed = int(state_dict["consumed"])
        saved = (
            state_dict.get("num_replicas", self.num_replicas),
            state_dict.get("rank", self.rank),
        )
        if consumed and saved != (self.num_replicas, self.rank):
            raise InvalidParameterError(
                f"{_OWNER}: state_dict was saved mid-pass by rank {saved[1]} of {saved[0]}, but "
                f"this is rank {self.rank} of {self.num_replicas}; its share of the stream holds "
                "other items. Resume with the same ranks, or from the start of an epoch "
                "(consumed=0)."
            )
        self._epoch.fill_(int(state_dict["epoch"]))
        self._skip = consumed
        self._consumed = self._skip  # saved again before the next pass: the same position
        if state_dict.get("seed") is not None:
            self._base_seed = int(state_dict["seed"])
        state = state_dict.get("generator_state")
        if state is not None:
            self._start_state = state
            self._restore_state = True

    # -- reports ----------------------------------------------------------------------------------
    def seen_counts(self) -> dict[int, int]:
        """Items of each class read from the stream in the current (or last) pass, this process."""
        return dict(sorted(self._seen.items()))

    def accepted_counts(self) -> dict[int, int]:
        """Items of each class yielded in the current (or last) pass, in this process."""
        return dict(sorted(self._accepted.items()))

    def achieved_distribution(self) -> dict[int, float]:
        """Share of each class among the yielded items (``{}`` before any item was yielded)."""
        total = sum(self._accepted.values())
        if total == 0:
            return {}
        return {label: count / total for label, count in sorted(self._accepted.items())}

    def acceptance_probabilities(self) -> dict[int, float]:
        """The acceptance probability of every class: fixed when ``priors`` is given, else the
        current estimate for each class seen in this process's current (or last) pass.
        """
        if self._fixed_acceptance is not None:
            return dict(sorted(self._fixed_acceptance.items()))
        return {label: self._estimated_acceptance(label) for label in sorted(self._seen)}

    def __repr__(self) -> str:
        return (
            f"{_OWNER}(dataset={type(self.dataset).__name__}, target={self.target!r}, "
            f"priors={self.priors!r}, generator={self.generator!r})"
        )
