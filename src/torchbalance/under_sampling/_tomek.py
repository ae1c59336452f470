"""TomekLinks: remove the targeted-class ends of Tomek links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..functional._cleaning import tomek_link_mask
from ._base import CLEAN_STRATEGY_CONSTRAINTS, BaseCleaningSampler

__all__ = ["TomekLinks"]


class TomekLinks(BaseCleaningSampler):
    """Remove Tomek links: pairs of mutual nearest neighbours with different labels.

    Of each link, the end that belongs to a class named by ``sampling_strategy`` is removed
    (both ends when both are targeted). Same result as imbalanced-learn's ``TomekLinks``; the
    nearest neighbours come from the exact engine :func:`torchbalance.neighbors.kneighbors`.

    Args:
        sampling_strategy: The classes to clean: ``"auto"`` (= ``"not minority"``),
            ``"majority"``, ``"not minority"``, ``"not majority"``, ``"all"`` or a list of
            classes (not a dict or a callable: a cleaning rule removes what it finds, it does
            not aim at counts).

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the cleaned classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.

    Warns:
        TorchBalanceWarning: When every sample of a cleaned class was removed.

    References:
        I. Tomek, "Two modifications of CNN", IEEE Trans. Systems, Man, and Cybernetics
        6(11), 1976.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0.0], [1.0], [1.5], [3.0], [4.0]])
        >>> y = torch.tensor([0, 0, 1, 0, 0])
        >>> tl = TomekLinks()
        >>> _ = tl.fit_resample(X, y)
        >>> tl.sample_indices_.tolist()
        [0, 2, 3, 4]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
    }

    def __init__(self, *, sampling_strategy: Any = "auto") -> None:
        self.sampling_strategy = sampling_strategy

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        targeted = torch.tensor(list(strategy), dtype=y.dtype, device=y.device)
        links = tomek_link_mask(self._features(X), y)
        return self._keep_rows(X, y, links & torch.isin(y, targeted), strategy)
