"""RandomUnderSampler: keep a random subset of each targeted class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..utils import check_generator
from ._base import UNDER_STRATEGY_CONSTRAINTS, BaseUnderSampler

__all__ = ["RandomUnderSampler"]


class RandomUnderSampler(BaseUnderSampler):
    """Under-sample the targeted classes by drawing rows at random.

    Args:
        sampling_strategy: imbalanced-learn's grammar: a float (binary only: minority /
            majority ratio after resampling), ``"auto"`` (= ``"not minority"``),
            ``"majority"``, ``"not minority"``, ``"not majority"``, ``"all"``, a dict
            ``{class: samples to keep}`` or a callable.
        replacement: Draw with replacement (a row may then be kept several times).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: samples kept}`` for the targeted classes.
        sample_indices_: ``(n_out,)`` int64 rows of the input, class by class (sorted labels),
            so that ``X[sample_indices_]`` is the output.

    Raises:
        InvalidParameterError: A malformed ``sampling_strategy`` (e.g. a count larger than
            the class).
        DataValidationError: Bad input data (see :class:`~torchbalance.base.BaseResampler`).

    Example:
        >>> import torch
        >>> X = torch.arange(20.0).reshape(10, 2)
        >>> y = torch.tensor([0] * 7 + [1] * 3)
        >>> X_res, y_res = RandomUnderSampler(generator=0).fit_resample(X, y)
        >>> torch.bincount(y_res).tolist()
        [3, 3]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": UNDER_STRATEGY_CONSTRAINTS,
        "replacement": [bool],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        generator = check_generator(self.generator, X.device, owner=type(self).__name__)
        parts = []
        for label in torch.unique(y).tolist():
            members = torch.nonzero(y == label).reshape(-1)
            if label in strategy:
                n_keep = int(strategy[label])
                if self.replacement:
                    picks = torch.randint(
                        0, members.numel(), (n_keep,), generator=generator, device=X.device
                    )
                else:
                    picks = torch.randperm(members.numel(), generator=generator, device=X.device)
                    picks = picks[:n_keep]
                members = members[picks]
            parts.append(members)
        return self._select(X, y, torch.cat(parts), strategy)
