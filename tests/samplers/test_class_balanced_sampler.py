from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from _sampler_helpers import assert_distribution
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.samplers import ClassBalancedSampler

LABELS = torch.tensor([0] * 900 + [1] * 90 + [2] * 10)


def _classes(sampler: ClassBalancedSampler, labels: torch.Tensor = LABELS) -> torch.Tensor:
    return labels[torch.tensor(list(sampler))]


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0, -0.5])
def test_class_distribution_follows_power(power):
    sampler = ClassBalancedSampler(LABELS, power=power, num_samples=20_000, generator=1)
    expected = torch.tensor([900.0, 90.0, 10.0], dtype=torch.float64) ** power
    assert torch.allclose(sampler.class_probabilities_, expected / expected.sum())
    assert_distribution(_classes(sampler), expected)


def test_index_uniform_within_class():
    sampler = ClassBalancedSampler(LABELS, num_samples=30_000, generator=2)
    drawn = torch.tensor(list(sampler))
    minority = drawn[drawn >= 990] - 990
    assert_distribution(minority, torch.ones(10))


def test_sampling_strategy_dict_keeps_the_rest():
    labels = torch.tensor([5] * 600 + [3] * 40 + [7] * 200)
    sampler = ClassBalancedSampler(labels, sampling_strategy={3: 500}, generator=0)
    assert sampler.num_samples == 600 + 500 + 200
    assert sampler.classes_.tolist() == [3, 5, 7]
    codes = torch.bucketize(_classes(sampler, labels), torch.tensor([3, 5, 7]))
    assert_distribution(codes, torch.tensor([500.0, 600.0, 200.0]))


def test_sampling_strategy_strings_follow_imblearn():
    over = ClassBalancedSampler(LABELS, sampling_strategy="auto", generator=0)
    assert over.num_samples == 3 * 900
    under = ClassBalancedSampler(LABELS, sampling_strategy="auto", replacement=False, generator=0)
    assert under.num_samples == 30
    assert torch.bincount(_classes(under)).tolist() == [10, 10, 10]


def test_without_replacement_is_exact_and_changes_every_epoch():
    sampler = ClassBalancedSampler(LABELS, replacement=False, generator=3)
    assert len(sampler) == 30  # the most that fits: 10 of each class
    first = torch.tensor(list(sampler))
    second = torch.tensor(list(sampler))  # the epoch advanced after the full pass
    for drawn in (first, second):
        assert drawn.unique().numel() == drawn.numel()
        assert torch.bincount(LABELS[drawn]).tolist() == [10, 10, 10]
    assert not torch.equal(first, second)
    square_root = ClassBalancedSampler(LABELS, power=0.5, num_samples=70, replacement=False)
    assert torch.bincount(_classes(square_root)).tolist() == [49, 16, 5]


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(1, 60), min_size=1, max_size=12), power=st.sampled_from([0, 1]))
def test_without_replacement_the_default_epoch_is_the_most_that_fits(counts, power):
    # n_c / p_c computed in floats landed one below the exact bound, leaving a sample out
    labels = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
    sampler = ClassBalancedSampler(labels, power=float(power), replacement=False, generator=0)
    if power == 1:  # instance-balanced: a permutation of everything
        assert sorted(sampler) == list(range(len(labels)))
    else:  # class-balanced: min(counts) of every class
        assert torch.bincount(labels[list(sampler)]).tolist() == [min(counts)] * len(counts)


def test_same_seed_and_epoch_agree_and_epochs_differ():
    a = ClassBalancedSampler(LABELS, generator=11)
    b = ClassBalancedSampler(LABELS, generator=11)
    a.set_epoch(4)
    b.set_epoch(4)
    assert list(a) == list(b)
    b.set_epoch(5)
    assert list(b) != list(ClassBalancedSampler(LABELS, generator=11))
    c = ClassBalancedSampler(LABELS, generator=11)
    c.set_epoch(5)
    assert list(c) == list(ClassBalancedSampler(LABELS, generator=16))


