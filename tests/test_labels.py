"""get_labels finds labels without loading samples; class_counts and imbalance_ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import ConcatDataset, Dataset, Subset, TensorDataset

from torchbalance.exceptions import DataValidationError
from torchbalance.labels import class_counts, get_labels, imbalance_ratio


class _NoLoading(Dataset):
    """A dataset whose samples must never be loaded; labels kept under some attribute."""

    def __init__(self, labels, attribute="targets"):
        setattr(self, attribute, labels)
        self._n = len(labels)

    def __len__(self):
        return self._n

    def __getitem__(self, index):
        raise AssertionError("get_labels loaded a sample")


class _ImageFolderLike(_NoLoading):
    def __init__(self, labels):
        self.samples = [(f"img_{i}.png", int(label)) for i, label in enumerate(labels)]
        self._n = len(labels)


labels_list = st.lists(st.integers(0, 9), min_size=1, max_size=40)


def _wrap(kind: str, labels: list[int]):
    if kind == "tensor":
        return torch.tensor(labels)
    if kind == "numpy":
        return np.array(labels, dtype=np.int32)
    if kind == "list":
        return list(labels)
    if kind == "series":
        return pd.Series(labels)
    if kind == "tensor_dataset":
        return TensorDataset(torch.zeros(len(labels), 2), torch.tensor(labels))
    if kind == "image_folder":
        return _ImageFolderLike(labels)
    if kind == "list_of_tensors":
        return _NoLoading([torch.tensor(v) for v in labels])
    if kind == "targets_tensor":
        return _NoLoading(torch.tensor(labels), attribute="targets")
    return _NoLoading(labels, attribute=kind)


KINDS = [
    "tensor",
    "numpy",
    "list",
    "series",
    "tensor_dataset",
    "image_folder",
    "targets",
    "targets_tensor",
    "labels",
    "y",
    "list_of_tensors",
]


@settings(max_examples=80, deadline=None)
@given(labels=labels_list, kind=st.sampled_from(KINDS))
def test_every_source_gives_the_labels(labels, kind):
    result = get_labels(_wrap(kind, labels))
    assert result.dtype == torch.int64
    assert result.tolist() == labels


@settings(max_examples=80, deadline=None)
@given(
    parts=st.lists(st.tuples(labels_list, st.sampled_from(KINDS[4:])), min_size=1, max_size=3),
    data=st.data(),
)
def test_nested_subsets_of_concat_datasets(parts, data):
    concat = ConcatDataset([_wrap(kind, labels) for labels, kind in parts])
    expected = [v for labels, _ in parts for v in labels]
    assert get_labels(concat).tolist() == expected
    outer = data.draw(st.lists(st.integers(0, len(expected) - 1), max_size=20))
    subset = Subset(concat, outer)
    assert get_labels(subset).tolist() == [expected[i] for i in outer]
    if outer:
        inner = data.draw(st.lists(st.integers(0, len(outer) - 1), max_size=10))
        nested = Subset(subset, torch.tensor(inner, dtype=torch.long))
        assert get_labels(nested).tolist() == [expected[outer[i]] for i in inner]


def test_label_fn_is_used_when_given():
    dataset = _NoLoading([0, 1, 2])
    assert get_labels(dataset, label_fn=lambda ds: [2, 2, 2]).tolist() == [2, 2, 2]


def test_label_fn_length_checked():
    with pytest.raises(DataValidationError, match="2 labels but the dataset has 3"):
        get_labels(_NoLoading([0, 1, 2]), label_fn=lambda ds: [0, 1])


def test_unknown_dataset_refused_with_hint():
    class Opaque(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return i

    with pytest.raises(
        DataValidationError, match="Opaque.*Pass the labels themselves, e.g. get_labels"
    ):
        get_labels(Opaque())


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        (TensorDataset(torch.zeros(3)), "single tensor"),
        (torch.zeros(3, 2, dtype=torch.long), r"labels.argmax\(1\)"),
        (torch.tensor([0.5, 1.0]), "not integers"),
        (torch.tensor([0.0, float("nan")]), "NaN"),
        (torch.tensor([1e20, 1.0]), "exceed the int64 range"),  # was INT64_MIN
        (np.array([2.0**63, 1.0]), "exceed the int64 range"),
        (np.array(["a", "b"]), "LabelEncoder"),
    ],
)
def test_bad_labels_refused(labels, match):
    with pytest.raises(DataValidationError, match=match):
        get_labels(labels)


def test_targets_length_mismatch_refused():
    dataset = _NoLoading([0, 1, 2])
    dataset._n = 5
    with pytest.raises(DataValidationError, match="3 labels but the dataset has 5"):
        get_labels(dataset)


@settings(max_examples=50, deadline=None)
@given(labels=labels_list)
def test_class_counts_matches_numpy(labels):
    counts = class_counts(torch.tensor(labels))
    np.testing.assert_array_equal(counts.numpy(), np.bincount(labels))
    assert class_counts(labels, num_classes=12).shape == (12,)


def test_class_counts_errors():
    with pytest.raises(DataValidationError, match="labels must be >= 0"):
        class_counts(torch.tensor([-1, 0]))
    with pytest.raises(DataValidationError, match="label 5 is out of range for num_classes=3"):
        class_counts([0, 5], num_classes=3)
    with pytest.raises(DataValidationError, match="num_classes=0"):
        class_counts([0], num_classes=0)


def test_imbalance_ratio():
    assert imbalance_ratio([0] * 50 + [1] * 2 + [2] * 10) == 25.0
    assert imbalance_ratio([7, 0, 7], from_counts=True) == 1.0
    with pytest.raises(DataValidationError, match="no samples"):
        imbalance_ratio([0, 0], from_counts=True)


def test_label_imbalance_ratios_follow_charte_definition():
    from torchbalance.labels import label_imbalance_ratios, mean_imbalance_ratio

    rng = np.random.default_rng(0)
    matrix = (rng.random((200, 6)) < np.array([0.5, 0.3, 0.1, 0.05, 0.4, 0.2])).astype(int)
    counts = matrix.sum(0)
    expected = counts.max() / counts
    np.testing.assert_allclose(label_imbalance_ratios(matrix).numpy(), expected)
    assert mean_imbalance_ratio(torch.from_numpy(matrix)) == pytest.approx(expected.mean())
    assert label_imbalance_ratios([[True, True]]).tolist() == [1.0, 1.0]


def test_label_imbalance_ratios_refuse_bad_matrices():
    from torchbalance.labels import label_imbalance_ratios

    with pytest.raises(DataValidationError, match=r"label\(s\) \[1\] occur in no sample"):
        label_imbalance_ratios([[1, 0], [1, 0]])
    with pytest.raises(DataValidationError, match="only 0 and 1"):
        label_imbalance_ratios([[0.5, 1.0]])
    with pytest.raises(DataValidationError, match="2-D"):
        label_imbalance_ratios([1, 0, 1])


@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.uint64])
def test_wide_unsigned_numpy_labels_are_integers(dtype):
    assert get_labels(np.array([0, 1, 2, 2], dtype=dtype)).tolist() == [0, 1, 2, 2]


@pytest.mark.parametrize("name", ["uint16", "uint32", "uint64"])
def test_wide_unsigned_tensor_labels_are_integers(name):
    dtype = getattr(torch, name, None)
    if dtype is None:
        pytest.skip(f"torch {torch.__version__} has no {name}")
    assert get_labels(torch.tensor([0, 1, 2, 2], dtype=dtype)).tolist() == [0, 1, 2, 2]
    if name == "uint64":
        with pytest.raises(DataValidationError, match="exceed the int64 range"):
            get_labels(torch.tensor([1, 2**63 + 5], dtype=dtype))


def test_a_list_of_sample_label_pairs_points_to_label_fn():
    with pytest.raises(DataValidationError, match="label_fn=lambda ds"):
        get_labels([(torch.randn(3), 0), (torch.randn(3), 1)])
    with pytest.raises(DataValidationError, match="label_fn=lambda ds"):
        get_labels([(0.5, 0), (1.5, 1)])


@pytest.mark.parametrize("counts", [[10, -5], [[10, 5]], ["a", "b"], [], [1.0, float("nan")]])
def test_counts_given_directly_are_checked(counts):
    from torchbalance.weights import class_weights

    with pytest.raises(DataValidationError, match="counts must be"):
        imbalance_ratio(counts, from_counts=True)
    with pytest.raises(DataValidationError, match="counts must be"):
        class_weights(counts, from_counts=True)


def test_numpy_integer_num_classes_and_integer_weight_dtypes():
    from torchbalance.exceptions import InvalidParameterError
    from torchbalance.weights import class_weights

    assert class_counts(torch.tensor([0, 2]), num_classes=np.int64(3)).tolist() == [1, 0, 1]
    with pytest.raises(InvalidParameterError, match="must be a floating dtype"):
        class_weights([90, 10], from_counts=True, dtype=torch.int64)
