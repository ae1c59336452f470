from __future__ import annotations

import pytest
import torch

from _sampler_helpers import assert_distribution
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.samplers import WeightedSampler

WEIGHTS = torch.tensor([0.0, 1.0, 2.0, 0.5, 10.0, 0.0, 3.0, 0.01])


def test_distribution_matches_the_weights():
    sampler = WeightedSampler(WEIGHTS, num_samples=50_000, generator=0)
    assert_distribution(torch.tensor(list(sampler)), WEIGHTS)


def test_spread_weights_use_the_searchsorted_fallback():
    weights = torch.cat([torch.full((2000,), 1e-6), torch.tensor([1.0, 5.0])])
    drawn = torch.tensor(list(WeightedSampler(weights, num_samples=20_000, generator=1)))
    grouped = torch.where(drawn < 2000, 0, drawn - 1999)
    assert_distribution(grouped, torch.tensor([2000e-6, 1.0, 5.0], dtype=torch.float64))


def test_without_replacement_is_successive_sampling():
    weights = torch.tensor([1.0, 2.0, 7.0])
    firsts, seconds = [], []
    sampler = WeightedSampler(weights, num_samples=2, replacement=False, generator=0)
    for _ in range(3000):
        first, second = list(sampler)  # each pass is a new epoch
        firsts.append(first)
        seconds.append(second)
    assert_distribution(torch.tensor(firsts), weights)
    # P(second = 0) = sum_j P(first = j) * w_0 / (W - w_j)
    p = weights / weights.sum()
    second_0 = sum(float(p[j] * weights[0] / (weights.sum() - weights[j])) for j in (1, 2))
    assert abs(sum(s == 0 for s in seconds) / 3000 - second_0) < 0.02
    drawn = list(WeightedSampler(WEIGHTS, num_samples=6, replacement=False, generator=0))
    assert sorted(drawn) == [1, 2, 3, 4, 6, 7]


def test_more_than_2_pow_24_weights():
    weights = torch.ones(2**24 + 2, dtype=torch.float64)
    weights[-1] = 2**24  # the last index gets about half of the draws
    drawn = torch.tensor(list(WeightedSampler(weights, num_samples=2000, generator=0)))
    assert 850 < int((drawn == 2**24 + 1).sum()) < 1150


def test_seed_epoch_and_resume():
    a = WeightedSampler(WEIGHTS, num_samples=100, generator=3)
    a.set_epoch(2)
    assert list(a) == list(WeightedSampler(WEIGHTS, num_samples=100, generator=5))
    it = iter(a)  # epoch 3 now
    [next(it) for _ in range(40)]
    state = a.state_dict()
    b = WeightedSampler(WEIGHTS, num_samples=100, generator=3)
    b.load_state_dict(state)
    assert list(b) == list(it)


@pytest.mark.parametrize(
    ("weights", "kwargs", "error", "match"),
    [
        ([1.0, -1.0], {}, DataValidationError, "negative"),
        ([1.0, float("nan")], {}, DataValidationError, "1 NaN"),
        ([1.0, float("inf")], {}, DataValidationError, "infinite"),
        ([0.0, 0.0], {}, DataValidationError, "all zero"),
        ([[1.0, 2.0]], {}, DataValidationError, "weights has shape"),
        ([], {}, DataValidationError, "empty"),
        (["a", "b"], {}, DataValidationError, "dtype"),
        (torch.tensor([1 + 5j, 1 + 0j]), {}, DataValidationError, "real numbers are needed"),
        ([1.0, 2.0], {"num_samples": 0}, InvalidParameterError, "num_samples=0"),
        (
            [1.0, 0.0],
            {"num_samples": 2, "replacement": False},
            InvalidParameterError,
            "num_samples=2",
        ),
    ],
)
def test_bad_input_names_the_parameter(weights, kwargs, error, match):
    kwargs = {"num_samples": 3, **kwargs}
    with pytest.raises(error, match=match) as info:
        WeightedSampler(weights, **kwargs)
    assert str(info.value).startswith("WeightedSampler: ")


def test_weights_near_the_float64_limit_keep_their_distribution():
    # their sum overflows: the CDF became NaN and every draw the last index
    sampler = WeightedSampler([1e308, 1e308, 1e308], num_samples=3000, generator=0)
    counts = torch.bincount(torch.tensor(list(sampler)), minlength=3)
    assert int(counts.min()) > 900, counts


def test_a_negative_epoch_in_a_state_dict_is_refused():
    sampler = WeightedSampler([1.0, 2.0], num_samples=4, generator=5)
    with pytest.raises(InvalidParameterError, match="state_dict epoch=-3 is invalid"):
        sampler.load_state_dict({"epoch": -3, "position": 0})


def test_positional_arguments_as_weighted_random_sampler_takes_them():
    from torch.utils.data import WeightedRandomSampler

    ours = WeightedSampler([1.0, 3.0], 100, True, 0)
    theirs = WeightedRandomSampler([1.0, 3.0], 100, True)
    assert len(ours) == len(theirs) == 100 and ours.replacement == theirs.replacement
