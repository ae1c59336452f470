"""check_X_y / check_labels: every accepted container round-trips, bad data is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from torchbalance.exceptions import DataValidationError
from torchbalance.utils import check_features, check_labels, check_X_y


def test_tensor_inputs_are_not_copied_and_keep_dtype():
    X = torch.randn(6, 3, dtype=torch.float64)
    y = torch.tensor([0, 1, 0, 1, 2, 2], dtype=torch.int32)
    X_out, y_out, converter = check_X_y(X, y)
    assert X_out is X
    assert y_out.dtype == torch.int64
    assert converter.to_X(X_out) is X_out
    assert converter.to_y(y_out).dtype == torch.int32
    assert torch.equal(converter.to_y(y_out), y)


def test_numpy_round_trip_keeps_dtype_and_values():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([-3, 7, 7, -3], dtype=np.int16)
    X_t, y_t, converter = check_X_y(X, y)
    assert X_t.dtype == torch.float32
    assert y_t.tolist() == [-3, 7, 7, -3]
    X_back, y_back = converter.to_X(X_t), converter.to_y(y_t)
    assert isinstance(X_back, np.ndarray)
    assert X_back.dtype == np.float32
    assert y_back.dtype == np.int16
    np.testing.assert_array_equal(X_back, X)
    np.testing.assert_array_equal(y_back, y)


def test_readonly_numpy_is_copied_not_warned():
    X = np.ones((3, 2))
    X.setflags(write=False)
    X_t, _, _ = check_X_y(X, [0, 1, 0])
    assert X_t.shape == (3, 2)


def test_pandas_round_trip_keeps_columns_dtypes_and_name():
    X = pd.DataFrame({"age": [30, 40, 50, 60], "income": [1.5, 2.5, 3.5, 4.5]})
    y = pd.Series(["no", "yes", "no", "no"], name="churn")
    X_t, y_t, converter = check_X_y(X, y)
    assert X_t.dtype == torch.float64
    assert y_t.tolist() == [0, 1, 0, 0]
    X_back, y_back = converter.to_X(X_t), converter.to_y(y_t)
    assert list(X_back.columns) == ["age", "income"]
    assert X_back.dtypes.tolist() == X.dtypes.tolist()
    pd.testing.assert_frame_equal(X_back, X)
    assert y_back.name == "churn"
    assert y_back.tolist() == y.tolist()


def test_string_labels_encoded_in_sorted_order_and_restored():
    y = np.array(["b", "a", "c", "a"])
    codes, converter = check_labels(y)
    assert codes.tolist() == [1, 0, 2, 0]
    assert converter.classes.tolist() == ["a", "b", "c"]
    assert converter.encode_label("c") == 2
    assert converter.to_y(torch.tensor([2, 2, 0])).tolist() == ["c", "c", "a"]


def test_list_inputs_come_back_as_lists():
    X_t, y_t, converter = check_X_y([[0.0, 1.0], [1.0, 0.0]], [1, 0])
    assert converter.to_X(X_t) == [[0.0, 1.0], [1.0, 0.0]]
    assert converter.to_y(y_t) == [1, 0]


def test_integral_float_labels_accepted_and_restored():
    y = np.array([0.0, 1.0, 1.0])
    codes, converter = check_labels(y)
    assert codes.dtype == torch.int64
    assert converter.to_y(codes).dtype == np.float64


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.ones(5), [0, 1, 0, 1, 0], r"X must be 2-D.*reshape\(-1, 1\)"),
        (np.ones((2, 2, 2)), [0, 1], "X must be 2-D"),
        (np.ones((0, 3)), np.array([], dtype=int), "at least one sample"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), [0, 1], "1 NaN and 0 infinite"),
        (torch.tensor([[1.0, float("inf")], [0.0, 1.0]]), [0, 1], "0 NaN and 1 infinite"),
        (np.array([["a", "b"], ["c", "d"]]), [0, 1], "features must be numeric"),
        (np.ones((3, 2)), [0, 1], "X has 3 samples but y has 2"),
        (np.ones((2, 2)), np.array([[0], [1]]), r"use y.ravel\(\)"),
        (np.ones((2, 2)), np.array([[0, 1], [1, 0]]), "y must be 1-D"),
        (np.ones((2, 2)), np.array([0.0, np.nan]), "y contains NaN"),
        (np.ones((2, 2)), np.array([0.5, 1.0]), "non-integer values"),
        (np.ones((2, 2)), np.array(["a", None], dtype=object), "missing labels"),
        (np.ones((2, 2)), np.array(["a", 1], dtype=object), "mixes label types"),
        # NumPy would read [1, "1"] as two strings, one class
        (np.ones((2, 2)), [1, "1"], r"mixes label types \['int', 'str'\]"),
        (np.ones((2, 2)), [True, "True"], r"mixes label types \['bool', 'str'\]"),
        (torch.ones(2, 2), torch.tensor([0.0, 1.0]), r"integer tensor \(use y.long\(\)\)"),
        (torch.ones(2, 2, dtype=torch.complex64), torch.tensor([0, 1]), "complex"),
    ],
)
def test_bad_input_refused_with_clear_message(X, y, match):
    with pytest.raises(DataValidationError, match=match):
        check_X_y(X, y, owner="SMOTE")


def test_messages_name_the_owner():
    with pytest.raises(DataValidationError, match="^SMOTE: "):
        check_X_y(np.ones((3, 2)), [0, 1], owner="SMOTE")


def test_categorical_dataframe_columns_are_named():
    X = pd.DataFrame({"age": [1, 2], "city": ["Oslo", "Rome"], "kind": pd.Categorical(["a", "b"])})
    with pytest.raises(DataValidationError, match=r"\['city', 'kind'\].*get_dummies"):
        check_features(X)


def test_dataframe_as_labels_refused():
    with pytest.raises(DataValidationError, match="pass a single column"):
        check_labels(pd.DataFrame({"y": [0, 1]}))


def test_allow_nan_lets_missing_values_through():
    X, _, _ = check_X_y(np.array([[np.nan, 1.0], [0.0, 1.0]]), [0, 1], allow_nan=True)
    assert torch.isnan(X).any()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_labels_on_another_device_refused():
    with pytest.raises(DataValidationError, match="move both to one device"):
        check_X_y(torch.ones(2, 2, device="cuda"), torch.tensor([0, 1]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_numpy_labels_follow_tensor_features_to_their_device():
    _, y, _ = check_X_y(torch.ones(2, 2, device="cuda"), np.array([0, 1]))
    assert y.device.type == "cuda"


@settings(max_examples=60, deadline=None)
@given(
    X=hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int64]),
        shape=st.tuples(st.integers(1, 8), st.integers(1, 4)),
        elements=st.integers(-100, 100),
    ),
    data=st.data(),
)
def test_numpy_round_trip_property(X, data):
    y = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=len(X), max_size=len(X))))
    X_t, y_t, converter = check_X_y(X, y)
    np.testing.assert_array_equal(converter.to_X(X_t), X)
    np.testing.assert_array_equal(converter.to_y(y_t), y)
    assert converter.to_X(X_t).dtype == X.dtype


def test_dataframe_mixing_bool_and_float_columns_is_numeric():
    X = pd.DataFrame({"flag": [True, False], "value": [0.5, 1.5]})
    X_t, _, converter = check_X_y(X, [0, 1])
    assert X_t.dtype == torch.float64
    pd.testing.assert_frame_equal(converter.to_X(X_t), X)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_finite_values_whose_sum_overflows_are_accepted(dtype):
    big = torch.finfo(dtype).max
    X = torch.full((4, 3), big, dtype=dtype)  # the sum is inf, no value is
    X[1] = -big
    checked, _, _ = check_X_y(X, [0, 1, 0, 1])
    assert checked is X


@settings(max_examples=40, deadline=None)
@given(
    n_nan=st.integers(0, 5),
    n_inf=st.integers(0, 5),
    seed=st.integers(0, 1000),
    dtype=st.sampled_from([torch.float16, torch.float32, torch.float64]),
)
def test_nan_and_inf_are_counted_exactly(n_nan, n_inf, seed, dtype):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(30, 4, generator=g).to(dtype)
    cells = torch.randperm(X.numel(), generator=g)[: n_nan + n_inf]
    flat = X.view(-1)
    flat[cells[:n_nan]] = float("nan")
    flat[cells[n_nan:]] = float("inf") if seed % 2 else float("-inf")
    y = torch.arange(30) % 2
    if n_nan + n_inf == 0:
        check_X_y(X, y)
        return
    with pytest.raises(DataValidationError, match=f"{n_nan} NaN and {n_inf} infinite"):
        check_X_y(X, y)


def test_pandas_label_dtypes_survive_a_round_trip():
    categorical = pd.Series(pd.Categorical(["b", "a", "b"], categories=["a", "b", "c"]))
    nullable_int = pd.Series([1, 0, 1], dtype="Int64")
    for y in (categorical, nullable_int, pd.Series([True, False, True], dtype="boolean")):
        codes, converter = check_labels(y)
        back = converter.to_y(codes)
        assert back.dtype == y.dtype and back.tolist() == y.tolist()
    assert converter.to_y(codes[:1]).dtype == "boolean"
    assert list(check_labels(categorical)[1].to_y(codes).cat.categories) == ["a", "b", "c"]


def test_pandas_missing_labels_are_refused():
    with pytest.raises(DataValidationError, match="missing labels"):
        check_labels(pd.Series([1, pd.NA, 0], dtype="Int64"))


def test_nullable_dataframe_columns_are_numeric_and_come_back_nullable():
    frame = pd.DataFrame(
        {"a": pd.array([1.5, 2.5], dtype="Float64"), "b": pd.array([1, 2], dtype="Int64")}
    )
    X, _, converter = check_X_y(frame, [0, 1])
    assert X.dtype == torch.float64 and X.tolist() == [[1.5, 1.0], [2.5, 2.0]]
    pd.testing.assert_frame_equal(converter.to_X(X), frame)
    with_na = frame.copy()
    with_na.iloc[0, 0] = pd.NA
    with pytest.raises(DataValidationError, match="1 NaN"):
        check_features(with_na)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on CPU-only machines")
def test_cuda_without_cuda_is_refused_by_name():
    from torchbalance.exceptions import InvalidParameterError
    from torchbalance.models import TorchClassifier
    from torchbalance.utils import resolve_device

    with pytest.raises(InvalidParameterError, match="CUDA is not available here"):
        resolve_device("cuda", "Owner")
    with pytest.raises(InvalidParameterError, match="TorchClassifier: device='cuda'"):
        TorchClassifier(device="cuda", epochs=1).fit(torch.randn(20, 2), torch.tensor([0, 1] * 10))
