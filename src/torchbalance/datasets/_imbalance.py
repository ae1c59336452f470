"""``make_imbalance``: turn a data set into an imbalanced one by random under-sampling."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from .._types import GeneratorLike
from ..exceptions import DataValidationError, InvalidParameterError
from ..utils import (
    InstanceOf,
    Interval,
    Options,
    check_generator,
    check_param,
    check_sampling_strategy,
    check_X_y,
)
from ._long_tail import (
    PROFILES,
    _check_profile_params,
    _first_empty_class,
    _largest_feasible_n_max,
    _profile_counts,
)
from ._select import select_per_class

__all__ = ["make_imbalance"]


def _resolve_class_order(
    class_order: Any, labels: Sequence[Any], owner: str, *, name: str = "class_order"
) -> list[int]:
    """Positions (into ``labels``) of the classes of ``class_order``, head first."""
    if class_order is None:
        return list(range(len(labels)))
    if isinstance(class_order, (torch.Tensor, np.ndarray)):
        class_order = class_order.tolist()
    if isinstance(class_order, (str, bytes)) or not isinstance(class_order, Sequence):
        raise InvalidParameterError(
            f"{owner}: {name}={class_order!r} is invalid; it must be a list of the class "
            "labels, head (most samples) first."
        )
    position = {label: i for i, label in enumerate(labels)}
    unknown = [c for c in class_order if c not in position]
    chosen = [position[c] for c in class_order if c in position]
    repeated = sorted({labels[p] for p in chosen if chosen.count(p) > 1}, key=str)
    missing = [labels[p] for p in range(len(labels)) if p not in chosen]
    if unknown or repeated or missing:
        problems = ", ".join(
            f"{what} {values}"
            for what, values in (("unknown", unknown), ("repeated", repeated), ("missing", missing))
            if values
        )
        raise InvalidParameterError(
            f"{owner}: {name} must list every class of y exactly once ({problems}); "
            f"the classes are {list(labels)}."
        )
    return chosen


def _long_tail_keep(
    available: Sequence[int],
    labels: Sequence[Any],
    *,
    imbalance_ratio: float,
    profile: str,
    order: Sequence[int],
    n_max: int | None,
    owner: str,
    hint: str = "use classes with more samples",
) -> list[int]:
    """How many samples of each class (aligned with ``available``) a long tail keeps.

    ``order`` gives the positions of the classes from head to tail. ``n_max=None`` picks the
    largest head count every class can supply.
    """
    have = [int(available[p]) for p in order]
    feasible = _largest_feasible_n_max(have, imbalance_ratio, profile)
    head = feasible if n_max is None else int(n_max)
    wanted = _profile_counts(head, len(have), imbalance_ratio, profile)
    short = next((i for i, (w, a) in enumerate(zip(wanted, have, strict=True)) if w > a), None)
    if short is not None:
        raise InvalidParameterError(
            f"{owner}: the {profile} profile with imbalance_ratio={imbalance_ratio:g} and "
            f"n_max={head} asks for {wanted[short]} samples of class {labels[order[short]]!r}, "
            f"which has only {have[short]}; use n_max={feasible} or less (or n_max=None), "
            "or put the larger classes first with class_order."
        )
    empty = _first_empty_class(wanted)
    if empty is not None:
        source = "" if n_max is not None else " (the largest head these classes support)"
        raise InvalidParameterError(
            f"{owner}: imbalance_ratio={imbalance_ratio:g} with a head class of {head} "
            f"samples{source} leaves class {labels[order[empty]]!r} with zero samples "
            f"({profile} profile, int({head} / {imbalance_ratio:g}) = 0 for the tail); lower "
            f"imbalance_ratio below {max(head, 1)}, or {hint}."
        )
    keep = [0] * len(available)
    for position, n in zip(order, wanted, strict=True):
        keep[position] = n
    return keep


def make_imbalance(
    X: Any,
    y: Any,
    *,
    sampling_strategy: Mapping[Any, int] | Callable[..., Mapping[Any, int]] | None = None,
    imbalance_ratio: float | None = None,
    profile: str = "exponential",
    class_order: Sequence[Any] | None = None,
    n_max: int | None = None,
    generator: GeneratorLike = None,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Make a data set imbalanced by keeping a random subset of each class.

    The counterpart of ``imblearn.datasets.make_imbalance``, plus long-tail profiles. Give
    exactly one of:

    - ``sampling_strategy``: a dict ``{class: number of samples to keep}`` (classes left out
      keep all their samples) or a callable ``f(y, **kwargs) -> dict``, exactly as in
      imbalanced-learn (resolved by ``check_sampling_strategy(..., "under-sampling")``; the
      callable receives ``y`` as passed in).
    - ``imbalance_ratio`` (with ``profile``): the class counts of
      :func:`~torchbalance.datasets.long_tail_counts`. Classes are ranked head to tail in
      ``class_order`` (default: sorted labels, so the smallest label is the head). The head
      keeps ``n_max`` samples; by default ``n_max`` is the largest head count that every
      class can supply (for a balanced data set: the class size; otherwise at most the head
      class's count, so the counts follow the profile exactly instead of being clipped).

    The kept samples of each class are drawn uniformly without replacement and returned in
    their original order.

    Args:
        X: Features ``(n_samples, n_features)``: tensor, NumPy array, DataFrame or list.
        y: Labels ``(n_samples,)``: integer tensor, NumPy array, Series or list (strings too).
        sampling_strategy: Dict ``{class: count to keep}`` or callable; see above.
        imbalance_ratio: Head count over tail count, a float >= 1; see above.
        profile: ``"exponential"`` or ``"step"`` (with ``imbalance_ratio`` only).
        class_order: The class labels from head to tail (with ``imbalance_ratio`` only).
        n_max: Samples kept of the head class (with ``imbalance_ratio`` only); ``None`` for
            the largest feasible.
        generator: Int seed, ``torch.Generator`` (on the data's device) or ``None``.
        **kwargs: Passed to a callable ``sampling_strategy`` (imbalanced-learn's ``**kwargs``);
            refused otherwise.

    Returns:
        ``(X_res, y_res)`` in the caller's types: tensors keep their device and dtype, NumPy
        and pandas inputs come back as NumPy and pandas (a DataFrame gets a fresh
        ``RangeIndex``), string labels keep their values.

    Raises:
        InvalidParameterError: Both or neither of ``sampling_strategy`` and
            ``imbalance_ratio``; a string or float ``sampling_strategy`` (use
            ``RandomUnderSampler``); a count above what a class has; an unknown class; a
            profile that would leave a class empty; options that do not apply; unexpected
            keyword arguments (e.g. ``random_state``: use ``generator``).
        DataValidationError: Malformed ``X``/``y`` (see ``check_X_y``) or a single class.

    Example:
        >>> import torch
        >>> X, y = torch.randn(300, 2), torch.arange(3).repeat(100)
        >>> _, y_res = make_imbalance(X, y, sampling_strategy={0: 10, 1: 20}, generator=0)
        >>> torch.bincount(y_res).tolist()
        [10, 20, 100]
        >>> _, y_lt = make_imbalance(X, y, imbalance_ratio=10, generator=0)
        >>> torch.bincount(y_lt).tolist()
        [100, 31, 10]
    """
    owner = "make_imbalance"
    if (sampling_strategy is None) == (imbalance_ratio is None):
        given = "both" if sampling_strategy is not None else "neither"
        raise InvalidParameterError(
            f"{owner}: give exactly one of sampling_strategy (a dict {{class: count to keep}} "
            f"or a callable) and imbalance_ratio (a long-tail profile); got {given}."
        )
    check_param(owner, "generator", generator, ["generator"])
    if sampling_strategy is not None:
        check_param(
            owner,
            "sampling_strategy",
            sampling_strategy,
            [InstanceOf((Mapping,), name="a dict {class: count to keep}"), callable],
        )
        for name, value, default in (
            ("profile", profile, "exponential"),
            ("class_order", class_order, None),
            ("n_max", n_max, None),
        ):
            if value is not default and not (isinstance(value, str) and value == default):
                raise InvalidParameterError(
                    f"{owner}: {name}={value!r} applies only with imbalance_ratio; drop it or "
                    "use imbalance_ratio instead of sampling_strategy."
                )
        if kwargs and not callable(sampling_strategy):
            raise InvalidParameterError(
                f"{owner}: unexpected keyword argument(s) {sorted(kwargs)}; extra keyword "
                "arguments go to a callable sampling_strategy only (for a seed use generator=)."
            )
    else:
        if kwargs:
            raise InvalidParameterError(
                f"{owner}: unexpected keyword argument(s) {sorted(kwargs)}"
                + ("; for a seed use generator=." if "random_state" in kwargs else ".")
            )
        assert imbalance_ratio is not None
        check_param(owner, "imbalance_ratio", imbalance_ratio, [Interval(float, 1, None)])
        check_param(owner, "profile", profile, [Options(PROFILES)])
        check_param(owner, "n_max", n_max, [None, Interval(int, 1, None)])

    X_t, y_t, converter = check_X_y(X, y, owner=owner)
    classes, codes = torch.unique(y_t, return_inverse=True)
    counts = torch.bincount(codes, minlength=classes.shape[0])
    labels = converter.classes.tolist() if converter.classes is not None else classes.tolist()
    if len(labels) < 2:
        raise DataValidationError(
            f"{owner}: y holds a single class ({labels[0]!r}); at least 2 classes are needed."
        )

    if sampling_strategy is not None:
        resolved = check_sampling_strategy(
            sampling_strategy, y, "under-sampling", owner=owner, **kwargs
        )
        position = {label: i for i, label in enumerate(labels)}
        keep = counts.tolist()
        for label, n in resolved.items():
            keep[position[label]] = int(n)
    else:
        assert imbalance_ratio is not None
        _check_profile_params(
            owner, len(labels), imbalance_ratio, profile, ratio_name="imbalance_ratio"
        )
        keep = _long_tail_keep(
            counts.tolist(),
            labels,
            imbalance_ratio=float(imbalance_ratio),
            profile=profile,
            order=_resolve_class_order(class_order, labels, owner),
            n_max=n_max,
            owner=owner,
        )

    rng = check_generator(generator, y_t.device, owner=owner)
    keep_t = torch.tensor(keep, dtype=torch.long, device=y_t.device)
    selected = select_per_class(codes, keep_t, rng)
    return converter.to_X(X_t[selected]), converter.to_y(y_t[selected])


