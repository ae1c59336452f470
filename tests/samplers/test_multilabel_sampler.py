from __future__ import annotations

import pytest
import torch

from _sampler_helpers import assert_distribution
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.samplers import MultilabelBalancedSampler

# 4 labels with very different frequencies; row 7 has no label.
LABELS = torch.tensor(
    [
        [1, 0, 0, 0],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [1, 0, 1, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
    ]
)


def _row_probabilities(matrix: torch.Tensor, power: float) -> torch.Tensor:
    counts = matrix.sum(0).double()
    label_p = counts**power / (counts**power).sum()
    return (matrix.double() * (label_p / counts)).sum(1)


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0])
def test_rows_follow_label_then_sample(power):
    sampler = MultilabelBalancedSampler(LABELS, power=power, num_samples=40_000, generator=3)
    drawn = torch.tensor(list(sampler))
    assert_distribution(drawn, _row_probabilities(LABELS, power))


def test_balanced_labels_are_seen_equally_often():
    sampler = MultilabelBalancedSampler(LABELS, num_samples=40_000, generator=0)
    drawn = torch.tensor(list(sampler))
    seen_per_label = LABELS[drawn].sum(0).double() / len(drawn)
    # each label is drawn first a quarter of the time; rows 2 and 4 (labels 1 and 2) are also
    # reached through label 0, which has 6 rows: 1/4 * 1/6 more.
    expected = torch.tensor([0.25, 0.25 + 1 / 24, 0.25 + 1 / 24, 0.25], dtype=torch.float64)
    torch.testing.assert_close(seen_per_label[1:], expected[1:], atol=0.01, rtol=0)
    assert sampler.num_labelled_ == 7 and 7 not in drawn.tolist()


def test_seed_epoch_and_resume():
    a = MultilabelBalancedSampler(LABELS, generator=5)
    b = MultilabelBalancedSampler(LABELS, generator=5)
    assert list(a) == list(b)
    a.set_epoch(4)
    b.set_epoch(5)
    assert list(a) != list(b)
    sampler = MultilabelBalancedSampler(LABELS, num_samples=50, generator=1)
    it = iter(sampler)
    _ = [next(it) for _ in range(20)]
    resumed = MultilabelBalancedSampler(LABELS, num_samples=50, generator=1)
    resumed.load_state_dict(sampler.state_dict())
    assert list(resumed) == list(it)


@pytest.mark.parametrize(
    ("matrix", "kwargs", "error", "match"),
    [
        (LABELS[:, :1].reshape(-1), {}, DataValidationError, "2-D"),
        (LABELS * 2, {}, DataValidationError, "only 0 and 1"),
        (torch.zeros(3, 2), {}, DataValidationError, r"label\(s\) \[0, 1\] occur in no sample"),
        (LABELS, {"num_samples": 0}, InvalidParameterError, "num_samples=0"),
        (LABELS, {"power": float("nan")}, InvalidParameterError, "power=nan"),
    ],
)
def test_bad_input_names_the_parameter(matrix, kwargs, error, match):
    with pytest.raises(error, match=match):
        MultilabelBalancedSampler(matrix, **kwargs)
