"""Long-tailed class-count profiles: the CIFAR-LT protocol (exponential and step)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..exceptions import InvalidParameterError
from ..utils import Interval, Options, check_param

__all__ = ["PROFILES", "long_tail_counts"]

PROFILES = ("exponential", "step")
"""The long-tail profiles understood by :func:`long_tail_counts` and ``make_imbalance``."""

# A product like 294 * (1/49) ** 1.0 lands a few ulps below the integer 6 it stands for; the
# reference code truncates it to 5. Values within this many ulps below an integer count as it.
_ULPS = 8


def _floor(value: float) -> int:
    low = math.floor(value)
    if (low + 1) - value <= _ULPS * math.ulp(value):
        return low + 1
    return low


def _profile_counts(n_max: int, n_classes: int, imbalance_ratio: float, profile: str) -> list[int]:
    """The counts of ``profile``, unvalidated (zero counts included)."""
    factor = 1.0 / imbalance_ratio  # the reference code's ``imb_factor``
    if profile == "exponential":
        raw = [n_max * factor ** (c / (n_classes - 1.0)) for c in range(n_classes)]
    else:
        n_head = n_classes // 2
        raw = [float(n_max)] * n_head + [n_max * factor] * (n_classes - n_head)
    return [_floor(value) for value in raw]


def _check_profile_params(
    owner: str, n_classes: int, imbalance_ratio: float, profile: str, *, ratio_name: str
) -> None:
    check_param(owner, "n_classes", n_classes, [Interval(int, 2, None)])
    check_param(owner, ratio_name, imbalance_ratio, [Interval(float, 1, None)])
    check_param(owner, "profile", profile, [Options(PROFILES)])


def _first_empty_class(counts: Sequence[int]) -> int | None:
    return next((c for c, n in enumerate(counts) if n == 0), None)


def _largest_feasible_n_max(available: Sequence[int], imbalance_ratio: float, profile: str) -> int:
    """Largest head count ``n`` whose profile asks no class for more than it has.

    ``available[i]`` is the number of samples of the ``i``-th class in head-to-tail order. The
    answer is at most ``available[0]`` (the head keeps ``n``); 0 when not even ``n=1`` fits.
    """
    low, high = 0, int(available[0])
    while low < high:
        mid = (low + high + 1) // 2
        wanted = _profile_counts(mid, len(available), imbalance_ratio, profile)
        if all(w <= a for w, a in zip(wanted, available, strict=True)):
            low = mid
        else:
            high = mid - 1
    return low


def long_tail_counts(
    n_max: int, n_classes: int, imbalance_ratio: float, *, profile: str = "exponential"
) -> list[int]:
    """Per-class sample counts of a long-tailed data set, as in the CIFAR-LT protocol.

    Class ``c`` (``0`` is the head, ``n_classes - 1`` the tail) gets:

    - ``"exponential"`` (Cui et al. 2019; Cao et al. 2019):
      ``int(n_max * imbalance_ratio ** (-c / (n_classes - 1)))``, computed exactly as the
      reference code does (``img_max * imb_factor ** (cls_idx / (cls_num - 1.0))`` with
      ``imb_factor = 1 / imbalance_ratio``, then truncated), so CIFAR-10/100-LT counts are
      reproduced exactly. One deliberate difference: a value that floating point leaves a few
      ulps below an integer is counted as that integer (the reference gives 5 for
      ``n_max=294, n_classes=10, imbalance_ratio=49``'s tail, whose exact value is 6).
    - ``"step"`` (Buda et al. 2018): the first ``n_classes // 2`` classes get ``n_max``, the
      remaining ``n_classes - n_classes // 2`` get ``int(n_max / imbalance_ratio)``. For an odd
      number of classes the minority side is the larger half (3 classes:
      ``[n_max, m, m]``).

    The counts are non-increasing, the first is ``n_max`` and, for both profiles, the last is
    ``int(n_max / imbalance_ratio)``, so ``counts[0] / counts[-1]`` is ``imbalance_ratio`` up to
    that truncation.

    Args:
        n_max: Count of the head class, an int >= 1.
        n_classes: Number of classes, an int >= 2.
        imbalance_ratio: Head count over tail count, a finite float >= 1 (1 gives equal
            counts). The reference code's ``imb_factor`` is ``1 / imbalance_ratio``.
        profile: ``"exponential"`` or ``"step"``.

    Returns:
        A list of ``n_classes`` Python ints, head first (``torch.tensor(counts)`` makes it a
        LongTensor).

    Raises:
        InvalidParameterError: For ``n_max < 1``, ``n_classes < 2``, ``imbalance_ratio < 1``
            (or not finite), an unknown ``profile``, or parameters that would leave a class
            with zero samples (the message names the class and the fix).

    References:
        Cui, Jia, Lin, Song and Belongie, "Class-Balanced Loss Based on Effective Number of
        Samples", CVPR 2019. Cao, Wei, Gaidon, Arechiga and Ma, "Learning Imbalanced Datasets
        with Label-Distribution-Aware Margin Loss", NeurIPS 2019. Buda, Maki and Mazurowski, "A
        systematic study of the class imbalance problem in convolutional neural networks",
        Neural Networks 106, 2018.

    Example:
        >>> long_tail_counts(5000, 10, 100)  # CIFAR-10-LT, imbalance ratio 100
        [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
        >>> long_tail_counts(5000, 5, 10, profile="step")
        [5000, 5000, 500, 500, 500]
    """
    owner = "long_tail_counts"
    check_param(owner, "n_max", n_max, [Interval(int, 1, None)])
    _check_profile_params(owner, n_classes, imbalance_ratio, profile, ratio_name="imbalance_ratio")
    counts = _profile_counts(int(n_max), int(n_classes), float(imbalance_ratio), profile)
    empty = _first_empty_class(counts)
    if empty is not None:
        raise InvalidParameterError(
            f"{owner}: imbalance_ratio={imbalance_ratio:g} with n_max={n_max} leaves class "
            f"{empty}{' and every class after it' if empty < n_classes - 1 else ''} with zero "
            f"samples ({profile} profile: the tail gets int({n_max} / {imbalance_ratio:g}) = 0); "
            f"raise n_max to at least {math.ceil(imbalance_ratio)} or lower imbalance_ratio to "
            f"at most {n_max}."
        )
    return counts
