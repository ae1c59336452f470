"""What every over-sampler of the package shares: constraints, class-size checks, stacking."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..base import BaseResampler
from ..exceptions import DataValidationError
from ..utils import Interval

__all__ = ["BaseOverSampler"]

SAMPLING_STRATEGY_CONSTRAINTS: list[Any] = [
    Interval(float, 0, 1, closed="right"),
    str,
    dict,
    callable,
]


class BaseOverSampler(BaseResampler):
    """Base of the over-samplers: the original samples first, then the new ones per class."""

    _sampling_type: ClassVar[str] = "over-sampling"

    def _label_of(self, code: Any, strategy: Mapping[Any, int]) -> Any:
        """The caller's label for an internal class ``code`` (for error messages)."""
        for internal, original in zip(
            strategy, getattr(self, "sampling_strategy_", {}), strict=False
        ):
            if internal == code:
                return original
        return code

    def _require_class_size(
        self,
        code: Any,
        n_class: int,
        needed: int,
        param: str,
        value: int,
        strategy: Mapping[Any, int],
    ) -> None:
        """Refuse a class with fewer than ``needed`` samples, naming it and the fixes."""
        if n_class >= needed:
            return
        raise DataValidationError(
            f"{type(self).__name__}: {param}={value} needs at least {needed} samples in class "
            f"{self._label_of(code, strategy)!r}, which has {n_class}. Lower {param} or use "
            "RandomOverSampler."
        )

    def _record_generated(self, strategy: Mapping[Any, int], generated: Mapping[Any, int]) -> None:
        """Set ``sampling_strategy_`` to the numbers actually generated per class.

        ADASYN (rounding), Borderline-SMOTE (a class without "danger" samples is skipped) and
        KMeansSMOTE (rounding up per cluster) may generate a little more or less than asked,
        exactly as imbalanced-learn does; ``sampling_strategy_`` then says what was done.
        """
        self.sampling_strategy_ = OrderedDict(
            (label, int(generated.get(code, 0)))
            for code, label in zip(strategy, self.sampling_strategy_, strict=True)
        )

    @staticmethod
    def _stack(
        X: torch.Tensor,
        y: torch.Tensor,
        new_X: list[torch.Tensor],
        new_y: list[torch.Tensor],
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``X`` and ``y`` followed by the new samples (reshaped to ``X``'s sample shape)."""
        if not new_X:
            return X.clone(), y.clone()
        shape = X.shape[1:]
        parts = [X] + [part.reshape(part.shape[0], *shape) for part in new_X]
        return torch.cat(parts, 0), torch.cat([y, *new_y], 0)

    @staticmethod
    def _labels(code: Any, n: int, y: torch.Tensor) -> torch.Tensor:
        return torch.full((n,), int(code), dtype=y.dtype, device=y.device)
