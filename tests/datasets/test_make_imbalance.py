"""make_imbalance: imbalanced-learn's counts, rows of the input, the caller's types."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.datasets import long_tail_counts, make_imbalance
from torchbalance.exceptions import DataValidationError, InvalidParameterError

imblearn_datasets = pytest.importorskip("imblearn.datasets")


def _data(counts: dict[int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``[row number, label]`` (so every output row says where it came from), shuffled."""
    y = np.concatenate([np.full(n, label) for label, n in counts.items()])
    y = np.random.default_rng(seed).permutation(y)
    X = np.stack([np.arange(y.size), y], axis=1).astype(np.float64)
    return X, y


def _assert_rows_of_input(X: np.ndarray, y: np.ndarray, X_res, y_res) -> None:
    rows = np.asarray(X_res)[:, 0].astype(np.int64)
    assert np.all(np.diff(rows) > 0)  # distinct rows, in their original order
    np.testing.assert_array_equal(np.asarray(X_res), X[rows])
    np.testing.assert_array_equal(np.asarray(y_res), y[rows])


counts_st = st.dictionaries(st.integers(-3, 20), st.integers(1, 40), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None)
@given(counts=counts_st, data=st.data())
def test_dict_counts_match_imblearn(counts, data):
    X, y = _data(counts)
    strategy = {
        label: data.draw(st.integers(0, n))
        for label, n in counts.items()
        if data.draw(st.booleans())
    }
    if not strategy:
        strategy = {next(iter(counts)): 1}
    X_res, y_res = make_imbalance(X, y, sampling_strategy=strategy, generator=0)
    _, y_theirs = imblearn_datasets.make_imbalance(X, y, sampling_strategy=strategy, random_state=0)
    assert Counter(y_res.tolist()) == Counter(y_theirs.tolist())
    assert type(X_res) is np.ndarray and X_res.dtype == X.dtype and y_res.dtype == y.dtype
    _assert_rows_of_input(X, y, X_res, y_res)


