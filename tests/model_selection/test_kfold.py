from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import model_selection as skms
from sklearn.linear_model import LogisticRegression
from torch.utils.data import TensorDataset

from torchbalance.base import clone
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.model_selection import RepeatedStratifiedKFold, StratifiedKFold


@st.composite
def labels_with_min_count(draw, min_count=2, max_classes=6):
    counts = draw(st.lists(st.integers(min_count, 40), min_size=1, max_size=max_classes))
    values = draw(st.permutations(range(-5, 20)))[: len(counts)]
    labels = np.array([v for v, c in zip(values, counts, strict=True) for _ in range(c)])
    order = draw(st.permutations(range(labels.size)))
    return labels[np.array(order)]


def _per_fold_class_counts(y: np.ndarray, tests) -> list[list[int]]:
    classes = np.unique(y)
    return [[int((y[t] == c).sum()) for c in classes] for t in tests]


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(st.just(k), labels_with_min_count(k))))
def test_folds_equal_sklearn_without_shuffle(case):
    n_splits, y = case
    ours = list(StratifiedKFold(n_splits).split(np.zeros(y.size), y))
    theirs = list(skms.StratifiedKFold(n_splits).split(np.zeros(y.size), y))
    assert len(ours) == len(theirs) == n_splits
    for (tr, te), (str_, ste) in zip(ours, theirs, strict=True):
        assert isinstance(tr, np.ndarray) and tr.dtype == np.int64
        np.testing.assert_array_equal(tr, str_)
        np.testing.assert_array_equal(te, ste)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 6).flatmap(lambda k: st.tuples(st.just(k), labels_with_min_count(k))),
    st.integers(0, 2**31 - 1),
)
def test_shuffled_per_class_fold_sizes_equal_sklearn(case, seed):
    n_splits, y = case
    yt = torch.from_numpy(y)
    ours = list(StratifiedKFold(n_splits, shuffle=True, generator=seed).split(None, yt))
    theirs = list(
        skms.StratifiedKFold(n_splits, shuffle=True, random_state=seed % 2**31).split(y, y)
    )
    assert _per_fold_class_counts(y, [t.numpy() for _, t in ours]) == _per_fold_class_counts(
        y, [t for _, t in theirs]
    )
    tests = torch.cat([t for _, t in ours])
    assert torch.equal(torch.sort(tests).values, torch.arange(y.size))
    for train, test in ours:
        assert train.dtype == torch.int64
        assert train.numel() + test.numel() == y.size
        assert not bool(torch.isin(train, test).any())
    again = list(StratifiedKFold(n_splits, shuffle=True, generator=seed).split(None, yt))
    assert all(torch.equal(a[1], b[1]) for a, b in zip(ours, again, strict=True))


def test_shuffle_changes_folds_and_none_generator_follows_manual_seed():
    y = torch.tensor([0] * 30 + [1] * 30)
    plain = [t for _, t in StratifiedKFold(3).split(None, y)]
    shuffled = [t for _, t in StratifiedKFold(3, shuffle=True, generator=0).split(None, y)]
    assert not torch.equal(plain[0], shuffled[0])
    torch.manual_seed(2)
    a = [t for _, t in StratifiedKFold(3, shuffle=True).split(None, y)]
    torch.manual_seed(2)
    b = [t for _, t in StratifiedKFold(3, shuffle=True).split(None, y)]
    assert all(torch.equal(x, z) for x, z in zip(a, b, strict=True))


def test_index_types_follow_y():
    y = [0, 1] * 6
    for given_y, kind in [
        (torch.tensor(y), torch.Tensor),
        (np.array(y), np.ndarray),
        (y, np.ndarray),
        (np.array(["cat", "dog"] * 6), np.ndarray),
    ]:
        train, test = next(StratifiedKFold(3).split(np.zeros((12, 2)), given_y))
        assert isinstance(train, kind) and isinstance(test, kind)
    data = TensorDataset(torch.randn(12, 2), torch.tensor(y))
    train, test = next(StratifiedKFold(3).split(data))
    assert isinstance(test, torch.Tensor) and test.numel() == 4


def test_string_labels_match_sklearn():
    y = np.array(["b", "a", "b", "c", "a", "b", "c", "b", "a", "c"])
    ours = [t for _, t in StratifiedKFold(3).split(y, y)]
    theirs = [t for _, t in skms.StratifiedKFold(3).split(y, y)]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_sklearn_cross_val_score_accepts_the_splitters():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=120) > 0.8).astype(int)
    model = LogisticRegression()
    for cv, n in [
        (StratifiedKFold(4, shuffle=True, generator=0), 4),
        (RepeatedStratifiedKFold(n_splits=3, n_repeats=2, generator=0), 6),
    ]:
        scores = skms.cross_val_score(model, X, y, cv=cv, scoring="balanced_accuracy")
        assert scores.shape == (n,) and bool(np.all(scores > 0.5))
    predicted = skms.cross_val_predict(model, X, y, cv=StratifiedKFold(5))
    assert predicted.shape == y.shape


