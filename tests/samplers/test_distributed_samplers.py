from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import WeightedRandomSampler

from _sampler_workers import LABELS, draw_on_rank
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.samplers import (
    BalancedBatchSampler,
    ClassBalancedSampler,
    DistributedBalancedBatchSampler,
    DistributedClassBalancedSampler,
    DistributedSamplerWrapper,
    WeightedSampler,
)


def _check_shards(shards: list[list], full: list, drop_last: bool) -> None:
    replicas = len(shards)
    lengths = {len(s) for s in shards}
    assert len(lengths) == 1, "shards differ in length"
    n = len(full)
    expected_length = n // replicas if drop_last else -(-n // replicas)
    assert lengths == {expected_length}
    interleaved = [shards[r][i] for i in range(expected_length) for r in range(replicas)]
    padded = (full * (replicas + 1))[: expected_length * replicas]
    assert interleaved == padded  # positions are disjoint and together give the draw


@settings(max_examples=25, deadline=None)
@pytest.mark.filterwarnings("ignore:.*leaves every rank an empty epoch")
@given(
    replicas=st.integers(1, 8),
    num_samples=st.integers(1, 60),
    drop_last=st.booleans(),
    epoch=st.integers(0, 3),
)
def test_class_balanced_shards(replicas, num_samples, drop_last, epoch):
    single = ClassBalancedSampler(LABELS, num_samples=num_samples, generator=9)
    single.set_epoch(epoch)
    shards = []
    for rank in range(replicas):
        sampler = DistributedClassBalancedSampler(
            LABELS,
            num_samples=num_samples,
            num_replicas=replicas,
            rank=rank,
            drop_last=drop_last,
            generator=9,
        )
        sampler.set_epoch(epoch)
        shards.append(list(sampler))
    _check_shards(shards, list(single), drop_last)


@settings(max_examples=15, deadline=None)
@given(replicas=st.integers(1, 8), drop_last=st.booleans())
def test_batch_and_wrapper_shards(replicas, drop_last):
    kwargs = {"classes_per_batch": 2, "samples_per_class": 3, "num_batches": 11, "generator": 2}
    shards = [
        list(
            DistributedBalancedBatchSampler(
                LABELS, num_replicas=replicas, rank=r, drop_last=drop_last, **kwargs
            )
        )
        for r in range(replicas)
    ]
    _check_shards(shards, list(BalancedBatchSampler(LABELS, **kwargs)), drop_last)
    weights = torch.rand(30, generator=torch.Generator().manual_seed(0))
    inner = [WeightedSampler(weights, num_samples=23, generator=4) for _ in range(replicas)]
    shards = [
        list(
            DistributedSamplerWrapper(inner[r], num_replicas=replicas, rank=r, drop_last=drop_last)
        )
        for r in range(replicas)
    ]
    _check_shards(shards, list(WeightedSampler(weights, num_samples=23, generator=4)), drop_last)


def test_wrapper_seeds_torch_samplers_and_follows_epochs():
    weights = [1.0] * 20 + [10.0] * 5

    def shards(epoch):
        out = []
        for rank in range(3):
            wrapper = DistributedSamplerWrapper(
                WeightedRandomSampler(weights, num_samples=25),
                num_replicas=3,
                rank=rank,
                generator=0,
            )
            wrapper.set_epoch(epoch)
            out.append(list(wrapper))
        return out

    first = shards(0)
    inner = WeightedRandomSampler(weights, 25, generator=torch.Generator().manual_seed(0))
    _check_shards(first, list(inner), drop_last=False)
    assert shards(0) == first
    assert shards(1) != first


def test_needs_a_process_group_or_explicit_ranks():
    with pytest.raises(InvalidParameterError, match="num_replicas=... and rank="):
        DistributedClassBalancedSampler(LABELS)
    with pytest.raises(InvalidParameterError, match="rank=2 is invalid for num_replicas=2"):
        DistributedClassBalancedSampler(LABELS, num_replicas=2, rank=2)
    with pytest.raises(InvalidParameterError, match="num_replicas=0"):
        DistributedSamplerWrapper([1, 2], num_replicas=0, rank=0)
    with pytest.raises(InvalidParameterError, match="generator=torch.Generator"):
        DistributedSamplerWrapper([1, 2], num_replicas=1, rank=0, generator=torch.Generator())


def test_gloo_two_processes(tmp_path):
    init = f"file://{tmp_path / 'rendezvous'}"
    out = str(tmp_path / "shard")
    mp.spawn(draw_on_rank, args=(2, init, out), nprocs=2, join=True)
    results = [json.loads(Path(f"{out}.{r}").read_text()) for r in range(2)]
    assert results[0]["none_seed"] == results[1]["none_seed"]
    single = ClassBalancedSampler(LABELS, num_samples=51, generator=5)
    single.set_epoch(2)
    _check_shards([r["seeded"] for r in results], list(single), drop_last=False)
    _check_shards(
        [r["wrapper"] for r in results],
        list(ClassBalancedSampler(LABELS, generator=5)),
        drop_last=True,
    )
    rebuilt = ClassBalancedSampler(LABELS, num_samples=51, generator=results[0]["none_seed"] + 2)
    _check_shards([r["none"] for r in results], list(rebuilt), drop_last=False)


