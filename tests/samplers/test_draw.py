from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from _sampler_helpers import assert_distribution
from torchbalance.samplers._draw import class_then_index, group_by_label


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=1, max_size=12),
    weights=st.lists(st.sampled_from([0.0, 1e-9, 0.5, 1.0, 7.0]), min_size=12, max_size=12),
    seed=st.integers(0, 2**31),
)
def test_class_then_index_stays_in_the_drawn_class(sizes, weights, seed):
    labels = torch.cat([torch.full((n,), c) for c, n in enumerate(sizes)])
    labels = labels[torch.randperm(labels.numel(), generator=torch.Generator().manual_seed(seed))]
    probabilities = torch.tensor(weights[: len(sizes)], dtype=torch.float64)
    if probabilities.sum() == 0:
        probabilities[-1] = 1.0
    drawn = class_then_index(
        group_by_label(labels), probabilities, 500, torch.Generator().manual_seed(seed)
    )
    assert drawn.dtype == torch.int64 and drawn.shape == (500,)
    assert bool(((drawn >= 0) & (drawn < labels.numel())).all())
    never = torch.nonzero(probabilities == 0).reshape(-1)
    assert not bool(torch.isin(labels[drawn], never).any()), "a class of probability 0 was drawn"


def test_class_then_index_distribution_over_classes_and_within_them():
    labels = torch.tensor([0] * 5000 + [1] * 3 + [2] * 60)
    probabilities = torch.tensor([0.002, 0.6, 0.398], dtype=torch.float64)
    drawn = class_then_index(
        group_by_label(labels), probabilities, 200_000, torch.Generator().manual_seed(3)
    )
    assert_distribution(labels[drawn], probabilities)
    assert_distribution(drawn[labels[drawn] == 2] - 5003, torch.ones(60))
    assert_distribution(drawn[labels[drawn] == 0], torch.ones(5000))
