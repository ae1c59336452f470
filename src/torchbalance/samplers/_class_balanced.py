"""Class-balanced sampling: a class first, then an index within it."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import torch

from .._types import GeneratorLike, SamplingStrategy
from ..exceptions import DataValidationError, InvalidParameterError
from ..utils import Interval, check_param, check_sampling_strategy
from ._base import EpochSampler, resolve_replicas, sampler_labels
from ._draw import (
    Groups,
    allocate,
    class_then_index,
    class_then_index_without_replacement,
    group_by_label,
    power_probabilities,
)

__all__ = ["ClassBalancedSampler", "DistributedClassBalancedSampler"]


def _finite_float(owner: str, name: str, value: Any) -> float:
    check_param(owner, name, value, [Interval(float, None, None)])
    if not math.isfinite(float(value)):
        raise InvalidParameterError(f"{owner}: {name}={value!r} is invalid; it must be finite.")
    return float(value)


def _strategy_targets(
    strategy: SamplingStrategy, labels: torch.Tensor, groups: Groups, replacement: bool, owner: str
) -> torch.Tensor:
    """Target count of every class (label order) from an imbalanced-learn ``sampling_strategy``.

    Strings and floats keep imbalanced-learn's meaning: over-sampling targets with replacement,
    under-sampling targets without. A dict (or a callable's dict) gives absolute targets for the
    classes it names; the other classes keep their counts.
    """
    counts = groups.counts.clone()
    index = {label: i for i, label in enumerate(groups.classes.tolist())}
    if callable(strategy) and not isinstance(strategy, Mapping):
        strategy = strategy(labels)
        if not isinstance(strategy, Mapping):
            raise InvalidParameterError(
                f"{owner}: the sampling_strategy callable returned {type(strategy).__name__}; "
                "it must return a dict {class: target count}."
            )
    if isinstance(strategy, Mapping):
        for label, target in strategy.items():
            if label not in index:
                raise DataValidationError(
                    f"{owner}: sampling_strategy asks for class {label!r}, which has no samples in "
                    f"labels (the classes present are {list(index)}); an empty class cannot be "
                    "sampled. Drop it from sampling_strategy."
                )
            if isinstance(target, bool) or not isinstance(target, numbers.Integral) or target < 0:
                raise InvalidParameterError(
                    f"{owner}: sampling_strategy[{label!r}]={target!r} is invalid; a target count "
                    "must be an int >= 0."
                )
            counts[index[label]] = int(target)
        return counts
    kind = "over-sampling" if replacement else "under-sampling"
    resolved = check_sampling_strategy(strategy, labels, kind, owner=owner)
    for label, n in resolved.items():
        i = index[label]
        counts[i] = counts[i] + n if replacement else n
    return counts


class ClassBalancedSampler(EpochSampler):
    """Sample indices with class probabilities ``p_c ∝ n_c ** power`` or per-class targets.

    Each index is drawn in two steps: a class ``c`` with probability ``p_c``, then a sample of
    ``c`` uniformly. This is O(1) per index, vectorised over the whole epoch, and has no limit on
    the number of samples (``WeightedRandomSampler`` refuses more than ``2**24``). ``power=0``
    is class-balanced, ``0.5`` square-root and ``1`` instance-balanced sampling (Kang et al.,
    2020); ``sampling_strategy`` gives target counts instead, in imbalanced-learn's grammar.

    Args:
        labels: A dataset understood by :func:`torchbalance.labels.get_labels`, or its labels,
            shape ``(n_samples,)``, integers.
        sampling_strategy: Target counts per class: a dict ``{class: count}`` (the classes not
            named keep their count, so ``{3: 500}`` means "over-sample class 3 to 500, keep the
            rest"), a callable ``f(labels) -> dict``, or imbalanced-learn's strings and floats
            (over-sampling targets when ``replacement=True``, under-sampling targets when
            ``False``). ``p_c`` is proportional to the targets. Excludes ``power``.
        power: Exponent of the class counts (any finite float) when no ``sampling_strategy``.
        num_samples: Indices per epoch; default the sum of the targets, ``len(labels)`` for
            ``power`` with replacement, and the most that fit without replacement otherwise.
        replacement: ``False`` draws each class's share without repeats within an epoch (an
            undersampling of the large classes that changes every epoch); class shares are then
            exact (largest-remainder rounding of ``p_c * num_samples``).
        generator: Int seed (epoch ``e`` uses ``seed + e``), ``torch.Generator`` or ``None``.

    Attributes:
        classes_: Label values present, int64 ``(C,)``.
        class_counts_: Samples per class, int64 ``(C,)``.
        class_probabilities_: ``p_c``, float64 ``(C,)``.
        num_samples: Indices per epoch (before sharding).

    Raises:
        DataValidationError: Labels of the wrong shape or type, empty labels, or a
            ``sampling_strategy`` naming a class with no samples.
        InvalidParameterError: A parameter out of range (the message names it), or
            ``replacement=False`` with more samples of a class than it has.

    References:
        Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019.
        Kang et al., "Decoupling Representation and Classifier for Long-Tailed Recognition",
        ICLR 2020.

    Example:
        >>> labels = torch.tensor([0] * 90 + [1] * 10)
        >>> sampler = ClassBalancedSampler(labels, generator=0)
        >>> drawn = labels[list(sampler)]
        >>> len(drawn), abs(int(drawn.sum()) - 50) < 15
        (100, True)
        >>> sampler.set_epoch(3)
        >>> list(sampler)[:3] == list(ClassBalancedSampler(labels, generator=3))[:3]
        True
    """

    _owner = "ClassBalancedSampler"

    def __init__(
        self,
        labels: Any,
        *,
        sampling_strategy: SamplingStrategy | None = None,
        power: float = 0.0,
        num_samples: int | None = None,
        replacement: bool = True,
        generator: GeneratorLike = None,
    ) -> None:
        self._setup(labels, sampling_strategy, power, num_samples, replacement, generator)

    def _setup(
        self,
        labels: Any,
        sampling_strategy: SamplingStrategy | None,
        power: float,
        num_samples: int | None,
        replacement: bool,
        generator: GeneratorLike,
        **replicas: Any,
    ) -> None:
        owner = self._owner
        super().__init__(generator, **replicas)
        power = _finite_float(owner, "power", power)
        check_param(owner, "num_samples", num_samples, [Interval(int, 1, None), None])
        check_param(owner, "replacement", replacement, [bool])
        if sampling_strategy is not None and power != 0.0:
            raise InvalidParameterError(
                f"{owner}: power={power} and sampling_strategy were both given; they are two ways "
                "of setting the class probabilities, pass one."
            )
        y = sampler_labels(labels, owner)
        self._groups = group_by_label(y)
        self.classes_ = self._groups.classes
        self.class_counts_ = self._groups.counts
        self.power = power
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        if sampling_strategy is not None:
            targets = _strategy_targets(sampling_strategy, y, self._groups, replacement, owner)
            if int(targets.sum()) == 0:
                raise InvalidParameterError(
                    f"{owner}: sampling_strategy asks for 0 samples in total; ask for at least one."
                )
            probabilities = targets.double() / targets.sum()
            default = int(targets.sum())
        else:
            probabilities = power_probabilities(self._groups.counts, power)
            default = y.numel()
            if not replacement:
                default = _most_that_fit(probabilities, self._groups.counts)
        self.class_probabilities_ = probabilities
        self.num_samples = default if num_samples is None else int(num_samples)
        self._per_class: torch.Tensor | None = None
        if not replacement:
            self._per_class = allocate(probabilities, self.num_samples)
            over = torch.nonzero(self._per_class > self._groups.counts).reshape(-1)
            if over.numel():
                c = int(over[0])
                raise InvalidParameterError(
                    f"{owner}: without replacement, num_samples={self.num_samples} needs "
                    f"{int(self._per_class[c])} samples of class {int(self.classes_[c])}, which "
                    f"has {int(self._groups.counts[c])}; lower num_samples (at most "
                    f"{_most_that_fit(probabilities, self._groups.counts)}), change "
                    "sampling_strategy, or set replacement=True."
                )

    def _class_probabilities(self) -> torch.Tensor:
        return self.class_probabilities_

    def _draw(self, generator: torch.Generator) -> torch.Tensor:
        if self._per_class is not None:
            return class_then_index_without_replacement(self._groups, self._per_class, generator)
        return class_then_index(
            self._groups, self._class_probabilities(), self.num_samples, generator
        )

    def _global_length(self) -> int:
        return self.num_samples


def _most_that_fit(probabilities: torch.Tensor, counts: torch.Tensor) -> int:
    """The largest epoch ``N`` whose exact shares ``N p_c`` all fit the class counts (at least
    1): ``floor(min_c n_c / p_c)``, plus one where that quotient rounded just below a whole
    number (``p_c = n_c / n`` gives ``n - 1`` for about 9 label sets in 10)."""
    have = counts.double()
    total = max(1, int(torch.min(have / probabilities).floor()))
    if bool(((total + 1) * probabilities <= have * (1 + 1e-12)).all()):
        total += 1
    return total


class DistributedClassBalancedSampler(ClassBalancedSampler):
    """:class:`ClassBalancedSampler` for distributed training: each rank yields its shard.

    Every rank computes the same global draw (from the seed and the epoch) and keeps positions
    ``rank, rank + R, ...``: shards are disjoint, of equal length (padded by repeating the draw
    from its start, or cut with ``drop_last``), and together they are the single-process draw.

    Args:
        labels, sampling_strategy, power, num_samples, replacement, generator: As
            :class:`ClassBalancedSampler`; ``num_samples`` is the global number per epoch.
        num_replicas: Number of ranks; default the world size of the process group.
        rank: This process's rank; default its rank in the process group.
        drop_last: Drop the tail that does not divide evenly instead of padding.

    Raises:
        InvalidParameterError: As :class:`ClassBalancedSampler`, and when ``num_replicas`` or
            ``rank`` are missing without an initialised process group, or out of range.

    Example:
        >>> labels = torch.tensor([0] * 8 + [1] * 2)
        >>> shards = [list(DistributedClassBalancedSampler(labels, num_replicas=2, rank=r,
        ...                                                generator=0)) for r in range(2)]
        >>> full = list(ClassBalancedSampler(labels, generator=0))
        >>> [len(s) for s in shards], sorted(shards[0] + shards[1]) == sorted(full)
        ([5, 5], True)
    """

    _owner = "DistributedClassBalancedSampler"

    def __init__(
        self,
        labels: Any,
        *,
        sampling_strategy: SamplingStrategy | None = None,
        power: float = 0.0,
        num_samples: int | None = None,
        replacement: bool = True,
        num_replicas: int | None = None,
        rank: int | None = None,
        drop_last: bool = False,
        generator: GeneratorLike = None,
    ) -> None:
        replicas, this_rank = resolve_replicas(self._owner, num_replicas, rank)
        self._setup(
            labels,
            sampling_strategy,
            power,
            num_samples,
            replacement,
            generator,
            num_replicas=replicas,
            rank=this_rank,
            drop_last=drop_last,
        )
