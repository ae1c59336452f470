"""``epoch_indices()``: the pass as one tensor, equal to iterating, and side-effect free."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch.utils.data import WeightedRandomSampler

from torchbalance.exceptions import InvalidParameterError
from torchbalance.samplers import (
    BalancedBatchSampler,
    ClassBalancedSampler,
    DeferredPower,
    DistributedClassBalancedSampler,
    DistributedSamplerWrapper,
    MultilabelBalancedSampler,
    ScheduledSampler,
    WeightedSampler,
)

LABELS = torch.tensor([0] * 40 + [1] * 7 + [2] * 13)

SAMPLERS: dict[str, Callable[[Any], Any]] = {
    "class_balanced": lambda g: ClassBalancedSampler(LABELS, generator=g),
    "without_replacement": lambda g: ClassBalancedSampler(LABELS, replacement=False, generator=g),
    "weighted": lambda g: WeightedSampler(torch.rand(60) + 0.1, num_samples=50, generator=g),
    "batch": lambda g: BalancedBatchSampler(
        LABELS, classes_per_batch=2, samples_per_class=3, generator=g
    ),
    "scheduled": lambda g: ScheduledSampler(
        LABELS, schedule=DeferredPower(switch_epoch=1), generator=g
    ),
    "multilabel": lambda g: MultilabelBalancedSampler(
        torch.rand(60, 4, generator=torch.Generator().manual_seed(1)) < 0.3, generator=g
    ),
    "distributed": lambda g: DistributedClassBalancedSampler(
        LABELS, num_replicas=3, rank=1, generator=g
    ),
}


def _as_tensor(items: list[Any]) -> torch.Tensor:
    return torch.tensor(items, dtype=torch.int64)


@pytest.mark.parametrize("kind", sorted(SAMPLERS))
@pytest.mark.parametrize("seed", [0, "generator", None])
def test_equals_the_next_pass_and_changes_nothing(kind, seed):
    generator = torch.Generator().manual_seed(5) if seed == "generator" else seed
    sampler = SAMPLERS[kind](generator)
    for _ in range(2):  # epochs 0 and 1
        indices = sampler.epoch_indices()
        again = sampler.epoch_indices()
        state = sampler.state_dict()
        assert torch.equal(indices, again)
        assert torch.equal(indices, _as_tensor(list(sampler)))
        assert state["epoch"] + 1 == sampler.epoch  # only the pass itself advanced the epoch


@pytest.mark.parametrize("kind", ["class_balanced", "scheduled", "batch"])
def test_explicit_epoch_matches_set_epoch(kind):
    sampler = SAMPLERS[kind](0)
    chosen = sampler.epoch_indices(epoch=3)
    assert sampler.epoch == 0
    sampler.set_epoch(3)
    assert torch.equal(chosen, _as_tensor(list(sampler)))
    assert not torch.equal(chosen, sampler.epoch_indices(epoch=0))


def test_scheduled_epoch_selects_the_schedule():
    sampler = ScheduledSampler(LABELS, schedule=DeferredPower(switch_epoch=1), generator=0)
    before = LABELS[sampler.epoch_indices(epoch=0)]
    after = LABELS[sampler.epoch_indices(epoch=1)]
    # instance-balanced before the switch: class 0 dominates; class-balanced after it
    assert (before == 0).sum() > 30
    assert (after == 0).sum() < 35


def test_resumed_sampler_returns_the_whole_pass():
    sampler = ClassBalancedSampler(LABELS, generator=torch.Generator().manual_seed(2))
    full = sampler.epoch_indices()
    iterator = iter(sampler)
    head = [next(iterator) for _ in range(10)]
    saved = sampler.state_dict()
    resumed = ClassBalancedSampler(LABELS, generator=torch.Generator().manual_seed(99))
    resumed.load_state_dict(saved)
    assert torch.equal(resumed.epoch_indices(), full)
    assert head + list(resumed) == full.tolist()


def test_shards_of_all_ranks_interleave_to_the_single_process_draw():
    single = ClassBalancedSampler(LABELS, generator=4).epoch_indices()
    shards = [
        DistributedClassBalancedSampler(LABELS, num_replicas=4, rank=r, generator=4).epoch_indices()
        for r in range(4)
    ]
    assert {s.numel() for s in shards} == {15}
    assert torch.equal(torch.stack(shards, 1).reshape(-1), single)


def test_wrapper_of_a_torch_sampler():
    inner = WeightedRandomSampler(torch.rand(30).tolist(), num_samples=30)
    wrapper = DistributedSamplerWrapper(inner, num_replicas=2, rank=0, generator=1)
    assert torch.equal(wrapper.epoch_indices(), _as_tensor(list(wrapper)))


def test_bad_epoch_names_the_parameter():
    sampler = ClassBalancedSampler(LABELS, generator=0)
    with pytest.raises(InvalidParameterError, match="epoch"):
        sampler.epoch_indices(epoch=-1)


def test_numpy_integer_seeds_and_targets_are_ints():
    import numpy as np

    from torchbalance.samplers import ClassBalancedSampler, DistributedSamplerWrapper

    labels = torch.tensor([0] * 90 + [1] * 10)
    numpy_seeded = ClassBalancedSampler(labels, generator=np.int64(3))
    assert list(numpy_seeded) == list(ClassBalancedSampler(labels, generator=3))
    targeted = ClassBalancedSampler(labels, sampling_strategy={1: np.int64(50)}, generator=0)
    plain = ClassBalancedSampler(labels, sampling_strategy={1: 50}, generator=0)
    assert targeted.num_samples == plain.num_samples and list(targeted) == list(plain)
    wrapped = DistributedSamplerWrapper(
        ClassBalancedSampler(labels, generator=0), num_replicas=2, rank=0, generator=np.int64(1)
    )
    assert len(list(wrapped)) == len(wrapped)


def test_the_wrapper_leaves_an_inner_torch_generator_untouched():
    from torchbalance.samplers import ClassBalancedSampler, DistributedSamplerWrapper

    labels = torch.tensor([0] * 90 + [1] * 10)
    inner = ClassBalancedSampler(labels, generator=torch.Generator().manual_seed(0))
    wrapper = DistributedSamplerWrapper(inner, num_replicas=2, rank=0, generator=0)
    before = inner.generator.get_state()
    first = wrapper.epoch_indices()
    assert torch.equal(inner.generator.get_state(), before)
    assert torch.equal(first, torch.tensor(list(wrapper)))