def long_tail_split(
    y: torch.Tensor,
    *,
    imbalance_ratio: float,
    profile: str,
    test_per_class: int,
    generator: torch.Generator,
    owner: str,
) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """A balanced test split, then a long tail over the rest (the built-in data sets' protocol).

    ``y`` holds the classes ``0..C-1`` (head first). ``test_per_class`` samples of every class
    are drawn for the test split first; the training split is the long tail, with the largest
    feasible head, over the samples left.

    Returns:
        ``(train_indices, test_indices, train_counts)``: sorted int64 tensors into ``y`` and
        the training count of each class.
    """
    counts = torch.bincount(y).tolist()
    smallest = min(range(len(counts)), key=counts.__getitem__)
    if test_per_class >= counts[smallest]:
        raise InvalidParameterError(
            f"{owner}: test_per_class={test_per_class} leaves no training samples of class "
            f"{smallest} ({counts[smallest]} samples in all); use at most "
            f"{counts[smallest] - 1}."
        )
    n_classes = len(counts)
    test = select_per_class(y, torch.full((n_classes,), test_per_class, device=y.device), generator)
    rest = torch.ones_like(y, dtype=torch.bool)
    rest[test] = False
    pool = torch.nonzero(rest).reshape(-1)
    keep = _long_tail_keep(
        [n - test_per_class for n in counts],
        list(range(n_classes)),
        imbalance_ratio=imbalance_ratio,
        profile=profile,
        order=list(range(n_classes)),
        n_max=None,
        owner=owner,
        hint="lower test_per_class to leave more training samples",
    )
    keep_t = torch.tensor(keep, dtype=torch.long, device=y.device)
    train = pool[select_per_class(y[pool], keep_t, generator)]
    return train, test, keep
