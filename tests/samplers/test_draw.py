from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from _sampler_helpers import assert_distribution
from torchbalance.samplers import _draw
from torchbalance.samplers._draw import block_uniforms, class_then_index, group_by_label


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=1, max_size=24),
    weights=st.lists(st.sampled_from([0.0, 1e-9, 0.5, 1.0, 7.0]), min_size=24, max_size=24),
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


@settings(max_examples=40, deadline=None)
@given(
    n_classes=st.sampled_from([1, 2, 3, 16, 17, 30]),
    seed=st.integers(0, 2**31),
)
def test_class_then_index_class_is_the_bucket_of_its_uniform(n_classes, seed):
    # up to 16 classes the bucket is a sum of comparisons, above it bucketize: both must give
    # the class that bucketize gives for the uniform the draw consumed
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(n_classes, (400,), generator=generator)
    labels[:n_classes] = torch.arange(n_classes)
    groups = group_by_label(labels)
    probabilities = torch.rand(n_classes, dtype=torch.float64, generator=generator) + 0.01
    drawn = class_then_index(groups, probabilities, 1000, torch.Generator().manual_seed(seed))
    cdf = torch.cumsum(probabilities, 0)
    cdf /= cdf[-1].clone()
    (uniforms,) = block_uniforms(torch.Generator().manual_seed(seed), 1000)
    u = uniforms()
    expected = groups.classes[torch.bucketize(u, cdf[:-1].contiguous(), right=True)]
    assert torch.equal(labels[drawn], expected)


def test_a_draw_of_many_blocks_is_the_same_on_one_thread_as_on_several(monkeypatch):
    labels = torch.tensor([0] * 900 + [1] * 100 + [2] * 7)
    groups = group_by_label(labels)
    probabilities = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    num_samples = 3 * _draw.BLOCK + 5

    def draw() -> torch.Tensor:
        return class_then_index(
            groups, probabilities, num_samples, torch.Generator().manual_seed(11)
        )

    several = draw()
    monkeypatch.setattr(_draw, "_MAX_WORKERS", 1)
    one = draw()
    assert torch.equal(several, one)
    blocks = several[: 3 * _draw.BLOCK].reshape(3, -1)
    assert not torch.equal(blocks[0], blocks[1]) and not torch.equal(blocks[1], blocks[2])


def test_block_uniforms_follow_the_generator():
    first = [draw() for draw in block_uniforms(torch.Generator().manual_seed(5), 2 * _draw.BLOCK)]
    again = [draw() for draw in block_uniforms(torch.Generator().manual_seed(5), 2 * _draw.BLOCK)]
    other = [draw() for draw in block_uniforms(torch.Generator().manual_seed(6), 2 * _draw.BLOCK)]
    assert [u.numel() for u in first] == [_draw.BLOCK, _draw.BLOCK]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first[0], other[0]) and not torch.equal(first[0], first[1])
    assert all(bool(((u >= 0) & (u < 1)).all()) for u in first)
