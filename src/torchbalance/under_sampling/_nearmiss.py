"""NearMiss-1/2/3: keep the targeted-class samples closest to (or farthest from) the minority."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..exceptions import TorchBalanceWarning
from ..functional._nearmiss import nearmiss_select
from ..utils import Interval, Options, warn_user
from ._base import UNDER_STRATEGY_CONSTRAINTS, BaseUnderSampler

__all__ = ["NearMiss"]


class NearMiss(BaseUnderSampler):
    """Under-sample with the NearMiss heuristics (Mani & Zhang 2003), exactly as
    imbalanced-learn.

    For every targeted class, with the minority class as reference:

    * ``version=1`` keeps the samples with the smallest mean distance to their
      ``n_neighbors`` nearest minority samples;
    * ``version=2`` keeps those with the smallest mean distance to their ``n_neighbors``
      *farthest* minority samples;
    * ``version=3`` first short-lists the ``n_neighbors_ver3`` nearest class samples of every
      minority sample, then keeps those with the *largest* mean distance to their
      ``n_neighbors`` nearest minority samples (fewer than asked, with a warning, when the
      short list is too short — as imbalanced-learn).

    Neighbour searches use the exact engine :func:`torchbalance.neighbors.kneighbors`; the
    deciding distances are recomputed in float64. Equal scores keep the lower row first.

    Args:
        sampling_strategy: imbalanced-learn's grammar (see :class:`RandomUnderSampler`).
        version: 1, 2 or 3.
        n_neighbors: Minority neighbours whose distances are averaged.
        n_neighbors_ver3: Size of the version-3 short list per minority sample.

    Attributes:
        sampling_strategy_: ``{class: samples kept}``.
        sample_indices_: ``(n_out,)`` int64 rows of the input, class by class.

    Raises:
        DataValidationError: The minority class has fewer than ``n_neighbors`` samples, or a
            targeted class fewer than ``n_neighbors_ver3`` (version 3); bad input data.

    References:
        I. Mani, I. Zhang, "kNN approach to unbalanced data distributions: a case study
        involving information extraction", ICML workshop on learning from imbalanced
        datasets, 2003.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [9.0], [1.5], [2.5]])
        >>> y = torch.tensor([0, 0, 0, 0, 0, 1, 1])
        >>> nm = NearMiss(n_neighbors=1)
        >>> X_res, y_res = nm.fit_resample(X, y)
        >>> nm.sample_indices_.tolist()
        [1, 2, 5, 6]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": UNDER_STRATEGY_CONSTRAINTS,
        "version": [Options((1, 2, 3))],
        "n_neighbors": [Interval(int, 1, None)],
        "n_neighbors_ver3": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        version: int = 1,
        n_neighbors: int = 3,
        n_neighbors_ver3: int = 3,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        F = self._features(X)
        minority = self._minority(y)
        minority_rows = torch.nonzero(y == minority).reshape(-1)
        X_min = F.index_select(0, minority_rows)
        what = f"in the minority class {self._label(minority)!r}"
        self._require_neighbours(
            "n_neighbors", self.n_neighbors, self.n_neighbors, X_min.shape[0], what
        )
        parts = []
        for label in torch.unique(y).tolist():
            members = torch.nonzero(y == label).reshape(-1)
            if label in strategy:
                n_keep = int(strategy[label])
                if self.version == 3:
                    self._require_neighbours(
                        "n_neighbors_ver3",
                        self.n_neighbors_ver3,
                        self.n_neighbors_ver3,
                        members.numel(),
                        f"in class {self._label(label)!r}",
                    )
                picks = nearmiss_select(
                    F.index_select(0, members),
                    X_min,
                    n_keep,
                    version=int(self.version),
                    n_neighbors=int(self.n_neighbors),
                    n_neighbors_ver3=int(self.n_neighbors_ver3),
                )
                if picks.numel() < n_keep:
                    warn_user(
                        f"NearMiss: version 3 short-listed only {picks.numel()} samples of class "
                        f"{self._label(label)!r}, fewer than the {n_keep} asked; all of them are "
                        "kept. Raise n_neighbors_ver3 to short-list more.",
                        TorchBalanceWarning,
                    )
                members = members[picks]
            parts.append(members)
        return self._select(X, y, torch.cat(parts), strategy)
