"""Stratified splits of labels, tensors and Datasets, and scikit-learn-compatible CV splitters."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
import torch
from torch.utils.data import Subset

from .._types import GeneratorLike
from ..exceptions import DataValidationError, InvalidParameterError
from ..labels import get_labels
from ..utils import Interval, check_param, host_generator
from ..utils._validation import _is_pandas
from ._common import BaseSplitter, Labels, check_min_class_count

__all__ = [
    "RepeatedStratifiedKFold",
    "StratifiedGroupKFold",
    "StratifiedKFold",
    "StratifiedShuffleSplit",
    "stratified_split",
]

_FRACTION_TOLERANCE = 1e-6
_FIX = "Lower n_splits, or merge or drop the rare class."


# ---------------------------------------------------------------------------------------------
# stratified_split
# ---------------------------------------------------------------------------------------------


def _check_fractions(fractions: Any) -> list[Fraction]:
    owner = "stratified_split"
    if isinstance(fractions, (np.ndarray, torch.Tensor)) and fractions.ndim == 1:
        fractions = fractions.tolist()
    if isinstance(fractions, (str, bytes)) or not isinstance(fractions, Sequence):
        raise InvalidParameterError(
            f"{owner}: fractions={fractions!r} is invalid; it must be a sequence of at least two "
            "positive floats that sum to 1, e.g. (0.8, 0.1, 0.1)."
        )
    values = list(fractions)
    if len(values) < 2:
        raise InvalidParameterError(
            f"{owner}: fractions={values!r} is invalid; it must hold at least two parts, "
            "e.g. (0.8, 0.2)."
        )
    for i, value in enumerate(values):
        check_param(owner, f"fractions[{i}]", value, [Interval(float, 0, 1, "right")])
    total = math.fsum(float(v) for v in values)
    if abs(total - 1.0) > _FRACTION_TOLERANCE:
        raise InvalidParameterError(
            f"{owner}: fractions={tuple(values)!r} is invalid; they sum to {total:g}, but must sum "
            f"to 1 (within {_FRACTION_TOLERANCE:g}). Divide each by their sum."
        )
    exact = [Fraction(float(v)).limit_denominator(10**9) for v in values]
    exact_total = sum(exact, Fraction(0))
    return [f / exact_total for f in exact]


def _controlled_rounding(counts: list[int], fractions: list[Fraction]) -> list[list[int]]:
    """Integer ``a[k][j]`` with rows summing to ``counts[k]``, every entry the floor or ceiling
    of ``counts[k] * fractions[j]``, and every column total the floor or ceiling of
    ``sum(counts) * fractions[j]``.

    Each row is first rounded by largest remainder (ties to the earlier part); then, while a
    column total is outside its floor/ceiling, one unit is moved along a shortest chain of
    rows (``row k: column a -> column b`` where ``a[k][a]`` was rounded up and ``a[k][b]``
    down), which keeps every entry and row sum valid (a flow augmenting path; such a rounding
    always exists, Bacharach 1966).
    """
    n_parts = len(fractions)
    exact = [[n * f for f in fractions] for n in counts]
    alloc: list[list[int]] = []
    for n, row in zip(counts, exact, strict=True):
        floors = [math.floor(x) for x in row]
        missing = n - sum(floors)
        order = sorted(range(n_parts), key=lambda j: (-(row[j] - floors[j]), j))
        for j in order[:missing]:
            floors[j] += 1
        alloc.append(floors)
    total = sum(counts)
    targets = [total * f for f in fractions]

    def column(j: int) -> int:
        return sum(a[j] for a in alloc)

    for _ in range(total * n_parts + 1):
        sums = [column(j) for j in range(n_parts)]
        over = [j for j in range(n_parts) if sums[j] > math.ceil(targets[j])]
        under = [j for j in range(n_parts) if sums[j] < math.floor(targets[j])]
        if not over and not under:
            break
        if over:
            sources, sinks = {over[0]}, {j for j in range(n_parts) if sums[j] < targets[j]}
        else:
            sources, sinks = {j for j in range(n_parts) if sums[j] > targets[j]}, {under[0]}
        path = _augmenting_path(alloc, exact, sources, sinks)
        if path is None:  # pragma: no cover - cannot happen (a feasible rounding exists)
            break
        for k, a, b in path:
            alloc[k][a] -= 1
            alloc[k][b] += 1
    return alloc


def _augmenting_path(
    alloc: list[list[int]], exact: list[list[Fraction]], sources: set[int], sinks: set[int]
) -> list[tuple[int, int, int]] | None:
    n_parts = len(exact[0])
    parent: dict[int, tuple[int, int, int] | None] = dict.fromkeys(sources)
    frontier = list(sources)
    while frontier:
        following = []
        for a in frontier:
            for k, row in enumerate(alloc):
                if row[a] <= exact[k][a]:
                    continue  # only a unit that was rounded up can leave column a
                for b in range(n_parts):
                    if b in parent or row[b] >= exact[k][b]:
                        continue
                    parent[b] = (k, a, b)
                    if b in sinks:
                        path = []
                        step = parent[b]
                        while step is not None:
                            path.append(step)
                            step = parent[step[1]]
                        return path[::-1]
                    following.append(b)
        frontier = following
    return None


def _within_class_order(codes: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Indices grouped by class (ascending code), in random order within each class."""
    perm = torch.randperm(codes.numel(), generator=generator)
    return perm[torch.argsort(codes[perm], stable=True)]


