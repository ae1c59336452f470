"""The built-in digits: scikit-learn's data, a long-tailed train split, a balanced test split."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.datasets import (
    TrainTestData,
    list_datasets,
    load_dataset,
    load_digits,
    load_digits_lt,
    load_synthetic_lt,
    long_tail_counts,
)
from torchbalance.exceptions import InvalidParameterError

sklearn_datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def sklearn_digits():
    return sklearn_datasets.load_digits()


def test_load_digits_is_sklearns_data_scaled(sklearn_digits):
    X, y = load_digits()
    assert X.dtype == torch.float32 and y.dtype == torch.int64
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    np.testing.assert_array_equal((X * 16).numpy().astype(np.float64), sklearn_digits.data)
    np.testing.assert_array_equal(y.numpy(), sklearn_digits.target)
    X_frame, y_frame = load_digits(as_frame=True)
    assert list(X_frame.columns) == list(sklearn_digits.feature_names)
    np.testing.assert_array_equal(X_frame.to_numpy(), X.numpy())
    assert y_frame.name == "target"


def test_load_digits_returns_fresh_tensors():
    X, _ = load_digits()
    X[0, 0] = 42.0
    assert float(load_digits()[0][0, 0]) == 0.0


@pytest.mark.parametrize(
    ("ratio", "profile"),
    [(50.0, "exponential"), (1.0, "exponential"), (10, "step"), (100, "exponential")],
)
def test_splits_follow_the_protocol(ratio, profile, sklearn_digits):
    data = load_digits_lt(imbalance_ratio=ratio, profile=profile, as_frame=True)
    train_rows, test_rows = data.X_train.index.to_numpy(), data.X_test.index.to_numpy()
    # Disjoint, each in original order.
    assert not set(train_rows) & set(test_rows)
    assert np.all(np.diff(train_rows) > 0) and np.all(np.diff(test_rows) > 0)
    # Balanced test split.
    assert np.bincount(data.y_test, minlength=10).tolist() == [28] * 10
    # Long-tailed train split, head = digit 0.
    counts = np.bincount(data.y_train, minlength=10).tolist()
    assert counts == long_tail_counts(counts[0], 10, ratio, profile=profile)
    # The head is as large as the samples left after the test split allow.
    left = np.bincount(sklearn_digits.target) - 28
    assert all(c <= n for c, n in zip(counts, left, strict=True))
    bigger = long_tail_counts(counts[0] + 1, 10, ratio, profile=profile)
    assert any(b > n for b, n in zip(bigger, left, strict=True))
    # The values are scikit-learn's rows (scaled), labels included.
    np.testing.assert_array_equal(data.X_train.to_numpy() * 16, sklearn_digits.data[train_rows])
    np.testing.assert_array_equal(data.y_train.to_numpy(), sklearn_digits.target[train_rows])
    np.testing.assert_array_equal(data.X_test.to_numpy() * 16, sklearn_digits.data[test_rows])
    np.testing.assert_array_equal(data.y_test.to_numpy(), sklearn_digits.target[test_rows])


def test_default_is_deterministic_tensors():
    data = load_digits_lt()
    again = load_digits_lt()
    assert isinstance(data, TrainTestData) and data.name == "digits_lt"
    X_train, y_train, X_test, y_test = data
    assert X_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert X_train.shape == (417, 64) and X_test.shape == (280, 64)
    assert y_test.shape == (280,) and y_test.dtype == torch.int64
    assert torch.bincount(y_train).tolist() == [150, 97, 62, 40, 26, 17, 11, 7, 4, 3]
    for a, b in zip(data, again, strict=True):
        assert torch.equal(a, b)
    other = load_digits_lt(generator=1)
    assert not torch.equal(other.X_train, data.X_train)
    assert "[150, 97, 62, 40, 26, 17, 11, 7, 4, 3]" in data.description
    assert "seed 0" in data.description
    assert data.params == {
        "imbalance_ratio": 50.0,
        "profile": "exponential",
        "test_per_class": 28,
        "generator": 0,
    }
    assert "n_train=417" in repr(data)
    assert "realised ratio 50" in data.description


def test_tensor_and_frame_versions_agree():
    tensors = load_digits_lt(imbalance_ratio=10)
    frames = load_digits_lt(imbalance_ratio=10, as_frame=True)
    np.testing.assert_array_equal(tensors.X_train.numpy(), frames.X_train.to_numpy())
    np.testing.assert_array_equal(tensors.y_test.numpy(), frames.y_test.to_numpy())


def test_test_per_class():
    data = load_digits_lt(test_per_class=20, imbalance_ratio=10)
    assert torch.bincount(data.y_test).tolist() == [20] * 10
    assert torch.bincount(data.y_train).tolist()[0] == 178 - 20


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"test_per_class": 174}, "leaves no training samples of class 8 .* use at most 173"),
        ({"test_per_class": 0}, r"test_per_class=0 is invalid"),
        ({"imbalance_ratio": 200}, "zero samples.*lower test_per_class"),
        ({"imbalance_ratio": 0.9}, r"load_digits_lt: imbalance_ratio=0.9 is invalid"),
        ({"profile": "linear"}, "profile='linear'"),
        ({"as_frame": 1}, "as_frame=1"),
    ],
)
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        load_digits_lt(**kwargs)


def test_registry():
    names = list_datasets()
    assert list(names) == ["digits_lt", "synthetic_lt"]
    assert all(isinstance(text, str) and "\n" not in text for text in names.values())
    data = load_dataset("digits_lt", imbalance_ratio=10)
    assert torch.equal(data.y_train, load_digits_lt(imbalance_ratio=10).y_train)
    with pytest.raises(
        InvalidParameterError, match=r"name='digit_lt' is invalid.*did you mean 'digits_lt'"
    ):
        load_dataset("digit_lt")
    with pytest.raises(InvalidParameterError, match=r"takes no parameter\(s\) \['ratio'\]"):
        load_dataset("digits_lt", ratio=3)


def test_synthetic_lt():
    data = load_synthetic_lt(n_max=200, n_classes=4, imbalance_ratio=20, test_per_class=30)
    assert torch.bincount(data.y_train).tolist() == long_tail_counts(200, 4, 20)
    assert torch.bincount(data.y_test).tolist() == [30] * 4
    assert data.X_train.shape[1] == 20 and data.X_train.dtype == torch.float32
    again = load_dataset(
        "synthetic_lt", n_max=200, n_classes=4, imbalance_ratio=20, test_per_class=30
    )
    assert torch.equal(again.X_test, data.X_test)
    # Train and test rows are distinct draws.
    joined = torch.cat([data.X_train, data.X_test])
    assert torch.unique(joined, dim=0).shape[0] == joined.shape[0]
