from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.utils.data import Subset, TensorDataset

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.model_selection import stratified_split


@st.composite
def _problems(draw):
    n_parts = draw(st.integers(2, 4))
    weights = draw(st.lists(st.integers(1, 20), min_size=n_parts, max_size=n_parts))
    fractions = tuple(w / sum(weights) for w in weights)
    counts = draw(st.lists(st.integers(n_parts, 60), min_size=1, max_size=6))
    values = draw(st.permutations(range(-3, 30)))[: len(counts)]
    labels = torch.tensor([v for v, c in zip(values, counts, strict=True) for _ in range(c)])
    labels = labels[torch.randperm(labels.numel(), generator=torch.Generator().manual_seed(0))]
    return labels, fractions


def _check_partition(labels: torch.Tensor, parts: tuple[torch.Tensor, ...]) -> None:
    joined = torch.cat(parts)
    assert joined.dtype == torch.int64
    assert joined.numel() == labels.numel()
    assert torch.equal(torch.sort(joined).values, torch.arange(labels.numel()))
    for part in parts:
        assert torch.equal(part, torch.sort(part).values)


@settings(max_examples=120, deadline=None)
@given(_problems(), st.integers(0, 2**31 - 1))
def test_per_class_and_total_counts_within_one_of_exact(problem, seed):
    labels, fractions = problem
    assume(min(fractions) * labels.numel() >= 1)  # else a part may be empty: refused, see below
    parts = stratified_split(labels, fractions, generator=seed)
    _check_partition(labels, parts)
    exact = [Fraction(f).limit_denominator(10**9) for f in fractions]
    exact = [f / sum(exact) for f in exact]
    for j, part in enumerate(parts):
        assert abs(part.numel() - exact[j] * labels.numel()) < 1
        for value in labels.unique().tolist():
            n_k = int((labels == value).sum())
            got = int((labels[part] == value).sum())
            assert abs(got - exact[j] * n_k) < 1, (value, j, got, n_k)
    again = stratified_split(labels, fractions, generator=seed)
    assert all(torch.equal(a, b) for a, b in zip(parts, again, strict=True))


def test_rounding_ties_are_resolved_so_totals_stay_within_one():
    # each class has 5 members: 2.5 per part; plain per-class rounding would give 6/4
    labels = torch.tensor([0] * 5 + [1] * 5)
    first, second = stratified_split(labels, (0.5, 0.5), generator=0)
    assert (first.numel(), second.numel()) == (5, 5)
    assert sorted(torch.bincount(labels[first], minlength=2).tolist()) == [2, 3]


def test_exact_example_and_seed_behaviour():
    labels = torch.tensor([0] * 80 + [1] * 20)
    parts = stratified_split(labels, generator=3)
    assert [torch.bincount(labels[p]).tolist() for p in parts] == [[64, 16], [8, 2], [8, 2]]
    other = stratified_split(labels, generator=4)
    assert not torch.equal(parts[0], other[0])
    torch.manual_seed(5)
    a = stratified_split(labels)
    torch.manual_seed(5)
    b = stratified_split(labels)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    g = torch.Generator().manual_seed(1)
    assert not torch.equal(
        stratified_split(labels, generator=g)[0], stratified_split(labels, generator=g)[0]
    )


def test_accepts_numpy_lists_and_datasets_and_returns_subsets():
    y = np.array([1] * 30 + [2] * 10)
    from_numpy = stratified_split(y, (0.5, 0.5), generator=0)
    from_list = stratified_split(y.tolist(), (0.5, 0.5), generator=0)
    assert all(torch.equal(a, b) for a, b in zip(from_numpy, from_list, strict=True))
    data = TensorDataset(torch.randn(40, 3), torch.from_numpy(y))
    from_data = stratified_split(data, (0.5, 0.5), generator=0)
    assert all(torch.equal(a, b) for a, b in zip(from_numpy, from_data, strict=True))
    subsets = stratified_split(data, (0.5, 0.5), generator=0, return_subsets=True)
    assert all(isinstance(s, Subset) and s.dataset is data for s in subsets)
    assert [s.indices for s in subsets] == [p.tolist() for p in from_numpy]
    assert int(subsets[0][0][1]) in (1, 2)
    # Subsets of Subsets keep working (labels are read without loading samples)
    inner = stratified_split(subsets[0], (0.5, 0.5), generator=0, return_subsets=True)
    assert sum(len(s) for s in inner) == len(subsets[0])


