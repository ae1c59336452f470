"""CondensedNearestNeighbour (Hart 1968) and OneSidedSelection (Kubat & Matwin 1997)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..functional._cleaning import tomek_link_mask
from ..functional._condense import condense, one_sided_keep
from ..utils import Interval, check_generator
from ._base import CLEAN_STRATEGY_CONSTRAINTS, BaseCleaningSampler

__all__ = ["CondensedNearestNeighbour", "OneSidedSelection"]


class _SeededCondensing(BaseCleaningSampler):
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
        "n_neighbors": [Interval(int, 1, None), None],
        "n_seeds_S": [Interval(int, 1, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: int | None = None,
        n_seeds_S: int = 1,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.generator = generator

    def _plan(
        self, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[
        torch.Tensor, torch.Tensor, int, list[tuple[Any, torch.Tensor, torch.Tensor, torch.Tensor]]
    ]:
        """``(codes, minority rows, k, [(label, members, seeds, store)])`` per targeted class."""
        generator = check_generator(self.generator, y.device, owner=type(self).__name__)
        _, codes = torch.unique(y, sorted=True, return_inverse=True)
        minority = self._minority(y)
        minority_rows = torch.nonzero(y == minority).reshape(-1)
        k = 1 if self.n_neighbors is None else self.n_neighbors
        plans = []
        for label in torch.unique(y).tolist():
            if label not in strategy:
                continue
            members = torch.nonzero(y == label).reshape(-1)
            draws = torch.randint(
                0, members.numel(), (self.n_seeds_S,), generator=generator, device=y.device
            )
            seeds = members[torch.unique(draws)]
            # the minority class's own store is the whole class (its seeds twice), so every
            # sample of it is voted right and it keeps only its seeds, as in imbalanced-learn
            store = torch.cat([minority_rows, seeds])
            self._require_neighbours(
                "n_neighbors",
                k,
                k,
                store.numel(),
                f"in the starting set of class {self._label(label)!r} (minority + seeds)",
            )
            plans.append((label, members, seeds, store))
        return codes, minority_rows, k, plans


class CondensedNearestNeighbour(_SeededCondensing):
    """Under-sample with Hart's condensed nearest neighbour rule, one class at a time.

    For each targeted class, a store starts with the minority class and ``n_seeds_S`` random
    samples of the class; the class's samples are visited in order and every one the
    ``n_neighbors``-NN vote over the store misclassifies is added to it. The class keeps the
    store's members: every removed sample is classified correctly by the
    ``n_neighbors``-NN rule on the kept set (minority + kept samples of its class). Targeted
    itself (``"all"``, ``"not majority"``), the minority class keeps only its seeds, as in
    imbalanced-learn: its store already holds every one of its samples.

    Incremental: one exact kNN search, then each addition updates all neighbour lists in
    ``O(n_class * d)`` — no refit per addition.

    Args:
        sampling_strategy: The classes to condense (see :class:`TomekLinks`).
        n_neighbors: ``k`` of the vote; ``None`` means 1.
        n_seeds_S: Random seed samples per class (drawn with replacement, duplicates merged).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the condensed classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.

    References:
        P. Hart, "The condensed nearest neighbor rule", IEEE Trans. Information Theory 14(3),
        1968.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0]])
        >>> y = torch.tensor([1, 0, 0, 0, 0, 0])
        >>> X_res, y_res = CondensedNearestNeighbour(generator=0).fit_resample(X, y)
        >>> int((y_res == 0).sum()) < 5
        True
    """

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        F = self._features(X)
        codes, _, k, plans = self._plan(y, strategy)
        remove = torch.zeros(y.numel(), dtype=torch.bool, device=y.device)
        for _, members, seeds, store in plans:
            candidates = members[~torch.isin(members, seeds)]
            added = condense(F, codes, store, candidates, k)
            remove[members] = True
            remove[seeds] = False
            remove[added] = False
        return self._keep_rows(X, y, remove, strategy)


class OneSidedSelection(_SeededCondensing):
    """Under-sample with one-sided selection (Kubat & Matwin 1997), as imbalanced-learn.

    For each targeted class: a store of the minority class and ``n_seeds_S`` random samples of
    the class; the class keeps the seeds and the samples the ``n_neighbors``-NN vote over that
    store misclassifies. Then the targeted-class ends of the Tomek links of the reduced set
    are removed (one pass, as in the paper; removing them often leaves or creates other links:
    17 of the 28 KEEL data sets keep at least one, in imbalanced-learn too).

    Args:
        sampling_strategy: The classes to reduce (see :class:`TomekLinks`).
        n_neighbors: ``k`` of the vote; ``None`` means 1.
        n_seeds_S: Random seed samples per class (drawn with replacement, duplicates merged).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the reduced classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.

    References:
        M. Kubat, S. Matwin, "Addressing the curse of imbalanced training sets: one-sided
        selection", ICML 1997.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0]])
        >>> y = torch.tensor([1, 0, 0, 0, 0, 0])
        >>> X_res, y_res = OneSidedSelection(generator=0).fit_resample(X, y)
        >>> int((y_res == 1).sum())
        1
    """

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        F = self._features(X)
        reduced = self._condensed_mask(F, y, strategy)
        rows = torch.nonzero(reduced).reshape(-1)
        target = torch.tensor(list(strategy), dtype=y.dtype, device=y.device)
        y_red = y.index_select(0, rows)
        links = torch.zeros(y.numel(), dtype=torch.bool, device=y.device)
        if rows.numel() >= 2:
            in_link = tomek_link_mask(F.index_select(0, rows), y_red)
            links[rows[in_link & torch.isin(y_red, target)]] = True
        return self._keep_rows(X, y, ~reduced | links, strategy)

    def _condensed_mask(
        self, F: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> torch.Tensor:
        """Bool mask of the rows kept by the condensing step (before the Tomek cleaning)."""
        codes, _, k, plans = self._plan(y, strategy)
        keep = torch.ones(y.numel(), dtype=torch.bool, device=y.device)
        for _, members, seeds, store in plans:
            candidates = members[~torch.isin(members, seeds)]
            keep[members] = False
            keep[seeds] = True
            keep[candidates[one_sided_keep(F, codes, store, candidates, k)]] = True
        return keep