def test_callable_gets_y_as_passed_and_kwargs():
    X, y = _data({0: 30, 1: 20, 2: 10})
    labels = np.array(["ant", "bee", "cat"])[y]
    seen = {}

    def halve(y_given, *, factor):
        seen["y"] = y_given
        found = Counter(y_given.tolist())
        return {label: n // factor for label, n in found.items()}

    _, y_res = make_imbalance(X, labels, sampling_strategy=halve, factor=2, generator=1)
    assert seen["y"] is labels
    assert Counter(y_res.tolist()) == {"ant": 15, "bee": 10, "cat": 5}
    _, y_theirs = imblearn_datasets.make_imbalance(X, labels, sampling_strategy=halve, factor=2)
    assert Counter(y_res.tolist()) == Counter(y_theirs.tolist())


def test_int_seed_is_deterministic_and_seeds_differ():
    X, y = _data({0: 200, 1: 200})
    first = make_imbalance(X, y, sampling_strategy={0: 50}, generator=3)
    again = make_imbalance(X, y, sampling_strategy={0: 50}, generator=3)
    other = make_imbalance(X, y, sampling_strategy={0: 50}, generator=4)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


def test_torch_generator_is_used_as_is():
    X, y = torch.randn(100, 3), torch.arange(2).repeat(50)
    g = torch.Generator().manual_seed(0)
    a, _ = make_imbalance(X, y, sampling_strategy={0: 10}, generator=g)
    b, _ = make_imbalance(X, y, sampling_strategy={0: 10}, generator=g)
    assert not torch.equal(a, b)  # the generator's state advanced


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_tensors_keep_dtype_and_device(dtype):
    X = torch.randn(60, 4).to(dtype)
    y = torch.tensor([0, 1, 2], dtype=torch.int32).repeat(20)
    X_res, y_res = make_imbalance(X, y, sampling_strategy={1: 5, 2: 2}, generator=0)
    assert isinstance(X_res, torch.Tensor) and X_res.dtype == dtype and X_res.device == X.device
    assert y_res.dtype == torch.int32
    assert torch.bincount(y_res).tolist() == [20, 5, 2]
    positions = [int(torch.nonzero((row == X).all(1))[0]) for row in X_res]
    assert torch.equal(y[positions], y_res)


def test_pandas_round_trip_with_string_labels():
    X = pd.DataFrame({"a": np.arange(30, dtype=np.int32), "b": np.linspace(0, 1, 30)})
    y = pd.Series(np.array(["x", "y", "z"])[np.arange(30) % 3], name="kind")
    X_res, y_res = make_imbalance(X, y, sampling_strategy={"x": 2, "z": 4}, generator=0)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["a", "b"]
    assert X_res.dtypes.tolist() == X.dtypes.tolist()
    assert isinstance(y_res, pd.Series) and y_res.name == "kind"
    assert Counter(y_res.tolist()) == {"x": 2, "y": 10, "z": 4}
    assert (y.to_numpy()[X_res["a"].to_numpy()] == y_res.to_numpy()).all()


def test_lists_come_back_as_lists():
    X_res, y_res = make_imbalance(
        [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1], sampling_strategy={0: 1}
    )
    assert isinstance(X_res, list) and isinstance(y_res, list) and len(y_res) == 3


def test_long_tail_of_a_balanced_set_follows_long_tail_counts():
    X, y = _data(dict.fromkeys(range(10), 500))
    for profile in ("exponential", "step"):
        X_res, y_res = make_imbalance(X, y, imbalance_ratio=100, profile=profile, generator=0)
        found = np.bincount(y_res, minlength=10).tolist()
        assert found == long_tail_counts(500, 10, 100, profile=profile)
        _assert_rows_of_input(X, y, X_res, y_res)


def test_long_tail_default_head_is_the_largest_every_class_supplies():
    # Class 0 is the head (sorted labels); class 2 is too small for a head of 90.
    X, y = _data({0: 90, 1: 120, 2: 15})
    _, y_res = make_imbalance(X, y, imbalance_ratio=4, generator=0)
    assert np.bincount(y_res).tolist() == long_tail_counts(63, 3, 4) == [63, 31, 15]
    with pytest.raises(InvalidParameterError, match="class 2, which has only 15; use n_max=63"):
        make_imbalance(X, y, imbalance_ratio=4, n_max=90)
    # class_order ranks the classes; the tail (class 2) still bounds the head.
    _, y_ordered = make_imbalance(X, y, imbalance_ratio=4, class_order=[1, 0, 2], generator=0)
    assert np.bincount(y_ordered).tolist() == [31, 63, 15]


def test_long_tail_class_order_and_explicit_n_max():
    X, y = _data({0: 50, 1: 50, 2: 50})
    labels = np.array(["a", "b", "c"])[y]
    _, y_res = make_imbalance(X, labels, imbalance_ratio=10, class_order=["c", "a", "b"])
    assert Counter(y_res.tolist()) == {"c": 50, "a": 15, "b": 5}
    _, y_small = make_imbalance(X, labels, imbalance_ratio=10, n_max=20, generator=0)
    assert Counter(y_small.tolist()) == {"a": 20, "b": 6, "c": 2}


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 60), min_size=2, max_size=6),
    ratio=st.floats(1.0, 30.0),
    profile=st.sampled_from(["exponential", "step"]),
)
def test_long_tail_counts_property(counts, ratio, profile):
    X, y = _data(dict(enumerate(counts)))
    try:
        X_res, y_res = make_imbalance(X, y, imbalance_ratio=ratio, profile=profile, generator=0)
    except InvalidParameterError as error:
        refused = str(error)
    else:
        refused = ""
    if refused:
        assert "zero samples" in refused
        return
    found = np.bincount(y_res, minlength=len(counts)).tolist()
    head = found[0]
    assert found == long_tail_counts(head, len(counts), ratio, profile=profile)
    assert all(f <= c for f, c in zip(found, counts, strict=True))
    # The head is the largest feasible: one more would ask some class for more than it has.
    if head < counts[0]:
        bigger = long_tail_counts(head + 1, len(counts), ratio, profile=profile)
        assert any(b > c for b, c in zip(bigger, counts, strict=True))
    _assert_rows_of_input(X, y, X_res, y_res)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, InvalidParameterError, "give exactly one of sampling_strategy .* got neither"),
        (
            {"sampling_strategy": {0: 1}, "imbalance_ratio": 2},
            InvalidParameterError,
            "got both",
        ),
        ({"sampling_strategy": "auto"}, InvalidParameterError, r"sampling_strategy='auto' is"),
        ({"sampling_strategy": 0.5}, InvalidParameterError, "a dict {class: count to keep}"),
        (
            {"sampling_strategy": {0: 1}, "random_state": 0},
            InvalidParameterError,
            r"unexpected keyword argument\(s\) \['random_state'\].*generator=",
        ),
        ({"imbalance_ratio": 2, "random_state": 0}, InvalidParameterError, "generator="),
        ({"sampling_strategy": {0: 11}}, InvalidParameterError, "class 0, which has only 10"),
        ({"sampling_strategy": {7: 1}}, InvalidParameterError, r"class\(es\) \[7\] not present"),
        ({"sampling_strategy": {0: 1}, "profile": "step"}, InvalidParameterError, "only with"),
        ({"sampling_strategy": {0: 1}, "n_max": 3}, InvalidParameterError, "n_max=3 applies"),
        ({"imbalance_ratio": 0.5}, InvalidParameterError, r"imbalance_ratio=0.5 is invalid"),
        ({"imbalance_ratio": 2, "profile": "log"}, InvalidParameterError, "profile='log'"),
        ({"imbalance_ratio": 2, "class_order": [0]}, InvalidParameterError, r"missing \[1\]"),
        (
            {"imbalance_ratio": 2, "class_order": [0, 1, 1, 5]},
            InvalidParameterError,
            r"unknown \[5\], repeated \[1\]",
        ),
        ({"imbalance_ratio": 2, "class_order": "01"}, InvalidParameterError, "list of the class"),
        (
            {"imbalance_ratio": 2, "n_max": 11},
            InvalidParameterError,
            "asks for 11 samples of class 0, which has only 10; use n_max=10 or less",
        ),
        ({"imbalance_ratio": 20}, InvalidParameterError, "class 1 with zero samples"),
        ({"imbalance_ratio": 2, "generator": -1}, InvalidParameterError, "generator=-1"),
        ({"imbalance_ratio": 2, "generator": "seed"}, InvalidParameterError, "generator='seed'"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, match):
    X, y = _data({0: 10, 1: 10})
    with pytest.raises(error, match=match):
        make_imbalance(X, y, **kwargs)


def test_bad_data_is_refused():
    with pytest.raises(DataValidationError, match="single class"):
        make_imbalance(np.zeros((4, 2)), np.zeros(4, dtype=int), imbalance_ratio=2)
    with pytest.raises(DataValidationError, match="NaN"):
        make_imbalance(np.full((2, 1), np.nan), [0, 1], sampling_strategy={0: 1})
    with pytest.raises(DataValidationError, match="same length"):
        make_imbalance(np.zeros((3, 1)), [0, 1], sampling_strategy={0: 1})