def _rank_in_class(
    order: torch.Tensor, inverse: torch.Tensor, counts: torch.Tensor
) -> torch.Tensor:
    """Position of every sample within its class, following ``order``."""
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel()) - starts[inverse[order]]
    return rank


def stratified_split(
    dataset_or_labels: Any,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    *,
    generator: GeneratorLike = None,
    return_subsets: bool = False,
) -> tuple[Any, ...]:
    """Split samples into disjoint parts (train/val/test) that keep every class's proportion.

    Each class ``k`` with ``n_k`` members gives part ``j`` either ``floor(n_k * f_j)`` or
    ``ceil(n_k * f_j)`` members (within one sample of exact), and each part's total is the floor
    or ceiling of ``n * f_j``. Rounding is resolved deterministically: per class by largest
    remainder (ties to the earlier part), then the fewest unit moves between parts, within
    classes whose share was rounded, that bring every part's total within one of
    ``n * f_j``. Which members of a class go where is random.

    Args:
        dataset_or_labels: Labels ``(n_samples,)`` (int tensor, NumPy array or list) or a
            Dataset whose labels :func:`torchbalance.labels.get_labels` can read.
        fractions: Share of each part, at least two, each in ``(0, 1]``, summing to 1 (within
            ``1e-6``).
        generator: Int seed (the same split every call), ``torch.Generator`` or ``None``.
        return_subsets: Give ``torch.utils.data.Subset`` objects of the Dataset instead of
            indices (needs a Dataset).

    Returns:
        One int64 index tensor per part (ascending, on the labels' device), or one ``Subset``
        per part.

    Raises:
        InvalidParameterError: Bad ``fractions``, ``generator`` or ``return_subsets``.
        DataValidationError: Unreadable labels, a class with fewer members than parts (the
            message names it), or a part that would be empty.

    Example:
        >>> labels = torch.tensor([0] * 80 + [1] * 20)
        >>> train, val, test = stratified_split(labels, (0.8, 0.1, 0.1), generator=0)
        >>> [torch.bincount(labels[part]).tolist() for part in (train, val, test)]
        [[64, 16], [8, 2], [8, 2]]
    """
    owner = "stratified_split"
    check_param(owner, "generator", generator, ["generator"])
    check_param(owner, "return_subsets", return_subsets, [bool])
    parts = _check_fractions(fractions)
    # a pandas Series is labels too (a Subset of it would look rows up by index label)
    is_labels = isinstance(
        dataset_or_labels, (torch.Tensor, np.ndarray, list, tuple)
    ) or _is_pandas(dataset_or_labels, "Series")
    if return_subsets and is_labels:
        raise InvalidParameterError(
            f"{owner}: return_subsets=True needs a Dataset, but labels were given; pass the "
            "Dataset itself, or use the returned indices with torch.utils.data.Subset."
        )
    labels = get_labels(dataset_or_labels)
    device = labels.device
    codes = labels.cpu()
    n = codes.numel()
    if n == 0:
        raise DataValidationError(f"{owner}: there are no samples to split.")
    classes, inverse, counts = torch.unique(codes, return_inverse=True, return_counts=True)
    holder = Labels(codes, as_tensor=True, device=device)
    check_min_class_count(
        holder,
        classes,
        counts,
        len(parts),
        owner,
        f"the {len(parts)} parts in fractions",
        "Use fewer parts, or merge or drop the rare class.",
    )
    alloc = torch.tensor(_controlled_rounding(counts.tolist(), parts), dtype=torch.long)
    totals = alloc.sum(0)
    if bool((totals == 0).any()):
        j = int(torch.nonzero(totals == 0)[0])
        raise DataValidationError(
            f"{owner}: part {j} would be empty (fractions[{j}] * {n} samples = "
            f"{float(parts[j]) * n:.3g}); use a larger fraction for it or more data."
        )
    rng = host_generator(generator, owner=owner)
    rank = _rank_in_class(_within_class_order(inverse, rng), inverse, counts)
    bounds = torch.cumsum(alloc, 1)[inverse]  # (n, P): end of each part within the class
    part_of = (rank.unsqueeze(1) >= bounds).sum(1)
    indices = tuple(torch.nonzero(part_of == j).reshape(-1).to(device) for j in range(len(parts)))
    if return_subsets:
        return tuple(Subset(dataset_or_labels, idx.tolist()) for idx in indices)
    return indices


