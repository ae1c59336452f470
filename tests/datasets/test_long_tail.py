"""long_tail_counts reproduces the CIFAR-LT protocol and refuses impossible profiles."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.datasets import long_tail_counts
from torchbalance.exceptions import InvalidParameterError


def _reference(img_max: int, cls_num: int, imb_factor: float, imb_type: str) -> list[int]:
    """get_img_num_per_cls of Cao et al.'s LDAM-DRW code (imbalance_cifar.py), for even C."""
    img_num_per_cls = []
    if imb_type == "exp":
        for cls_idx in range(cls_num):
            num = img_max * (imb_factor ** (cls_idx / (cls_num - 1.0)))
            img_num_per_cls.append(int(num))
    else:
        img_num_per_cls += [int(img_max)] * (cls_num // 2)
        img_num_per_cls += [int(img_max * imb_factor)] * (cls_num // 2)
    return img_num_per_cls


def test_cifar10_lt_counts():
    assert long_tail_counts(5000, 10, 100) == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]


@pytest.mark.parametrize(("n_max", "n_classes"), [(5000, 10), (500, 100), (1300, 1000)])
@pytest.mark.parametrize("ratio", [1, 10, 20, 50, 100, 200, 256])
@pytest.mark.parametrize(("profile", "imb_type"), [("exponential", "exp"), ("step", "step")])
def test_matches_the_reference_code(n_max, n_classes, ratio, profile, imb_type):
    expected = _reference(n_max, n_classes, 1.0 / ratio, imb_type)
    assert long_tail_counts(n_max, n_classes, ratio, profile=profile) == expected


def test_float_artefacts_are_not_truncated():
    # 294 * (1/49) ** 1.0 is 5.999...; the exact tail is 294 / 49 = 6.
    assert _reference(294, 10, 1 / 49, "exp")[-1] == 5
    assert long_tail_counts(294, 10, 49)[-1] == 6


def test_step_profile_with_odd_classes_puts_the_extra_class_in_the_tail():
    assert long_tail_counts(100, 3, 10, profile="step") == [100, 10, 10]
    assert long_tail_counts(100, 2, 10, profile="step") == [100, 10]


@settings(max_examples=200, deadline=None)
@given(
    n_max=st.integers(1, 100_000),
    n_classes=st.integers(2, 60),
    ratio=st.floats(1.0, 1000.0),
    profile=st.sampled_from(["exponential", "step"]),
)
def test_profile_properties(n_max, n_classes, ratio, profile):
    exact_tail = Fraction(n_max) / Fraction(ratio)
    if abs(exact_tail - 1) < 1e-9:
        return  # a float's rounding decides; both outcomes are right
    if exact_tail < 1:
        with pytest.raises(InvalidParameterError, match="zero samples"):
            long_tail_counts(n_max, n_classes, ratio, profile=profile)
        return
    counts = long_tail_counts(n_max, n_classes, ratio, profile=profile)
    assert len(counts) == n_classes
    assert all(isinstance(n, int) for n in counts)
    assert counts[0] == n_max
    assert all(a >= b for a, b in itertools.pairwise(counts))
    assert abs(counts[-1] - int(exact_tail)) <= 1  # within rounding
    if profile == "step":
        head = n_classes // 2
        assert counts[:head] == [n_max] * head
        assert counts[head:] == [counts[-1]] * (n_classes - head)
    else:
        for c, n in enumerate(counts):
            exact = n_max * ratio ** (-c / (n_classes - 1))
            assert abs(n - exact) < 1 + 1e-6


@settings(max_examples=200, deadline=None)
@given(n_max=st.integers(1, 1_000_000), ratio=st.integers(1, 1000), n_classes=st.integers(2, 30))
def test_integer_ratios_give_the_exact_tail(n_max, ratio, n_classes):
    if n_max < ratio:
        return
    for profile in ("exponential", "step"):
        assert long_tail_counts(n_max, n_classes, ratio, profile=profile)[-1] == n_max // ratio


@given(n_max=st.integers(1, 10_000), n_classes=st.integers(2, 50))
def test_ratio_one_is_balanced(n_max, n_classes):
    for profile in ("exponential", "step"):
        assert long_tail_counts(n_max, n_classes, 1.0, profile=profile) == [n_max] * n_classes


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((100, 1, 10), {}, r"long_tail_counts: n_classes=1 is invalid; it must be an int in \[2"),
        ((100, 10, 0.5), {}, r"imbalance_ratio=0.5 is invalid; it must be a float in \[1"),
        ((0, 10, 10), {}, r"n_max=0 is invalid; it must be an int in \[1"),
        ((100.0, 10, 10), {}, r"n_max=100.0 is invalid"),
        ((True, 10, 10), {}, r"n_max=True is invalid"),
        (
            (100, 10, float("inf")),
            {},
            r"imbalance_ratio=inf is invalid; it must be a float in \[1, inf\)",
        ),
        ((100, 10, float("nan")), {}, r"imbalance_ratio=nan is invalid"),
        ((100, 10, 10), {"profile": "linear"}, r"profile='linear' is invalid; it must be one of"),
    ],
)
def test_bad_parameters_are_refused(args, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        long_tail_counts(*args, **kwargs)


def test_zero_count_class_names_the_class_and_the_fix():
    with pytest.raises(InvalidParameterError) as info:
        long_tail_counts(50, 10, 100)
    message = str(info.value)
    assert "class 8 and every class after it with zero samples" in message
    assert "raise n_max to at least 100 or lower imbalance_ratio to at most 50" in message
    with pytest.raises(InvalidParameterError, match="leaves class 1 with zero samples"):
        long_tail_counts(5, 2, 10, profile="step")