def test_too_small_class_is_refused_with_its_name_and_fix():
    y = torch.tensor([0] * 10 + [3] * 2)
    with pytest.raises(
        DataValidationError, match=r"class 3 has 2 member\(s\), fewer than n_splits=5"
    ):
        list(StratifiedKFold(5).split(None, y))
    with pytest.raises(DataValidationError, match="class 'rare' has 1"):
        list(StratifiedKFold(2).split(None, np.array(["common"] * 5 + ["rare"])))
    with pytest.raises(DataValidationError, match="fewer than n_splits=3"):
        list(RepeatedStratifiedKFold(n_splits=3, n_repeats=2).split(None, y[:11]))


def test_bad_parameters_and_data_are_refused():
    y = torch.tensor([0, 1] * 5)
    with pytest.raises(InvalidParameterError, match=r"StratifiedKFold: n_splits=1 is invalid"):
        list(StratifiedKFold(1).split(None, y))
    with pytest.raises(InvalidParameterError, match="shuffle"):
        list(StratifiedKFold(2, shuffle="yes").split(None, y))  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="n_repeats=0"):
        RepeatedStratifiedKFold(n_repeats=0).get_n_splits()
    with pytest.raises(DataValidationError, match="y is required"):
        list(StratifiedKFold(2).split(np.zeros((10, 2))))
    with pytest.raises(DataValidationError, match="X has 9 samples but y has 10"):
        list(StratifiedKFold(2).split(np.zeros((9, 2)), y))
    with pytest.raises(DataValidationError, match="more than the 4 samples"):
        list(StratifiedKFold(5).split(None, torch.tensor([0, 0, 0, 0])))
    with pytest.raises(DataValidationError, match="1-D"):
        list(StratifiedKFold(2).split(None, torch.zeros(4, 2, dtype=torch.long)))


def test_params_clone_and_repr():
    cv = StratifiedKFold(3, shuffle=True, generator=7)
    assert cv.get_params() == {"generator": 7, "n_splits": 3, "shuffle": True}
    assert repr(cv) == "StratifiedKFold(generator=7, n_splits=3, shuffle=True)"
    twin = clone(cv)
    y = torch.tensor([0, 1, 2] * 5)
    assert all(
        torch.equal(a[1], b[1]) for a, b in zip(cv.split(None, y), twin.split(None, y), strict=True)
    )
    assert cv.get_n_splits() == 3


def test_repeated_kfold_partitions_every_repeat_and_matches_sklearn_sizes():
    y = np.array([0] * 23 + [1] * 9 + [2] * 5)
    cv = RepeatedStratifiedKFold(n_splits=4, n_repeats=3, generator=1)
    splits = list(cv.split(None, torch.from_numpy(y)))
    assert len(splits) == cv.get_n_splits() == 12
    expected = _per_fold_class_counts(y, [t for _, t in skms.StratifiedKFold(4).split(y, y)])
    tests_per_repeat = []
    for r in range(3):
        tests = [t.numpy() for _, t in splits[4 * r : 4 * r + 4]]
        assert _per_fold_class_counts(y, tests) == expected
        assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(y.size))
        tests_per_repeat.append(tests[0])
    assert not np.array_equal(tests_per_repeat[0], tests_per_repeat[1])
    again = list(cv.split(None, torch.from_numpy(y)))
    assert all(torch.equal(a[1], b[1]) for a, b in zip(splits, again, strict=True))


def test_sklearn_warns_where_we_refuse():
    """Documented deviation: scikit-learn only warns for a class smaller than n_splits."""
    y = np.array([0] * 10 + [1] * 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(skms.StratifiedKFold(3).split(y, y))
    assert any("least populated class" in str(w.message) for w in caught)
    with pytest.raises(DataValidationError):
        list(StratifiedKFold(3).split(y, y))


def test_too_small_string_class_is_named():
    import numpy as np
    import pytest

    from torchbalance.exceptions import DataValidationError
    from torchbalance.model_selection import StratifiedKFold

    labels = np.array(["ok"] * 20 + ["fraud"] * 2, dtype=object)
    with pytest.raises(DataValidationError, match="class 'fraud' has 2"):
        list(StratifiedKFold(5).split(None, labels))