def test_none_generator_is_reproduced_by_manual_seed():
    torch.manual_seed(0)
    first = list(ClassBalancedSampler(LABELS))
    torch.manual_seed(0)
    assert list(ClassBalancedSampler(LABELS)) == first


@pytest.mark.parametrize("generator", [5, None, "torch"])
@pytest.mark.parametrize("replacement", [True, False])
def test_resume_mid_epoch_reproduces_the_rest(generator, replacement):
    def make():
        seed = torch.Generator().manual_seed(5) if generator == "torch" else generator
        return ClassBalancedSampler(LABELS, replacement=replacement, generator=seed)

    sampler = make()
    list(sampler)  # one full epoch, then part of the next
    it = iter(sampler)
    head = [next(it) for _ in range(17)]
    state = sampler.state_dict()
    rest = list(it)
    assert state["epoch"] == 1
    assert state["position"] == 17
    resumed = make()
    resumed.load_state_dict(state)
    resumed.set_epoch(1)  # the usual call at the top of the loop keeps the position
    assert list(resumed) == rest
    assert len(head) + len(rest) == len(sampler)
    assert resumed.state_dict()["epoch"] == 2


def test_dataloader_with_persistent_workers():
    data = TensorDataset(torch.arange(1000).float(), LABELS)
    sampler = ClassBalancedSampler(data, num_samples=300, generator=0)
    loader = DataLoader(
        data, batch_size=50, sampler=sampler, num_workers=2, persistent_workers=True
    )
    epochs = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        epochs.append(torch.cat([y for _, y in loader]))
    sampler.set_epoch(0)
    assert torch.equal(epochs[0], LABELS[torch.tensor(list(sampler))])
    assert not torch.equal(epochs[0], epochs[1])


def test_more_than_2_pow_24_labels():
    labels = torch.zeros(2**24 + 10, dtype=torch.int64)
    labels[-10:] = 1
    sampler = ClassBalancedSampler(labels, num_samples=1000, generator=0)
    drawn = torch.tensor(list(sampler))
    assert 400 < int((labels[drawn] == 1).sum()) < 600


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"labels": torch.zeros(4, 3)}, DataValidationError, "labels has shape"),
        ({"labels": torch.tensor([0.5, 1.0])}, DataValidationError, "labels cannot be used"),
        ({"labels": torch.tensor([], dtype=torch.long)}, DataValidationError, "labels is empty"),
        ({"num_samples": 0}, InvalidParameterError, "num_samples=0"),
        ({"power": float("nan")}, InvalidParameterError, "power=nan"),
        ({"power": float("inf")}, InvalidParameterError, "power=inf"),
        ({"sampling_strategy": {4: 10}}, DataValidationError, "class 4, which has no samples"),
        ({"sampling_strategy": {1: -1}}, InvalidParameterError, r"sampling_strategy\[1\]"),
        ({"sampling_strategy": {0: 0, 1: 0, 2: 0}}, InvalidParameterError, "0 samples"),
        ({"sampling_strategy": "auto", "power": 1.0}, InvalidParameterError, "pass one"),
        ({"replacement": False, "num_samples": 100}, InvalidParameterError, "num_samples=100"),
        ({"replacement": "no"}, InvalidParameterError, "replacement='no'"),
        ({"generator": -1}, InvalidParameterError, "generator=-1"),
        ({"generator": 1.5}, InvalidParameterError, "generator=1.5"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, error, match):
    kwargs = {"labels": LABELS, **kwargs}
    labels = kwargs.pop("labels")
    with pytest.raises(error, match=match) as info:
        ClassBalancedSampler(labels, **kwargs)
    assert str(info.value).startswith("ClassBalancedSampler: ")


def test_set_epoch_refuses_negative():
    with pytest.raises(InvalidParameterError, match="epoch=-1"):
        ClassBalancedSampler(LABELS).set_epoch(-1)
