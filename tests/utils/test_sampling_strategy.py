"""check_sampling_strategy agrees with imbalanced-learn's on every form of the grammar."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.utils import check_sampling_strategy

imblearn_validation = pytest.importorskip("imblearn.utils._validation")
imblearn_check = imblearn_validation.check_sampling_strategy

KINDS = ("over-sampling", "under-sampling", "clean-sampling")
STRINGS = ("minority", "majority", "not minority", "not majority", "all", "auto")


def _labels(counts: dict[int, int]) -> np.ndarray:
    return np.concatenate([np.full(n, label) for label, n in counts.items()])


def _outcome(fn, *args):
    try:
        return "ok", dict(fn(*args))
    except (ValueError, OverflowError):  # imblearn overflows on ratios like 1e-308
        return "error", None


def _assert_same(strategy, counts: dict[int, int], kind: str) -> None:
    y = _labels(counts)
    theirs = _outcome(imblearn_check, strategy, y, kind)
    ours_numpy = _outcome(check_sampling_strategy, strategy, y, kind)
    ours_tensor = _outcome(check_sampling_strategy, strategy, torch.from_numpy(y), kind)
    assert ours_numpy == theirs, (strategy, counts, kind)
    assert ours_tensor == theirs, (strategy, counts, kind)


class_counts = st.dictionaries(
    keys=st.integers(-5, 30), values=st.integers(1, 60), min_size=2, max_size=6
)


@settings(max_examples=150, deadline=None)
@given(counts=class_counts, strategy=st.sampled_from(STRINGS), kind=st.sampled_from(KINDS))
def test_strings_match_imblearn(counts, strategy, kind):
    _assert_same(strategy, counts, kind)


@settings(max_examples=150, deadline=None)
@given(
    counts=st.dictionaries(st.integers(0, 9), st.integers(1, 80), min_size=2, max_size=2),
    ratio=st.floats(0.01, 1.0) | st.floats(-1.0, 2.0).filter(lambda r: abs(r) > 1e-6),
    kind=st.sampled_from(KINDS),
)
def test_float_matches_imblearn_binary(counts, ratio, kind):
    _assert_same(ratio, counts, kind)


@settings(max_examples=40, deadline=None)
@given(counts=class_counts.filter(lambda c: len(c) > 2), kind=st.sampled_from(KINDS))
def test_float_refused_for_multiclass_like_imblearn(counts, kind):
    _assert_same(0.5, counts, kind)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), counts=class_counts, kind=st.sampled_from(KINDS))
def test_dict_matches_imblearn(data, counts, kind):
    labels = sorted(counts)
    chosen = data.draw(st.lists(st.sampled_from([*labels, 99]), unique=True, min_size=1))
    requested = {label: data.draw(st.integers(-2, 100)) for label in chosen}
    _assert_same(requested, counts, kind)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), counts=class_counts, kind=st.sampled_from(KINDS))
def test_list_matches_imblearn(data, counts, kind):
    chosen = data.draw(st.lists(st.sampled_from([*sorted(counts), 99]), unique=True, min_size=1))
    _assert_same(chosen, counts, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_callable_matches_imblearn(kind):
    counts = {0: 50, 1: 20, 2: 7}

    def half_of_majority(y, factor=1):
        return {2: 25 * factor}

    y = _labels(counts)
    theirs = _outcome(
        lambda s, yy, k: imblearn_check(s, yy, k, factor=1), half_of_majority, y, kind
    )
    ours = _outcome(
        lambda s, yy, k: check_sampling_strategy(s, yy, k, factor=1), half_of_majority, y, kind
    )
    assert ours == theirs


def test_callable_receives_kwargs_and_y():
    seen = {}

    def strategy(y, target):
        seen["y"] = y
        return {0: target}

    y = torch.tensor([0, 0, 1, 1, 1])
    assert check_sampling_strategy(strategy, y, "over-sampling", target=4) == OrderedDict({0: 2})
    assert seen["y"] is y


def test_callable_must_return_a_dict():
    with pytest.raises(InvalidParameterError, match="must return a dict"):
        check_sampling_strategy(lambda y: [0], torch.tensor([0, 1]), "under-sampling")


def test_result_is_sorted_ordered_dict():
    y = torch.tensor([5] * 3 + [1] * 9 + [3] * 4)
    result = check_sampling_strategy("all", y, "over-sampling")
    assert isinstance(result, OrderedDict)
    assert list(result) == [1, 3, 5]
    assert dict(result) == {1: 0, 3: 5, 5: 6}


def test_string_labels_work_at_numpy_boundary():
    y = np.array(["cat"] * 7 + ["dog"] * 2)
    assert dict(check_sampling_strategy("auto", y, "over-sampling")) == {"dog": 5}


@pytest.mark.parametrize(
    ("strategy", "kind", "match"),
    [
        ("majority", "over-sampling", "cannot be used to over-sample"),
        ("minority", "under-sampling", "cannot be used to under-sample"),
        ("sideways", "over-sampling", "a string must be one of"),
        ({7: 3}, "over-sampling", r"class\(es\) \[7\] not present"),
        ({0: -1}, "under-sampling", "negative number"),
        ({0: 1}, "over-sampling", "can only add samples"),
        ({1: 50}, "under-sampling", "can only remove samples"),
        ({0: 1}, "clean-sampling", "cannot be a dict for a cleaning method"),
        ([0], "over-sampling", "list only for cleaning methods"),
        (0.0, "over-sampling", r"in \(0, 1\]"),
        (1.5, "under-sampling", r"in \(0, 1\]"),
        (0.5, "clean-sampling", "cannot be a float for a cleaning method"),
        (0.1, "over-sampling", "increase the ratio"),
        (object(), "over-sampling", "it must be a float"),
    ],
)
def test_errors_name_the_problem(strategy, kind, match):
    y = torch.tensor([0] * 10 + [1] * 3)
    with pytest.raises(InvalidParameterError, match=match):
        check_sampling_strategy(strategy, y, kind, owner="SMOTE")


def test_errors_are_prefixed_with_owner():
    with pytest.raises(InvalidParameterError, match="^SMOTE: sampling_strategy"):
        check_sampling_strategy("majority", torch.tensor([0, 1, 1]), "over-sampling", owner="SMOTE")


def test_single_class_refused():
    with pytest.raises(DataValidationError, match="at least 2 classes"):
        check_sampling_strategy("auto", torch.tensor([3, 3, 3]), "over-sampling")


def test_unknown_kind_refused():
    with pytest.raises(InvalidParameterError, match="kind='sideways-sampling'"):
        check_sampling_strategy("auto", torch.tensor([0, 1]), "sideways-sampling")


@pytest.mark.parametrize("kind", ["ensemble", "bypass"])
def test_bypass_kinds_return_strategy_unchanged(kind):
    marker = {"anything": 1}
    assert check_sampling_strategy(marker, torch.tensor([0, 1]), kind) is marker


@pytest.mark.parametrize("count", [5.5, 5.0, True, "5", None])
def test_dict_counts_must_be_whole_numbers(count):
    y = torch.tensor([0] * 10 + [1] * 4)
    with pytest.raises(InvalidParameterError, match="not whole numbers of samples"):
        check_sampling_strategy({0: count}, y, "under-sampling")


def test_numpy_integer_dict_counts_resolve_to_ints():
    y = torch.tensor([0] * 10 + [1] * 4)
    resolved = check_sampling_strategy({0: np.int64(6)}, y, "under-sampling")
    assert resolved == {0: 6} and type(resolved[0]) is int
