"""Edited nearest neighbours and its repeated forms: ENN, RENN, AllKNN."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..functional._cleaning import edited_keep_mask
from ..utils import Interval, Options
from ._base import CLEAN_STRATEGY_CONSTRAINTS, BaseCleaningSampler

__all__ = ["AllKNN", "EditedNearestNeighbours", "RepeatedEditedNearestNeighbours"]


def _edit(
    F: torch.Tensor,
    y: torch.Tensor,
    targeted: Mapping[Any, int],
    n_neighbors: int,
    kind_sel: str,
) -> torch.Tensor:
    """Bool mask of the rows to remove: targeted rows that disagree with their neighbours."""
    _, codes = torch.unique(y, sorted=True, return_inverse=True)
    target = torch.tensor(list(targeted), dtype=y.dtype, device=y.device)
    rows = torch.nonzero(torch.isin(y, target)).reshape(-1)
    remove = torch.zeros(y.numel(), dtype=torch.bool, device=y.device)
    if rows.numel():
        keep = edited_keep_mask(F, codes, rows, n_neighbors, kind_sel)
        remove[rows[~keep]] = True
    return remove


class _ENNParams(BaseCleaningSampler):
    def _check_size(self, n: int, k: int) -> None:
        self._require_neighbours("n_neighbors", k, k + 1, n, "in all (itself excluded)")


class EditedNearestNeighbours(_ENNParams):
    """Remove targeted samples whose neighbourhood disagrees with their label (Wilson 1972).

    For every sample of a targeted class, its ``n_neighbors`` nearest other samples (of any
    class) are examined; with ``kind_sel="all"`` the sample is removed unless all of them
    share its label, with ``"mode"`` unless the most frequent label among them (ties: the
    smallest) is its label. Same result as imbalanced-learn's ``EditedNearestNeighbours``.

    Args:
        sampling_strategy: The classes to clean (see :class:`TomekLinks`).
        n_neighbors: Neighbours examined per sample.
        kind_sel: ``"all"`` or ``"mode"``.

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the cleaned classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.

    Raises:
        DataValidationError: Fewer than ``n_neighbors + 1`` samples; bad input data.

    Warns:
        TorchBalanceWarning: When every sample of a cleaned class was removed.

    References:
        D. Wilson, "Asymptotic properties of nearest neighbor rules using edited data",
        IEEE Trans. Systems, Man, and Cybernetics 2(3), 1972.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [0.13], [0.29], [0.41], [0.6], [0.77], [5.0], [5.17]])
        >>> y = torch.tensor([0, 0, 1, 0, 0, 0, 1, 1])
        >>> enn = EditedNearestNeighbours(n_neighbors=1)
        >>> _ = enn.fit_resample(X, y)
        >>> enn.sample_indices_.tolist()
        [0, 1, 2, 4, 5, 6, 7]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
        "n_neighbors": [Interval(int, 1, None)],
        "kind_sel": [Options(("all", "mode"))],
    }

    def __init__(
        self, *, sampling_strategy: Any = "auto", n_neighbors: int = 3, kind_sel: str = "all"
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        self._check_size(X.shape[0], self.n_neighbors)
        remove = _edit(self._features(X), y, strategy, self.n_neighbors, self.kind_sel)
        return self._keep_rows(X, y, remove, strategy)


def _stats(y: torch.Tensor) -> Counter[int]:
    labels, counts = torch.unique(y, return_counts=True)
    return Counter(dict(zip(labels.tolist(), counts.tolist(), strict=True)))


class RepeatedEditedNearestNeighbours(_ENNParams):
    """Repeat :class:`EditedNearestNeighbours` until nothing changes (Tomek 1976).

    Each round resolves ``sampling_strategy`` on the current labels and edits; the repetition
    stops after ``max_iter`` rounds, when a round removes nothing, when a cleaned class falls
    below the original minority count, or when a class disappears — imbalanced-learn's rules,
    with the same result.

    Args:
        sampling_strategy: The classes to clean (see :class:`TomekLinks`).
        n_neighbors: Neighbours examined per sample.
        max_iter: Most rounds.
        kind_sel: ``"all"`` or ``"mode"``.

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the cleaned classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.
        n_iter_: Rounds run.

    References:
        I. Tomek, "An experiment with the edited nearest-neighbor rule", IEEE Trans. Systems,
        Man, and Cybernetics 6(6), 1976.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [0.13], [0.29], [0.41], [0.6], [0.77], [5.0], [5.17]])
        >>> y = torch.tensor([0, 0, 1, 0, 0, 0, 1, 1])
        >>> renn = RepeatedEditedNearestNeighbours(n_neighbors=1)
        >>> _ = renn.fit_resample(X, y)
        >>> renn.sample_indices_.tolist(), renn.n_iter_
        ([0, 1, 2, 4, 5, 6, 7], 2)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
        "n_neighbors": [Interval(int, 1, None)],
        "max_iter": [Interval(int, 1, None)],
        "kind_sel": [Options(("all", "mode"))],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: int = 3,
        max_iter: int = 100,
        kind_sel: str = "all",
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.max_iter = max_iter
        self.kind_sel = kind_sel

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        F = self._features(X)
        original = _stats(y)
        minority = self._minority(y)
        index = torch.arange(y.numel(), device=y.device)
        y_cur = y
        n_iter = 0
        cleaned = dict(strategy)  # every round's classes, for the emptied-class warning
        for n_iter in range(1, self.max_iter + 1):
            self._check_size(index.numel(), self.n_neighbors)
            targeted = strategy if n_iter == 1 else self._restrategize(y_cur)
            cleaned.update(targeted)
            remove = _edit(
                F.index_select(0, index), y_cur, targeted, self.n_neighbors, self.kind_sel
            )
            converged = not bool(remove.any())
            index = index[~remove]
            y_cur = y.index_select(0, index)
            stats = _stats(y_cur)
            below = any(n < original[minority] for c, n in stats.items() if c != minority)
            if converged or below or len(stats) < len(original):
                break
        self.n_iter_ = n_iter
        return self._select(X, y, index, cleaned)


class AllKNN(_ENNParams):
    """Edited nearest neighbours with 1, 2, ..., ``n_neighbors`` neighbours in turn (Tomek
    1976).

    Round ``k`` resolves ``sampling_strategy`` on the current labels and edits with ``k``
    neighbours; it stops early when a cleaned class falls below the original minority count
    (unless ``allow_minority``) or a class disappears — imbalanced-learn's rules, with the
    same result.

    Args:
        sampling_strategy: The classes to clean (see :class:`TomekLinks`).
        n_neighbors: Largest neighbourhood examined.
        kind_sel: ``"all"`` or ``"mode"``.
        allow_minority: Do not stop when a cleaned class becomes smaller than the minority.

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the cleaned classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.

    References:
        I. Tomek, "An experiment with the edited nearest-neighbor rule", IEEE Trans. Systems,
        Man, and Cybernetics 6(6), 1976.

    Example:
        >>> import torch
        >>> X = torch.tensor([0.0, 0.13, 0.29, 0.41, 0.6, 0.77, 0.95, 1.18, 5.0, 5.17])[:, None]
        >>> y = torch.tensor([0, 0, 1, 0, 0, 0, 0, 0, 1, 1])
        >>> allknn = AllKNN(n_neighbors=2)
        >>> _ = allknn.fit_resample(X, y)
        >>> allknn.sample_indices_.tolist()
        [2, 5, 6, 7, 8, 9]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
        "n_neighbors": [Interval(int, 1, None)],
        "kind_sel": [Options(("all", "mode"))],
        "allow_minority": [bool],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: int = 3,
        kind_sel: str = "all",
        allow_minority: bool = False,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        F = self._features(X)
        original = _stats(y)
        minority = self._minority(y)
        index = torch.arange(y.numel(), device=y.device)
        y_cur = y
        cleaned = dict(strategy)  # every round's classes, for the emptied-class warning
        for k in range(1, self.n_neighbors + 1):
            self._check_size(index.numel(), k)
            targeted = strategy if k == 1 else self._restrategize(y_cur)
            cleaned.update(targeted)
            remove = _edit(F.index_select(0, index), y_cur, targeted, k, self.kind_sel)
            index = index[~remove]
            y_cur = y.index_select(0, index)
            stats = _stats(y_cur)
            below = any(n < original[minority] for c, n in stats.items() if c != minority)
            if (below and not self.allow_minority) or len(stats) < len(original):
                break
        return self._select(X, y, index, cleaned)
