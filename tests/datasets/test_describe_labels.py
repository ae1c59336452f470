"""describe_labels: counts, shares, ratio and the small-class warnings the CLI prints."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from torchbalance.datasets import describe_labels
from torchbalance.exceptions import DataValidationError, InvalidParameterError


def test_counts_shares_and_ratio():
    summary = describe_labels(torch.tensor([2, 0, 0, 0, 2, 0, 7]))
    assert summary.labels == [0, 2, 7] and summary.counts == [4, 2, 1]
    assert summary.n_samples == 7 and summary.n_classes == 3
    assert summary.imbalance_ratio == 4.0
    assert summary.shares == pytest.approx([4 / 7, 2 / 7, 1 / 7])


def test_string_labels_from_pandas_keep_their_values():
    summary = describe_labels(pd.Series(["b", "a", "b"]))
    assert summary.labels == ["a", "b"] and summary.counts == [1, 2]
    payload = json.dumps(summary.to_dict())  # JSON-ready: no NumPy scalars
    assert '"label": "a"' in payload


def test_numpy_labels_become_plain_python():
    summary = describe_labels(np.array([1, 1, 2], dtype=np.int32))
    assert all(type(label) is int for label in summary.labels)
    json.dumps(summary.to_dict())


@pytest.mark.parametrize(
    ("y", "labels"),
    [
        (torch.tensor([True, False, True]), [False, True]),
        (pd.Series([True, False, True]), [False, True]),  # a boolean Parquet label column
        (np.array([1.0, 0.0, 1.0]), [0.0, 1.0]),
        (pd.Series([3, 1, 3], dtype="Int64"), [1, 3]),
    ],
)
def test_labels_are_shown_as_given(y, labels):
    summary = describe_labels(y)
    assert summary.labels == labels
    assert [type(v) for v in summary.labels] == [type(v) for v in labels]
    json.dumps(summary.to_dict())


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (6, None),
        (5, "class 1 has 5 samples: too few for SMOTE with k_neighbors=5 (needs 6)"),
        (
            4,
            "class 1 has 4 samples: too few for 5-fold stratified cross-validation (needs 5) "
            "and for SMOTE with k_neighbors=5 (needs 6)",
        ),
        (1, "class 1 has 1 sample: too few for 5-fold"),
    ],
)
def test_small_class_warnings(count, expected):
    summary = describe_labels([0] * 20 + [1] * count)
    if expected is None:
        assert summary.warnings == []
    else:
        assert len(summary.warnings) == 1 and summary.warnings[0].startswith(expected)


def test_thresholds_are_parameters():
    summary = describe_labels([0] * 20 + [1] * 3, n_splits=3, k_neighbors=2)
    assert summary.warnings == []
    with pytest.raises(InvalidParameterError, match="n_splits=1 is invalid"):
        describe_labels([0, 1], n_splits=1)
    with pytest.raises(DataValidationError, match="missing labels"):
        describe_labels(np.array(["a", None], dtype=object))