# ---------------------------------------------------------------------------------------------
# K-fold splitters
# ---------------------------------------------------------------------------------------------


def _stratified_kfold_folds(
    codes: torch.Tensor, n_splits: int, shuffle: bool, generator: torch.Generator | None
) -> torch.Tensor:
    """Test fold of every sample, with scikit-learn's StratifiedKFold allocation.

    Classes are numbered in order of first appearance; fold ``i`` gets, of each class, the
    members at positions ``i, i + K, i + 2K, ...`` of the labels sorted by that number
    (a round robin, so fold sizes differ by at most one overall and per class), and a class's
    members go to folds in index order (``shuffle=False``) or at random.
    """
    n = codes.numel()
    _, inverse = torch.unique(codes, return_inverse=True)
    n_classes = int(inverse.max()) + 1
    first = torch.full((n_classes,), n, dtype=torch.long).scatter_reduce(
        0, inverse, torch.arange(n), reduce="amin"
    )
    rank = torch.empty_like(first)
    rank[torch.argsort(first)] = torch.arange(n_classes)
    encoded = rank[inverse]
    in_order = torch.sort(encoded).values
    allocation = torch.stack(
        [torch.bincount(in_order[i::n_splits], minlength=n_classes) for i in range(n_splits)]
    )  # (K, C)
    fold_sequence = torch.repeat_interleave(
        torch.arange(n_splits).repeat(n_classes), allocation.T.reshape(-1)
    )
    if shuffle:
        assert generator is not None
        order = _within_class_order(encoded, generator)
    else:
        order = torch.argsort(encoded, stable=True)
    folds = torch.empty(n, dtype=torch.long)
    folds[order] = fold_sequence
    return folds


