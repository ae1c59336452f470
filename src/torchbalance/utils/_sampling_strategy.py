"""imbalanced-learn's ``sampling_strategy`` grammar, computed the same way on tensors.

``check_sampling_strategy`` turns a float, one of six strings, a dict, a list (cleaning methods)
or a callable into an ordered ``{class label: number of samples}`` dict whose numbers mean what
they mean in imbalanced-learn: for over-sampling the number of samples to *generate*, for
under-sampling the number to *keep*, for cleaning the classes to clean.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError

__all__ = ["SAMPLING_KINDS", "STRATEGY_STRINGS", "check_sampling_strategy", "count_classes"]

SAMPLING_KINDS = ("over-sampling", "under-sampling", "clean-sampling", "ensemble", "bypass")
STRATEGY_STRINGS = ("minority", "majority", "not minority", "not majority", "all", "auto")

Counts = dict[Any, int]


def count_classes(y: Any) -> Counts:
    """``{label: count}`` in sorted label order for a 1-D tensor, array or sequence of labels."""
    if isinstance(y, torch.Tensor):
        labels, counts = torch.unique(y.reshape(-1), return_counts=True)
        return dict(zip(labels.tolist(), counts.tolist(), strict=True))
    labels_np, counts_np = np.unique(np.asarray(y), return_counts=True)
    return dict(zip(labels_np.tolist(), counts_np.tolist(), strict=True))


def _majority(stats: Counts) -> Any:
    # First label (in sorted order) with the largest count, as imbalanced-learn picks it.
    return max(stats, key=stats.__getitem__)


def _minority(stats: Counts) -> Any:
    return min(stats, key=stats.__getitem__)


def _from_string(strategy: str, stats: Counts, kind: str, owner: str) -> Counts:
    n_max, n_min = max(stats.values()), min(stats.values())
    if strategy == "auto":
        strategy = "not majority" if kind == "over-sampling" else "not minority"
    if kind == "over-sampling" and strategy == "majority":
        raise InvalidParameterError(
            f"{owner}: sampling_strategy='majority' cannot be used to over-sample; "
            "use 'not majority', 'minority' or a dict."
        )
    if kind != "over-sampling" and strategy == "minority":
        raise InvalidParameterError(
            f"{owner}: sampling_strategy='minority' cannot be used to under-sample or clean; "
            "use 'not minority', 'majority' or "
            + ("a list of classes." if kind == "clean-sampling" else "a dict.")
        )
    targeted = {
        "all": list(stats),
        "majority": [_majority(stats)],
        "minority": [_minority(stats)],
        "not majority": [c for c in stats if c != _majority(stats)],
        "not minority": [c for c in stats if c != _minority(stats)],
    }[strategy]
    if kind == "over-sampling":
        return {c: n_max - stats[c] for c in targeted}
    return {c: n_min for c in targeted}


def _check_known_classes(requested: Any, stats: Counts, owner: str) -> None:
    unknown = [c for c in requested if c not in stats]
    if unknown:
        raise InvalidParameterError(
            f"{owner}: sampling_strategy names class(es) {unknown} not present in y; "
            f"the classes are {list(stats)}."
        )


def _from_dict(strategy: Mapping[Any, Any], stats: Counts, kind: str, owner: str) -> Counts:
    _check_known_classes(strategy, stats, owner)
    not_counts = {
        c: n
        for c, n in strategy.items()
        if isinstance(n, bool) or not isinstance(n, numbers.Integral)
    }
    if not_counts:
        raise InvalidParameterError(
            f"{owner}: sampling_strategy has values that are not whole numbers of samples "
            f"{not_counts}; a dict maps each class to an int count."
        )
    strategy = {c: int(n) for c, n in strategy.items()}
    negative = {c: n for c, n in strategy.items() if n < 0}
    if negative:
        raise InvalidParameterError(
            f"{owner}: sampling_strategy asks for a negative number of samples {negative}; "
            "counts must be >= 0."
        )
    if kind == "clean-sampling":
        raise InvalidParameterError(
            f"{owner}: sampling_strategy cannot be a dict for a cleaning method; "
            "give a list of the classes to clean."
        )
    result: Counts = {}
    for label, n in strategy.items():
        have = stats[label]
        if kind == "over-sampling":
            if n < have:
                raise InvalidParameterError(
                    f"{owner}: sampling_strategy asks for {n} samples of class {label!r}, which "
                    f"already has {have}; an over-sampler can only add samples."
                )
            result[label] = n - have
        else:
            if n > have:
                raise InvalidParameterError(
                    f"{owner}: sampling_strategy asks for {n} samples of class {label!r}, which "
                    f"has only {have}; an under-sampler can only remove samples."
                )
            result[label] = n
    return result


def _from_list(strategy: list[Any], stats: Counts, kind: str, owner: str) -> Counts:
    if kind != "clean-sampling":
        raise InvalidParameterError(
            f"{owner}: sampling_strategy can be a list only for cleaning methods; "
            "give a dict {class: count} or a string."
        )
    _check_known_classes(strategy, stats, owner)
    n_min = min(stats.values())
    return {label: n_min for label in strategy}


def _from_float(ratio: float, stats: Counts, kind: str, owner: str) -> Counts:
    if ratio <= 0 or ratio > 1:
        raise InvalidParameterError(
            f"{owner}: sampling_strategy={ratio} is invalid; a float must be in (0, 1]."
        )
    if len(stats) != 2:
        raise InvalidParameterError(
            f"{owner}: sampling_strategy can be a float only for binary labels, y has "
            f"{len(stats)} classes; use a dict or a string for multi-class data."
        )
    if kind == "over-sampling":
        majority = _majority(stats)
        result = {c: int(stats[majority] * ratio - n) for c, n in stats.items() if c != majority}
        if any(n <= 0 for n in result.values()):
            raise InvalidParameterError(
                f"{owner}: sampling_strategy={ratio} would need to remove minority samples "
                "to reach that ratio; increase the ratio."
            )
        return result
    if kind == "under-sampling":
        minority = _minority(stats)
        wanted = {c: stats[minority] / ratio for c in stats if c != minority}
        if any(n >= stats[c] + 1 for c, n in wanted.items()):
            raise InvalidParameterError(
                f"{owner}: sampling_strategy={ratio} would need to add majority samples "
                "to reach that ratio; increase the ratio."
            )
        return {c: int(n) for c, n in wanted.items()}
    raise InvalidParameterError(
        f"{owner}: sampling_strategy cannot be a float for a cleaning method; "
        "give a list of the classes to clean or a string."
    )


def check_sampling_strategy(
    sampling_strategy: Any,
    y: Any,
    kind: str,
    *,
    owner: str = "check_sampling_strategy",
    **kwargs: Any,
) -> OrderedDict[Any, int]:
    """Resolve ``sampling_strategy`` against labels ``y`` exactly as imbalanced-learn does.

    Args:
        sampling_strategy: A float in (0, 1] (binary only: the minority/majority ratio after
            resampling), one of ``"minority"``, ``"majority"``, ``"not minority"``,
            ``"not majority"``, ``"all"``, ``"auto"``, a dict ``{class: target count}``, a list
            of classes (cleaning methods only), or a callable ``f(y, **kwargs) -> dict``.
        y: Labels, shape ``(n_samples,)``: a tensor, array or sequence.
        kind: ``"over-sampling"``, ``"under-sampling"`` or ``"clean-sampling"``
            (``"ensemble"`` and ``"bypass"`` return ``sampling_strategy`` unchanged).
        owner: Name used in error messages.
        **kwargs: Passed to a callable ``sampling_strategy``.

    Returns:
        ``{label: n}`` sorted by label. Over-sampling: samples to generate per class;
        under-sampling: samples to keep; clean-sampling: the classes to clean.

    Raises:
        InvalidParameterError: For a malformed strategy or an impossible request (the same
            cases imbalanced-learn refuses).
        DataValidationError: If ``y`` holds fewer than two classes.

    Example:
        >>> y = torch.tensor([0] * 10 + [1] * 4 + [2] * 2)
        >>> dict(check_sampling_strategy("auto", y, "over-sampling"))
        {1: 6, 2: 8}
        >>> dict(check_sampling_strategy({0: 5}, y, "under-sampling"))
        {0: 5}
    """
    if kind not in SAMPLING_KINDS:
        raise InvalidParameterError(
            f"{owner}: kind={kind!r} is invalid; it must be one of {SAMPLING_KINDS}."
        )
    stats = count_classes(y)
    if len(stats) <= 1:
        raise DataValidationError(
            f"{owner}: y needs at least 2 classes to resample, got {len(stats)} ({list(stats)})."
        )
    if kind in ("ensemble", "bypass"):
        return sampling_strategy

    result: Counts
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in STRATEGY_STRINGS:
            raise InvalidParameterError(
                f"{owner}: sampling_strategy={sampling_strategy!r} is invalid; a string must be "
                f"one of {STRATEGY_STRINGS}."
            )
        result = _from_string(sampling_strategy, stats, kind, owner)
    elif isinstance(sampling_strategy, Mapping):
        result = _from_dict(sampling_strategy, stats, kind, owner)
    elif isinstance(sampling_strategy, list):
        result = _from_list(sampling_strategy, stats, kind, owner)
    elif isinstance(sampling_strategy, numbers.Real):
        result = _from_float(float(sampling_strategy), stats, kind, owner)
    elif callable(sampling_strategy):
        produced: Callable[..., Any] = sampling_strategy
        requested = produced(y, **kwargs)
        if not isinstance(requested, Mapping):
            raise InvalidParameterError(
                f"{owner}: the sampling_strategy callable returned {type(requested).__name__}; "
                "it must return a dict {class: number of samples}."
            )
        result = _from_dict(requested, stats, kind, owner)
    else:
        raise InvalidParameterError(
            f"{owner}: sampling_strategy={sampling_strategy!r} is invalid; it must be a float, "
            f"one of {STRATEGY_STRINGS}, a dict, a list (cleaning methods) or a callable."
        )
    return OrderedDict(sorted(result.items()))
