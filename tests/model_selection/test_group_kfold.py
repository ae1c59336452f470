from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import model_selection as skms
from sklearn.linear_model import LogisticRegression

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.model_selection import StratifiedGroupKFold


@st.composite
def _grouped(draw):
    n_splits = draw(st.integers(2, 5))
    n_groups = draw(st.integers(n_splits, 25))
    n_classes = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 8), min_size=n_groups, max_size=n_groups))
    groups = np.repeat(np.array(draw(st.permutations(range(100, 100 + n_groups)))), sizes)
    y = np.array(
        draw(st.lists(st.integers(0, n_classes - 1), min_size=groups.size, max_size=groups.size))
    )
    order = np.array(draw(st.permutations(range(groups.size))))
    return n_splits, y[order], groups[order]


def _valid(n_splits: int, y: np.ndarray) -> bool:
    return bool(np.unique(y, return_counts=True)[1].min() >= n_splits)


@settings(max_examples=80, deadline=None)
@given(_grouped())
def test_folds_equal_sklearn_without_shuffle(case):
    n_splits, y, groups = case
    assume(_valid(n_splits, y))
    ours = list(StratifiedGroupKFold(n_splits).split(None, torch.from_numpy(y), groups))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = list(skms.StratifiedGroupKFold(n_splits).split(y, y, groups))
    for (train, test), (sk_train, sk_test) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(test.numpy(), np.asarray(sk_test))
        np.testing.assert_array_equal(train.numpy(), np.asarray(sk_train))


@settings(max_examples=60, deadline=None)
@given(_grouped(), st.integers(0, 2**31 - 1), st.booleans())
def test_groups_are_never_split_and_every_sample_is_tested_once(case, seed, shuffle):
    n_splits, y, groups = case
    assume(_valid(n_splits, y))
    cv = StratifiedGroupKFold(n_splits, shuffle=shuffle, generator=seed)
    splits = list(cv.split(None, y, groups.tolist()))
    assert len(splits) == cv.get_n_splits() == n_splits
    tests = np.concatenate([test for _, test in splits])
    assert np.array_equal(np.sort(tests), np.arange(y.size))
    for train, test in splits:
        assert not set(groups[train].tolist()) & set(groups[test].tolist())
        assert train.size + test.size == y.size
    again = list(cv.split(None, y, groups))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again, strict=True))


def test_shuffle_changes_group_assignment():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(30), 4)
    y = rng.integers(0, 2, groups.size)
    plain = [t for _, t in StratifiedGroupKFold(3).split(None, y, groups)]
    shuffled = [
        t for _, t in StratifiedGroupKFold(3, shuffle=True, generator=1).split(None, y, groups)
    ]
    assert any(not np.array_equal(a, b) for a, b in zip(plain, shuffled, strict=True))


def test_string_groups_and_sklearn_cv():
    rng = np.random.default_rng(1)
    patients = np.array([f"p{i}" for i in range(20)]).repeat(5)
    y = rng.integers(0, 2, patients.size)
    X = rng.normal(size=(patients.size, 2)) + y[:, None]
    scores = skms.cross_val_score(
        LogisticRegression(), X, y, groups=patients, cv=StratifiedGroupKFold(4)
    )
    assert scores.shape == (4,)


def test_errors():
    y = torch.tensor([0, 1] * 12)
    groups = torch.arange(24) // 4
    with pytest.raises(DataValidationError, match="groups is required"):
        list(StratifiedGroupKFold(2).split(None, y))
    with pytest.raises(DataValidationError, match="n_splits=7 is more than the 6 groups"):
        list(StratifiedGroupKFold(7).split(None, y, groups))
    with pytest.raises(DataValidationError, match="one id per sample"):
        list(StratifiedGroupKFold(2).split(None, y, groups[:5]))
    with pytest.raises(DataValidationError, match=r"class 5 has 1 member\(s\)"):
        list(StratifiedGroupKFold(2).split(None, torch.tensor([0] * 23 + [5]), groups))
    with pytest.raises(InvalidParameterError, match="n_splits=1"):
        list(StratifiedGroupKFold(1).split(None, y, groups))