def _folds_to_splits(
    folds: torch.Tensor, n_splits: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    for i in range(n_splits):
        test = folds == i
        yield torch.nonzero(~test).reshape(-1), torch.nonzero(test).reshape(-1)


def _check_classes(labels: Labels, n_splits: int, owner: str) -> None:
    classes, counts = torch.unique(labels.codes, return_counts=True)
    check_min_class_count(labels, classes, counts, n_splits, owner, f"n_splits={n_splits}", _FIX)


class StratifiedKFold(BaseSplitter):
    """K folds that keep every class's proportion; scikit-learn's allocation, on tensors.

    Per fold and class, the number of test samples equals scikit-learn's ``StratifiedKFold``
    for the same labels, and with ``shuffle=False`` the folds are identical to it. Unlike
    scikit-learn (which warns), a class with fewer members than ``n_splits`` is refused,
    because some test folds would miss it and per-fold class metrics would be undefined.

    Args:
        n_splits: Number of folds, at least 2.
        shuffle: Shuffle each class's members before assigning them to folds.
        generator: Int seed, ``torch.Generator`` or ``None``; used only when ``shuffle``.

    Raises:
        InvalidParameterError: A parameter out of range (at ``split`` time).
        DataValidationError: Missing or malformed ``y``; a class with fewer than ``n_splits``
            members (the message names it); more folds than samples.

    Example:
        >>> y = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        >>> for train, test in StratifiedKFold(n_splits=2).split(None, y):
        ...     print(test.tolist(), torch.bincount(y[test]).tolist())
        [0, 1, 4, 5, 6] [2, 3]
        [2, 3, 7, 8, 9] [2, 3]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_splits": [Interval(int, 2, None)],
        "shuffle": [bool],
        "generator": ["generator"],
    }

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, generator: GeneratorLike = None
    ) -> None:
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.generator = generator

    def _split(
        self, labels: Labels, groups: torch.Tensor | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        owner = type(self).__name__
        self._check_n_samples(self._n(labels))
        _check_classes(labels, self.n_splits, owner)
        rng = host_generator(self.generator, owner=owner) if self.shuffle else None
        folds = _stratified_kfold_folds(labels.codes, self.n_splits, self.shuffle, rng)
        yield from _folds_to_splits(folds, self.n_splits)


class RepeatedStratifiedKFold(BaseSplitter):
    """:class:`StratifiedKFold` with shuffling, repeated ``n_repeats`` times.

    Args:
        n_splits: Folds per repeat, at least 2.
        n_repeats: Number of repeats, at least 1.
        generator: Int seed (the same splits every call), ``torch.Generator`` or ``None``.
            Every repeat draws a new shuffle from it.

    Raises:
        InvalidParameterError: A parameter out of range.
        DataValidationError: As :class:`StratifiedKFold`.

    Example:
        >>> y = torch.tensor([0] * 6 + [1] * 3)
        >>> cv = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, generator=0)
        >>> cv.get_n_splits()
        6
        >>> [torch.bincount(y[test]).tolist() for _, test in cv.split(None, y)]
        [[2, 1], [2, 1], [2, 1], [2, 1], [2, 1], [2, 1]]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_splits": [Interval(int, 2, None)],
        "n_repeats": [Interval(int, 1, None)],
        "generator": ["generator"],
    }

    def __init__(
        self, *, n_splits: int = 5, n_repeats: int = 10, generator: GeneratorLike = None
    ) -> None:
        self.n_splits = n_splits
        self.n_repeats = n_repeats
        self.generator = generator

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """``n_splits * n_repeats``."""
        self._validate_params()
        return int(self.n_splits) * int(self.n_repeats)

    def _split(
        self, labels: Labels, groups: torch.Tensor | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        owner = type(self).__name__
        self._check_n_samples(self._n(labels))
        _check_classes(labels, self.n_splits, owner)
        rng = host_generator(self.generator, owner=owner)
        for _ in range(self.n_repeats):
            folds = _stratified_kfold_folds(labels.codes, self.n_splits, True, rng)
            yield from _folds_to_splits(folds, self.n_splits)


def _approximate_mode(
    counts: torch.Tensor, n_draws: int, generator: torch.Generator
) -> torch.Tensor:
    """scikit-learn's per-class draw counts: floors of ``counts / n * n_draws``, plus one for
    the largest remainders (ties broken at random) until they sum to ``n_draws``."""
    continuous = counts.double() / counts.sum().double() * n_draws
    floored = torch.floor(continuous)
    need = n_draws - int(floored.sum())
    if need > 0:
        remainder = continuous - floored
        perm = torch.randperm(counts.numel(), generator=generator)
        order = perm[torch.argsort(-remainder[perm], stable=True)]
        floored[order[:need]] += 1
    return floored.long()


def _shuffle_split_sizes(
    owner: str, n: int, test_size: float | int | None, train_size: float | int | None
) -> tuple[int, int]:
    """scikit-learn's ``_validate_shuffle_split``: float sizes are fractions (test rounded up,
    train down), ints are counts; a missing one is the complement; the default test share is
    0.1."""
    if test_size is None and train_size is None:
        test_size = 0.1

    def resolve(name: str, value: float | int | None, up: bool) -> int | None:
        if value is None:
            return None
        if isinstance(value, numbers.Integral):
            if not 0 < value < n:
                raise InvalidParameterError(
                    f"{owner}: {name}={value} is invalid; as a count it must be in [1, {n - 1}] "
                    f"for {n} samples (or a float in (0, 1) for a share)."
                )
            return int(value)
        return math.ceil(value * n) if up else math.floor(value * n)

    if (
        isinstance(test_size, float)
        and isinstance(train_size, float)
        and test_size + train_size > 1
    ):
        raise InvalidParameterError(
            f"{owner}: test_size + train_size = {test_size + train_size:g} is more than 1; "
            "reduce one of them."
        )
    n_test = resolve("test_size", test_size, True)
    n_train = resolve("train_size", train_size, False)
    if n_train is None:
        assert n_test is not None
        n_train = n - n_test
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise InvalidParameterError(
            f"{owner}: train_size + test_size = {n_train + n_test} samples is more than the {n} "
            "samples; reduce test_size and/or train_size."
        )
    if n_train == 0:
        raise InvalidParameterError(
            f"{owner}: with {n} samples, test_size={test_size} and train_size={train_size} the "
            "train set is empty; lower test_size."
        )
    return n_train, n_test


class StratifiedShuffleSplit(BaseSplitter):
    """Random stratified train/test splits, with scikit-learn's per-class sizes.

    Every split draws, per class, ``n_i`` train and ``t_i`` test members without overlap,
    where ``n_i`` and ``t_i`` follow scikit-learn's ``StratifiedShuffleSplit`` (floors of the
    class share plus one for the largest remainders, ties broken at random). Train and test
    indices come in random order, as in scikit-learn.

    Args:
        n_splits: Number of re-shuffled splits, at least 1.
        test_size: Float in ``(0, 1)`` (share, rounded up), int (count) or ``None`` (the
            complement of ``train_size``; 0.1 when both are ``None``).
        train_size: Float in ``(0, 1)`` (share, rounded down), int (count) or ``None`` (the
            complement of ``test_size``).
        generator: Int seed (the same splits every call), ``torch.Generator`` or ``None``.

    Raises:
        InvalidParameterError: A parameter out of range, or sizes that do not fit the data.
        DataValidationError: Missing or malformed ``y``; a class with a single member; fewer
            train or test samples than classes.

    Example:
        >>> y = torch.tensor([0] * 90 + [1] * 10)
        >>> cv = StratifiedShuffleSplit(n_splits=2, test_size=0.2, generator=0)
        >>> [torch.bincount(y[test]).tolist() for _, test in cv.split(None, y)]
        [[18, 2], [18, 2]]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_splits": [Interval(int, 1, None)],
        "test_size": [Interval(int, 1, None), Interval(float, 0, 1, "neither"), None],
        "train_size": [Interval(int, 1, None), Interval(float, 0, 1, "neither"), None],
        "generator": ["generator"],
    }

    def __init__(
        self,
        n_splits: int = 10,
        *,
        test_size: float | int | None = None,
        train_size: float | int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        self.n_splits = n_splits
        self.test_size = test_size
        self.train_size = train_size
        self.generator = generator

    def _split(
        self, labels: Labels, groups: torch.Tensor | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        owner = type(self).__name__
        n = self._n(labels)
        n_train, n_test = _shuffle_split_sizes(owner, n, self.test_size, self.train_size)
        classes, inverse, counts = torch.unique(
            labels.codes, return_inverse=True, return_counts=True
        )
        check_min_class_count(
            labels,
            classes,
            counts,
            2,
            owner,
            "2 (one for train, one for test)",
            "Merge or drop the rare class, or use a non-stratified split.",
        )
        for name, size in (("train", n_train), ("test", n_test)):
            if size < classes.numel():
                raise DataValidationError(
                    f"{owner}: the {name} set has {size} samples, fewer than the "
                    f"{classes.numel()} classes, so it cannot hold every class; raise "
                    f"{name}_size."
                )
        rng = host_generator(self.generator, owner=owner)
        for _ in range(self.n_splits):
            n_i = _approximate_mode(counts, n_train, rng)
            t_i = _approximate_mode(counts - n_i, n_test, rng)
            rank = _rank_in_class(_within_class_order(inverse, rng), inverse, counts)
            in_train = rank < n_i[inverse]
            in_test = ~in_train & (rank < (n_i + t_i)[inverse])
            train = torch.nonzero(in_train).reshape(-1)
            test = torch.nonzero(in_test).reshape(-1)
            train = train[torch.randperm(train.numel(), generator=rng)]
            test = test[torch.randperm(test.numel(), generator=rng)]
            yield train, test


class StratifiedGroupKFold(BaseSplitter):
    """K folds that never split a group and keep class proportions as well as groups allow.

    scikit-learn's greedy algorithm: groups, sorted by the spread of their class counts
    (largest first; shuffled first when ``shuffle``), each go to the fold that minimises the
    mean over classes of the standard deviation of the per-fold class shares, ties to the
    fold with fewer samples. With ``shuffle=False`` the folds equal scikit-learn's
    ``StratifiedGroupKFold``; the small per-fold float64 bookkeeping runs in NumPy with
    scikit-learn's exact operations so that near-ties resolve the same way. A class with
    fewer members than ``n_splits`` is refused (scikit-learn warns).

    Args:
        n_splits: Number of folds, at least 2 (and at most the number of groups).
        shuffle: Shuffle the groups before the (stable) sort.
        generator: Int seed, ``torch.Generator`` or ``None``; used only when ``shuffle``.

    Raises:
        InvalidParameterError: A parameter out of range.
        DataValidationError: Missing ``groups`` or ``y``; fewer groups than folds; a class
            with fewer members than ``n_splits``.

    References:
        scikit-learn's ``StratifiedGroupKFold`` (after J. Wasikowski's Kaggle kernel).

    Example:
        >>> y = torch.tensor([0, 0, 1, 1, 0, 1, 0, 1])
        >>> groups = torch.tensor([1, 1, 2, 2, 3, 3, 4, 4])
        >>> for _, test in StratifiedGroupKFold(n_splits=2).split(None, y, groups):
        ...     print(sorted(set(groups[test].tolist())))
        [1, 3]
        [2, 4]
    """

    _needs_groups: ClassVar[bool] = True
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_splits": [Interval(int, 2, None)],
        "shuffle": [bool],
        "generator": ["generator"],
    }

    def __init__(
        self, n_splits: int = 5, *, shuffle: bool = False, generator: GeneratorLike = None
    ) -> None:
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.generator = generator

    def _split(
        self, labels: Labels, groups: torch.Tensor | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        assert groups is not None
        owner = type(self).__name__
        k = self.n_splits
        self._check_n_samples(self._n(labels))
        classes, y_inv_t, y_cnt_t = torch.unique(
            labels.codes, return_inverse=True, return_counts=True
        )
        check_min_class_count(labels, classes, y_cnt_t, k, owner, f"n_splits={k}", _FIX)
        n_groups = int(groups.max()) + 1
        if k > n_groups:
            raise DataValidationError(
                f"{owner}: n_splits={k} is more than the {n_groups} groups; lower n_splits."
            )
        y_inv, y_cnt, groups_inv = y_inv_t.numpy(), y_cnt_t.numpy(), groups.numpy()
        per_group = np.zeros((n_groups, classes.numel()))
        np.add.at(per_group, (groups_inv, y_inv), 1)
        if self.shuffle:
            rng = host_generator(self.generator, owner=owner)
            perm = torch.randperm(n_groups, generator=rng).numpy()
            per_group = per_group[perm]
            inv_perm = np.empty_like(perm)
            inv_perm[perm] = np.arange(perm.size)
            groups_inv = inv_perm[groups_inv]
        per_fold = np.zeros((k, classes.numel()))
        fold_of_group = np.empty(n_groups, dtype=np.int64)
        for group in np.argsort(-np.std(per_group, axis=1), kind="stable"):
            best = _best_fold(per_fold, y_cnt, per_group[group])
            per_fold[best] += per_group[group]
            fold_of_group[group] = best
        folds = torch.from_numpy(fold_of_group[groups_inv])
        yield from _folds_to_splits(folds, k)


def _best_fold(per_fold: np.ndarray, y_cnt: np.ndarray, group_counts: np.ndarray) -> int:
    """scikit-learn's ``_find_best_fold``, operation for operation."""
    best, min_eval, min_samples = 0, np.inf, np.inf
    for i in range(per_fold.shape[0]):
        per_fold[i] += group_counts
        std_per_class = np.std(per_fold / y_cnt.reshape(1, -1), axis=0)
        per_fold[i] -= group_counts
        fold_eval = np.mean(std_per_class)
        samples = np.sum(per_fold[i])
        if fold_eval < min_eval or (np.isclose(fold_eval, min_eval) and samples < min_samples):
            best, min_eval, min_samples = i, fold_eval, samples
    return best