def test_the_wrapper_seeds_an_unseeded_package_sampler_alike_on_every_rank():
    labels = torch.tensor([0] * 20 + [1] * 4)
    shards = []
    for rank in range(2):
        torch.manual_seed(100 + rank)  # each rank's global RNG differs
        inner = ClassBalancedSampler(labels)
        shards.append(
            list(DistributedSamplerWrapper(inner, num_replicas=2, rank=rank, generator=0))
        )
    seeded = list(ClassBalancedSampler(labels, generator=0))
    assert shards[0] == seeded[0::2] and shards[1] == seeded[1::2]


def test_seeds_wrap_around_at_two_to_the_64():
    sampler = ClassBalancedSampler(torch.tensor([0, 0, 1]), generator=2**64 - 1)
    first, second = list(sampler), list(sampler)  # epoch 1 uses seed 0
    assert second == list(ClassBalancedSampler(torch.tensor([0, 0, 1]), generator=0))
    assert len(first) == 3
    with pytest.raises(
        InvalidParameterError, match=r"a seed must be a non-negative int below 2\*\*64"
    ):
        ClassBalancedSampler(torch.tensor([0, 1]), generator=2**64)


def test_load_state_dict_checks_position_and_world_size():
    labels = torch.tensor([0, 0, 0, 1, 1, 2])
    sampler = ClassBalancedSampler(labels, generator=0)
    for position in (-2, 7):
        with pytest.raises(InvalidParameterError, match=f"position={position} is invalid"):
            sampler.load_state_dict({"epoch": 0, "position": position})
    two = DistributedClassBalancedSampler(labels, num_replicas=2, rank=0, generator=0)
    items = iter(two)
    next(items)
    saved = two.state_dict()  # mid-epoch: a position in a 2-rank shard
    four = DistributedClassBalancedSampler(labels, num_replicas=4, rank=0, generator=0)
    with pytest.raises(InvalidParameterError, match="saved with num_replicas=2"):
        four.load_state_dict(saved)


def test_re_saving_a_loaded_generator_state_keeps_it():
    labels = torch.tensor([0] * 90 + [1] * 10)
    first = ClassBalancedSampler(labels, generator=torch.Generator().manual_seed(7))
    items = iter(first)
    [next(items) for _ in range(10)]
    saved = first.state_dict()
    tail = list(items)
    resumed = ClassBalancedSampler(labels, generator=torch.Generator().manual_seed(99))
    resumed.load_state_dict(saved)
    again = ClassBalancedSampler(labels, generator=torch.Generator().manual_seed(123))
    again.load_state_dict(resumed.state_dict())
    assert list(again) == tail


def test_an_unlabelled_dataset_points_samplers_to_get_labels():
    class Unlabelled(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return torch.zeros(1), i % 2

    with pytest.raises(DataValidationError, match=r"get_labels\(dataset, label_fn="):
        ClassBalancedSampler(Unlabelled(), generator=0)


def test_dropping_every_item_warns():
    sampler = DistributedClassBalancedSampler(
        torch.tensor([0, 1, 1]), num_replicas=5, rank=0, drop_last=True, generator=0
    )
    with pytest.warns(UserWarning, match="leaves every rank an empty epoch"):
        assert list(sampler) == []


def test_a_checkpoint_between_epochs_loads_into_another_world_size():
    labels = torch.tensor([0, 0, 0, 1, 1, 2] * 4)
    four = DistributedClassBalancedSampler(labels, num_replicas=4, rank=0, generator=0)
    for epoch in range(2):
        four.set_epoch(epoch)
        list(four)
    saved = four.state_dict()
    assert saved["position"] == 0
    two = DistributedClassBalancedSampler(labels, num_replicas=2, rank=0, generator=0)
    two.load_state_dict(saved)
    fresh = DistributedClassBalancedSampler(labels, num_replicas=2, rank=0, generator=0)
    fresh.set_epoch(2)
    assert list(two) == list(fresh)


def test_the_wrapper_resumes_a_wrapped_sampler_seeded_by_a_torch_generator():
    # the wrapper saved only its own state, so the resumed pass redrew from another state
    from torchbalance.samplers import ClassBalancedSampler, DistributedSamplerWrapper

    labels = torch.tensor([0] * 90 + [1] * 10)

    def make():
        inner = ClassBalancedSampler(labels, generator=torch.Generator().manual_seed(1))
        return DistributedSamplerWrapper(inner, num_replicas=2, rank=0, generator=0)

    wrapper = make()
    list(wrapper)  # epoch 0
    it = iter(wrapper)
    for _ in range(10):
        next(it)
    state = wrapper.state_dict()
    rest = list(it)
    resumed = make()
    resumed.load_state_dict(state)
    resumed.set_epoch(state["epoch"])
    assert resumed.state_dict()["inner_generator_state"].equal(state["inner_generator_state"])
    assert list(resumed) == rest
