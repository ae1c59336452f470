"""Student's t distribution (CDF and quantiles), for intervals and paired tests without SciPy."""

from __future__ import annotations

import math

from ..exceptions import InvalidParameterError

__all__ = ["student_t_cdf", "student_t_quantile"]


def _incomplete_beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta (modified Lentz's method)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return result


def _regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _incomplete_beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _incomplete_beta_fraction(b, a, 1.0 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """``P(T <= t)`` for Student's t distribution with ``df`` degrees of freedom.

    Example:
        >>> round(student_t_cdf(2.776445, 4), 6)
        0.975
    """
    t2 = t * t
    if t2 < df:  # near 0, df / (df + t²) rounds to 1: use P(|T| < |t|) = I(t²/(df+t²); 1/2, df/2)
        half_inside = 0.5 * _regularized_beta(0.5, df / 2.0, t2 / (df + t2))
        return 0.5 + half_inside if t > 0 else 0.5 - half_inside
    tail = 0.5 * _regularized_beta(df / 2.0, 0.5, df / (df + t2))
    return 1.0 - tail if t > 0 else tail


def student_t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t distribution with ``df`` degrees of freedom.

    Bisection on the CDF (through the regularised incomplete beta function), to about 1e-12.

    Example:
        >>> round(student_t_quantile(0.975, 4), 6)
        2.776445
    """
    if not 0.0 < p < 1.0 or not df > 0:
        raise InvalidParameterError(
            f"student_t_quantile: p={p!r} must be in (0, 1) and df={df!r} positive."
        )
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if student_t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low < 1e-13 * max(1.0, high):
            break
    return 0.5 * (low + high)
