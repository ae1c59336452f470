from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import model_selection as skms
from sklearn.linear_model import LogisticRegression
from sklearn.utils.extmath import _approximate_mode

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.model_selection import StratifiedShuffleSplit


def _tie_invariant(counts: np.ndarray, n_draws: int, drawn: np.ndarray) -> dict[float, int]:
    """What every outcome of scikit-learn's ``_approximate_mode`` shares, whatever its random
    tie-breaking: the floors, and how many +1s go to the classes of each remainder value."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    extra = drawn - floored
    assert set(np.unique(extra).tolist()) <= {0.0, 1.0}, (drawn, floored)
    remainder = continuous - floored
    return {float(v): int(extra[remainder == v].sum()) for v in np.unique(remainder)}


@st.composite
def _cases(draw):
    counts = draw(st.lists(st.integers(2, 30), min_size=1, max_size=6))
    y = np.repeat(np.arange(len(counts)) * 3 - 2, counts)
    y = y[np.array(draw(st.permutations(range(y.size))))]
    n = y.size
    kind = draw(st.sampled_from(["test_float", "test_int", "both_float", "train_int", "none"]))
    test_size = train_size = None
    if kind == "test_float":
        test_size = draw(st.floats(0.05, 0.9))
    elif kind == "test_int":
        test_size = draw(st.integers(1, n - 1))
    elif kind == "both_float":
        test_size = draw(st.floats(0.05, 0.5))
        train_size = draw(st.floats(0.05, 0.95 - test_size))
    elif kind == "train_int":
        train_size = draw(st.integers(1, n - 1))
    return y, test_size, train_size


@settings(max_examples=100, deadline=None)
@given(_cases(), st.integers(0, 2**31 - 1))
def test_per_class_sizes_equal_sklearn(case, seed):
    y, test_size, train_size = case
    reference = skms.StratifiedShuffleSplit(
        n_splits=3, test_size=test_size, train_size=train_size, random_state=0
    )
    ours_cv = StratifiedShuffleSplit(
        n_splits=3, test_size=test_size, train_size=train_size, generator=seed
    )
    try:
        theirs = list(reference.split(y, y))
    except ValueError:
        with pytest.raises((InvalidParameterError, DataValidationError)):
            list(ours_cv.split(y, y))
        return
    ours = list(ours_cv.split(y, y))
    classes, counts = np.unique(y, return_counts=True)
    for (train, test), (sk_train, sk_test) in zip(ours, theirs, strict=True):
        assert (train.size, test.size) == (sk_train.size, sk_test.size)
        assert np.intersect1d(train, test).size == 0
        assert np.unique(train).size == train.size
        n_i = np.array([(y[train] == c).sum() for c in classes])
        t_i = np.array([(y[test] == c).sum() for c in classes])
        sk_n_i = np.array([(y[sk_train] == c).sum() for c in classes])
        assert _tie_invariant(counts, train.size, n_i) == _tie_invariant(counts, train.size, sk_n_i)
        # scikit-learn's second draw, on the counts our first draw left
        sk_t_i = _approximate_mode(counts - n_i, test.size, np.random.RandomState(0))
        assert _tie_invariant(counts - n_i, test.size, t_i) == _tie_invariant(
            counts - n_i, test.size, sk_t_i
        )


def test_without_ties_counts_are_identical_to_sklearn():
    y = np.array([0] * 61 + [1] * 27 + [2] * 12)
    ours = next(StratifiedShuffleSplit(1, test_size=0.25, generator=0).split(y, y))
    theirs = next(skms.StratifiedShuffleSplit(1, test_size=0.25, random_state=0).split(y, y))
    for a, b in zip(ours, theirs, strict=True):
        assert np.bincount(y[a]).tolist() == np.bincount(y[b]).tolist()


def test_determinism_types_and_randomness():
    y = torch.tensor([0] * 40 + [1] * 10)
    cv = StratifiedShuffleSplit(4, test_size=0.2, generator=5)
    first = list(cv.split(None, y))
    again = list(cv.split(None, y))
    assert all(
        torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
        for a, b in zip(first, again, strict=True)
    )
    assert not torch.equal(torch.sort(first[0][1]).values, torch.sort(first[1][1]).values)
    assert isinstance(first[0][0], torch.Tensor) and first[0][0].dtype == torch.int64
    assert all(torch.bincount(y[test]).tolist() == [8, 2] for _, test in first)
    assert cv.get_n_splits() == 4
    train, _ = next(StratifiedShuffleSplit(1, test_size=0.2, generator=5).split(None, y.numpy()))
    assert isinstance(train, np.ndarray) and train.dtype == np.int64


def test_default_test_size_is_a_tenth_and_sklearn_accepts_it():
    y = np.array([0] * 90 + [1] * 30)
    train, test = next(StratifiedShuffleSplit(generator=0).split(y, y))
    assert (train.size, test.size) == (108, 12)
    X = np.random.default_rng(0).normal(size=(120, 2)) + y[:, None]
    scores = skms.cross_val_score(
        LogisticRegression(), X, y, cv=StratifiedShuffleSplit(3, test_size=0.25, generator=0)
    )
    assert scores.shape == (3,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"test_size": 1.0}, InvalidParameterError, "test_size=1.0 is invalid"),
        ({"test_size": 0}, InvalidParameterError, "test_size=0 is invalid"),
        ({"test_size": 50}, InvalidParameterError, r"as a count it must be in \[1, 49\]"),
        ({"test_size": 0.6, "train_size": 0.6}, InvalidParameterError, "more than 1"),
        ({"test_size": 30, "train_size": 30}, InvalidParameterError, "more than the 50"),
        ({"test_size": 1}, DataValidationError, "test set has 1 samples, fewer than the 2"),
        ({"n_splits": 0}, InvalidParameterError, "n_splits=0"),
    ],
)
def test_bad_sizes_are_refused(kwargs, error, match):
    y = torch.tensor([0] * 40 + [1] * 10)
    with pytest.raises(error, match=match):
        list(StratifiedShuffleSplit(**kwargs).split(None, y))


def test_single_member_class_is_refused():
    with pytest.raises(DataValidationError, match=r"class 9 has 1 member\(s\)"):
        list(StratifiedShuffleSplit(test_size=0.5).split(None, torch.tensor([0] * 9 + [9])))
