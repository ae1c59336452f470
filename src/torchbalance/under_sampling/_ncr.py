"""NeighbourhoodCleaningRule (Laurikkala 2001), as imbalanced-learn 0.14 implements it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..functional._cleaning import edited_keep_mask, neighbourhood_cleaning_mask
from ..utils import InstanceOf, Interval
from ._base import CLEAN_STRATEGY_CONSTRAINTS, BaseCleaningSampler
from ._enn import EditedNearestNeighbours

__all__ = ["NeighbourhoodCleaningRule"]


class NeighbourhoodCleaningRule(BaseCleaningSampler):
    """Remove targeted samples that are noisy or crowd misclassified minority samples.

    Two rules, whose removals are united (imbalanced-learn 0.14):

    1. an :class:`EditedNearestNeighbours` with ``kind_sel="mode"`` (or the one given as
       ``edited_nearest_neighbours``) removes the targeted samples its vote rejects;
    2. every minority sample is classified by the ``n_neighbors``-NN vote over all samples
       (itself included, as ``KNeighborsClassifier.predict`` on its training data); for each
       misclassified one, its ``n_neighbors`` nearest other samples are removed when their
       class is targeted and has more than ``threshold_cleaning`` times the minority's
       samples.

    Args:
        sampling_strategy: The classes to clean (see :class:`TomekLinks`).
        edited_nearest_neighbours: ``None`` or an :class:`EditedNearestNeighbours` for rule 1
            (its own ``sampling_strategy`` is used).
        n_neighbors: ``k`` of both rules.
        threshold_cleaning: Classes with at most this times the minority count are not
            cleaned by rule 2.

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the cleaned classes.
        classes_to_clean_: Labels rule 2 may remove.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.

    References:
        J. Laurikkala, "Improving identification of difficult small classes by balancing
        class distribution", AIME 2001.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [0.13], [0.29], [0.41], [0.6], [5.0], [5.17], [5.31]])
        >>> y = torch.tensor([0, 0, 1, 0, 0, 0, 1, 1])
        >>> ncr = NeighbourhoodCleaningRule(n_neighbors=2)
        >>> _ = ncr.fit_resample(X, y)
        >>> ncr.sample_indices_.tolist()
        [0, 2, 4, 6, 7]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
        "edited_nearest_neighbours": [
            InstanceOf((EditedNearestNeighbours,), name="an EditedNearestNeighbours"),
            None,
        ],
        "n_neighbors": [Interval(int, 1, None)],
        "threshold_cleaning": [Interval(float, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        edited_nearest_neighbours: EditedNearestNeighbours | None = None,
        n_neighbors: int = 3,
        threshold_cleaning: float = 0.5,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        F = self._features(X)
        n = y.numel()
        self._require_neighbours(
            "n_neighbors", self.n_neighbors, self.n_neighbors + 1, n, "in all (itself excluded)"
        )
        classes, codes = torch.unique(y, sorted=True, return_inverse=True)
        # rule 1: edited nearest neighbours
        enn = self.edited_nearest_neighbours
        if enn is None:
            enn_targets, k1, kind = strategy, self.n_neighbors, "mode"
        else:
            enn._validate_params()
            enn_targets = self._enn_strategy(enn, y)
            k1, kind = enn.n_neighbors, enn.kind_sel
        self._require_neighbours("n_neighbors", k1, k1 + 1, n, "in all (itself excluded)")
        target = torch.tensor(list(enn_targets), dtype=y.dtype, device=y.device)
        rows = torch.nonzero(torch.isin(y, target)).reshape(-1)
        remove = torch.zeros(n, dtype=torch.bool, device=y.device)
        if rows.numel():
            remove[rows[~edited_keep_mask(F, codes, rows, k1, kind)]] = True
        # rule 2: neighbours of misclassified minority samples
        minority = self._minority(y)
        counts = torch.bincount(codes, minlength=classes.numel())
        n_min = int((y == minority).sum())
        to_clean = [
            c
            for c, cnt in zip(classes.tolist(), counts.tolist(), strict=True)
            if c in strategy and cnt > n_min * self.threshold_cleaning
        ]
        self.classes_to_clean_ = [self._label(c) for c in to_clean]
        minority_code = int(
            torch.searchsorted(classes, torch.tensor(minority, device=classes.device))
        )
        clean_codes = torch.searchsorted(
            classes, torch.tensor(to_clean, dtype=classes.dtype, device=classes.device)
        )
        remove |= neighbourhood_cleaning_mask(
            F, codes, minority_code, clean_codes, self.n_neighbors
        )
        # the emptied-class check covers the classes the inner ENN edits, too
        return self._keep_rows(X, y, remove, {**strategy, **enn_targets})

    def _enn_strategy(self, enn: EditedNearestNeighbours, y: torch.Tensor) -> Mapping[Any, int]:
        enn._converter = self._converter
        try:
            return enn._restrategize(y)
        finally:
            enn._converter = None
