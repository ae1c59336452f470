from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from torchbalance.exceptions import DataValidationError
from torchbalance.model_selection._intervals import fold_mean_interval, student_t_quantile


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.001, 0.999), df=st.floats(0.5, 500))
def test_t_quantile_matches_scipy(p, df):
    # within 1e-6 of the median scipy's ppf itself is off by up to 3e-9 (e.g. df=4: 0.0 at
    # p = 0.5 + 1e-9); the next test checks that region against the exact linear term
    assume(abs(p - 0.5) > 1e-6)
    assert math.isclose(student_t_quantile(p, df), stats.t.ppf(p, df), rel_tol=1e-8, abs_tol=1e-9)


@pytest.mark.parametrize("df", [0.5, 1.0, 4.0, 500.0])
@pytest.mark.parametrize("delta", [2**-53, 1e-12, 1e-9, -1e-10, 1e-7])
def test_t_quantile_near_the_median(delta, df):
    # Near the median the quantile is delta / f(0), f the t density (the next term is O(delta³));
    # the CDF there is computed from P(|T| < t), not 1 - P(|T| > t), which rounds to 1/2.
    density_at_0 = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(
        df * math.pi
    )
    expected = delta / density_at_0
    assert math.isclose(student_t_quantile(0.5 + delta, df), expected, rel_tol=1e-6, abs_tol=1e-13)


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.floats(0, 1), min_size=2, max_size=30), fraction=st.floats(0.05, 0.5))
def test_interval_matches_the_textbook_formula(values, fraction):
    result = fold_mean_interval(values, confidence=0.9, test_fraction=fraction)
    j = len(values)
    mean = sum(values) / j
    s2 = sum((v - mean) ** 2 for v in values) / (j - 1)
    half = stats.t.ppf(0.95, j - 1) * math.sqrt((1 / j + fraction / (1 - fraction)) * s2)
    assert math.isclose(result.mean, mean, abs_tol=1e-12)
    assert math.isclose(result.high - result.mean, half, rel_tol=1e-7, abs_tol=1e-12)
    assert math.isclose(result.mean - result.low, half, rel_tol=1e-7, abs_tol=1e-12)
    plain = fold_mean_interval(values, confidence=0.9)
    assert plain.high - plain.low <= result.high - result.low + 1e-12  # the correction widens


def test_bad_input():
    with pytest.raises(DataValidationError, match="at least two folds"):
        fold_mean_interval([0.5])
    with pytest.raises(DataValidationError, match="NaN"):
        fold_mean_interval([0.5, float("nan")])


@pytest.mark.parametrize("fraction", [0.0, 1.0, 2.0, -0.5])
def test_test_fraction_outside_zero_one_is_refused(fraction):
    from torchbalance.exceptions import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="test_fraction"):
        fold_mean_interval([0.8, 0.82, 0.79], test_fraction=fraction)
