from __future__ import annotations

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from _sampler_helpers import assert_distribution
from torchbalance.exceptions import InvalidParameterError
from torchbalance.samplers import BalancedBatchSampler

LABELS = torch.tensor([0] * 500 + [1] * 60 + [2] * 9 + [3] * 2 + [4] * 30)


def test_every_batch_is_p_classes_by_k_samples():
    sampler = BalancedBatchSampler(
        LABELS, classes_per_batch=3, samples_per_class=4, num_batches=400, generator=0
    )
    batches = torch.tensor(list(sampler))
    assert batches.shape == (400, 12)
    blocks = LABELS[batches].reshape(400, 3, 4)
    assert bool((blocks == blocks[:, :, :1]).all())  # each block of K is one class
    classes = blocks[:, :, 0]
    assert bool((classes.sort(1).values.diff(dim=1) > 0).all())  # P distinct classes
    for row, cls in zip(batches.reshape(400, 3, 4), classes, strict=True):
        for block, c in zip(row, cls, strict=True):
            if int(c) != 3:  # class 3 has only 2 samples, so it must repeat
                assert block.unique().numel() == 4
            else:
                assert set(block.tolist()) == {597, 598} or block.unique().numel() == 2
    assert_distribution(classes.reshape(-1), torch.ones(5))


def test_majority_samples_are_used_evenly():
    sampler = BalancedBatchSampler(
        LABELS, classes_per_batch=5, samples_per_class=10, num_batches=200, generator=1
    )
    drawn = torch.tensor(list(sampler)).reshape(-1)
    uses = torch.bincount(drawn[LABELS[drawn] == 0], minlength=500)
    assert int(uses.max()) - int(uses.min()) <= 1  # 2000 draws over 500 samples: 4 each


def test_default_length_seed_and_resume():
    sampler = BalancedBatchSampler(LABELS, classes_per_batch=2, samples_per_class=5, generator=7)
    assert len(sampler) == len(LABELS) // 10
    again = BalancedBatchSampler(LABELS, classes_per_batch=2, samples_per_class=5, generator=7)
    assert list(sampler) == list(again)  # both at epoch 0, now both at epoch 1
    it = iter(sampler)
    [next(it) for _ in range(9)]
    state = sampler.state_dict()
    assert state == {
        "epoch": 1,
        "position": 9,
        "seed": None,
        "generator_state": None,
        "num_replicas": 1,
    }
    fresh = BalancedBatchSampler(LABELS, classes_per_batch=2, samples_per_class=5, generator=7)
    fresh.load_state_dict(state)
    assert list(fresh) == list(it)


def test_as_batch_sampler_of_a_dataloader():
    data = TensorDataset(torch.arange(len(LABELS)).float(), LABELS)
    sampler = BalancedBatchSampler(
        data, classes_per_batch=5, samples_per_class=2, num_batches=6, generator=0
    )
    loader = DataLoader(data, batch_sampler=sampler, num_workers=2, persistent_workers=True)
    for _ in range(2):
        for _, y in loader:
            assert sorted(y.tolist()) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"classes_per_batch": 6}, "classes_per_batch=6 is invalid; labels has only 5"),
        ({"classes_per_batch": 0}, "classes_per_batch=0"),
        ({"samples_per_class": 0}, "samples_per_class=0"),
        ({"num_batches": 0}, "num_batches=0"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, match):
    kwargs = {"classes_per_batch": 2, "samples_per_class": 2, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        BalancedBatchSampler(LABELS, **kwargs)


def test_class_keys_drawn_in_chunks_give_the_same_batches(monkeypatch):
    # one (batches, classes) key matrix took 1.2 GB for 10 000 classes; chunks draw the same
    from torchbalance.samplers import _batch

    labels = torch.arange(3000) % 50
    sampler = BalancedBatchSampler(labels, classes_per_batch=4, samples_per_class=3, generator=0)
    whole = sampler.epoch_indices()
    monkeypatch.setattr(_batch, "_KEYS_PER_CHUNK", 120)  # 2 batches' keys at a time
    assert torch.equal(sampler.epoch_indices(), whole)