def test_float_labels_that_are_integers_work():
    labels = torch.tensor([0.0] * 6 + [1.0] * 4)
    parts = stratified_split(labels, (0.5, 0.5), generator=0)
    assert [p.numel() for p in parts] == [5, 5]


@pytest.mark.parametrize(
    ("fractions", "match"),
    [
        ((0.8, 0.1), "sum to 1"),
        ((1.2, -0.2), r"fractions\[0\]=1.2 is invalid"),
        ((0.5, 0.0, 0.5), r"fractions\[1\]=0.0 is invalid"),
        ((1.0,), "at least two parts"),
        ("0.5,0.5", "sequence"),
        ((0.5, float("nan")), r"fractions\[1\]=nan"),
    ],
)
def test_bad_fractions_are_refused(fractions, match):
    with pytest.raises(InvalidParameterError, match=match):
        stratified_split(torch.tensor([0, 1] * 10), fractions)


def test_fractions_within_tolerance_are_accepted():
    parts = stratified_split(torch.tensor([0, 1] * 10), (1 / 3, 1 / 3, 1 / 3 + 1e-9), generator=0)
    assert sorted(p.numel() for p in parts) == [6, 7, 7]
    for given_fractions in (np.array([0.5, 0.5]), torch.tensor([0.5, 0.5]), [0.5, 0.5]):
        halves = stratified_split(torch.tensor([0, 1] * 10), given_fractions, generator=0)
        assert [p.numel() for p in halves] == [10, 10]


def test_class_with_fewer_members_than_parts_is_named():
    labels = torch.tensor([0] * 20 + [7] * 2)
    with pytest.raises(DataValidationError, match=r"class 7 has 2 member\(s\).*merge or drop"):
        stratified_split(labels, (0.8, 0.1, 0.1))


def test_empty_part_and_other_errors():
    with pytest.raises(DataValidationError, match="part 1 would be empty"):
        stratified_split(torch.tensor([0] * 3 + [1] * 3), (0.9, 0.05, 0.05), generator=0)
    with pytest.raises(InvalidParameterError, match="return_subsets=True needs a Dataset"):
        stratified_split(torch.tensor([0, 1] * 5), (0.5, 0.5), return_subsets=True)
    pd = pytest.importorskip("pandas")  # a Subset of a Series looked rows up by index label
    with pytest.raises(InvalidParameterError, match="return_subsets=True needs a Dataset"):
        stratified_split(pd.Series([0, 1] * 5), (0.5, 0.5), return_subsets=True)
    with pytest.raises(InvalidParameterError, match="generator"):
        stratified_split(torch.tensor([0, 1] * 5), (0.5, 0.5), generator=1.5)
    with pytest.raises(DataValidationError, match="no samples"):
        stratified_split(torch.tensor([], dtype=torch.long), (0.5, 0.5))
    with pytest.raises(DataValidationError, match="not integers"):
        stratified_split(torch.tensor([0.5, 1.0, 0.0, 1.0]), (0.5, 0.5))


def test_large_split_is_fast_and_exact():
    labels = torch.randint(0, 50, (200_000,), generator=torch.Generator().manual_seed(0))
    parts = stratified_split(labels, (0.7, 0.2, 0.1), generator=0)
    counts = torch.bincount(labels, minlength=50)
    for part, f in zip(parts, (0.7, 0.2, 0.1), strict=True):
        got = torch.bincount(labels[part], minlength=50)
        assert bool(((got - counts * f).abs() < 1).all())
        assert math.floor(f * 200_000) <= part.numel() <= math.ceil(f * 200_000)
