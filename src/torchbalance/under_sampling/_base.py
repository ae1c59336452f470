"""What the under-samplers and cleaning rules share: constraints, class bookkeeping, checks."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..base import BaseResampler
from ..exceptions import DataValidationError, TorchBalanceWarning
from ..utils import Interval, OutputConverter, check_sampling_strategy, warn_user

__all__ = ["BaseCleaningSampler", "BaseUnderSampler"]

UNDER_STRATEGY_CONSTRAINTS: list[Any] = [
    Interval(float, 0, 1, closed="right"),
    str,
    dict,
    callable,
]
# no callable: a cleaning rule removes what it finds, it does not aim at counts (imbalanced-learn
# refuses one too)
CLEAN_STRATEGY_CONSTRAINTS: list[Any] = [str, list]


class _SelectionMixin(BaseResampler):
    """Helpers for resamplers that select rows of the input."""

    _converter: OutputConverter | None = None

    def fit_resample(self, X: Any, y: Any, *, sample_weight: Any = None) -> tuple[Any, ...]:
        try:
            return super().fit_resample(X, y, sample_weight=sample_weight)
        finally:
            self._converter = None

    fit_resample.__doc__ = BaseResampler.fit_resample.__doc__

    def _resolve_strategy(
        self, y: torch.Tensor, converter: OutputConverter
    ) -> OrderedDict[Any, int]:
        self._converter = converter
        return super()._resolve_strategy(y, converter)

    # -- class bookkeeping ---------------------------------------------------------------

    @staticmethod
    def _dense(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(classes, codes)``: sorted distinct labels and each sample's position in them."""
        classes, codes = torch.unique(y, sorted=True, return_inverse=True)
        return classes, codes

    @staticmethod
    def _minority(y: torch.Tensor) -> int:
        """The minority label as imbalanced-learn picks it (``Counter`` order): among the
        smallest classes, the one that appears first in ``y``."""
        classes, codes, counts = torch.unique(y, return_inverse=True, return_counts=True)
        first = torch.full((classes.numel(),), y.numel(), dtype=torch.int64, device=y.device)
        first.scatter_reduce_(0, codes, torch.arange(y.numel(), device=y.device), "amin")
        smallest = counts == counts.min()
        pick = int(torch.where(smallest, first, y.numel()).argmin())
        return int(classes[pick])

    def _label(self, code: Any) -> Any:
        """The caller's label for an internal class code (for messages)."""
        converter = self._converter
        if converter is not None and converter.classes is not None:
            value = converter.classes[int(code)]
            return value.item() if hasattr(value, "item") else value
        return code

    def _restrategize(self, y: torch.Tensor) -> OrderedDict[Any, int]:
        """Resolve ``sampling_strategy`` again on the current labels (RENN, AllKNN)."""
        converter = self._converter
        owner = type(self).__name__
        if converter is None or converter.classes is None:
            return check_sampling_strategy(
                self.sampling_strategy, y, self._sampling_type, owner=owner
            )
        labels = converter.to_y(y) if converter.labels.kind != "tensor" else y
        resolved = check_sampling_strategy(
            self.sampling_strategy, labels, self._sampling_type, owner=owner
        )
        return OrderedDict((converter.encode_label(k), n) for k, n in resolved.items())

    @staticmethod
    def _features(X: torch.Tensor) -> torch.Tensor:
        """``X`` as a 2-D floating tensor for distance computations (N-D samples flattened;
        integer features as float64)."""
        flat = X.reshape(X.shape[0], -1)
        return flat if flat.is_floating_point() else flat.to(torch.float64)

    def _require_neighbours(self, name: str, value: int, needed: int, have: int, what: str) -> None:
        if have >= needed:
            return
        raise DataValidationError(
            f"{type(self).__name__}: {name}={value} needs at least {needed} samples {what}, "
            f"which has {have}. Lower {name}."
        )

    def _select(
        self, X: torch.Tensor, y: torch.Tensor, indices: torch.Tensor, targeted: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Set ``sample_indices_``, warn about emptied classes, return the selected rows.

        ``targeted`` holds every class the method may have removed rows of (for RENN and
        AllKNN the classes of every round, which can change from round to round).
        """
        self.sample_indices_ = indices
        y_res = y.index_select(0, indices)
        present = set(torch.unique(y_res).tolist())
        emptied = [self._label(c) for c in targeted if c not in present]
        if emptied:
            cleaning = self._sampling_type == "clean-sampling"  # neighbours decide, not counts
            advice = "Examine fewer neighbours, leave" if cleaning else "Leave"
            warn_user(
                f"{type(self).__name__} removed every sample of class(es) {emptied}; the result "
                f"has no sample of them. {advice} those classes out of sampling_strategy, or "
                "check the labels.",
                TorchBalanceWarning,
            )
        return X.index_select(0, indices), y_res


class BaseUnderSampler(_SelectionMixin):
    """Base of the under-samplers: ``sampling_strategy`` gives the samples to keep per class."""

    _sampling_type: ClassVar[str] = "under-sampling"


class BaseCleaningSampler(_SelectionMixin):
    """Base of the cleaning rules: ``sampling_strategy`` names the classes to clean."""

    _sampling_type: ClassVar[str] = "clean-sampling"

    def _keep_rows(
        self, X: torch.Tensor, y: torch.Tensor, remove: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Drop the rows flagged in the bool mask ``remove`` (original order kept)."""
        return self._select(X, y, torch.nonzero(~remove).reshape(-1), strategy)
