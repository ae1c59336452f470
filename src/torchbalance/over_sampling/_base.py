"""What every over-sampler of the package shares: constraints, class-size checks, stacking."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

import torch

from ..base import BaseResampler
from ..exceptions import DataValidationError
from ..functional._smote import InterpolationPlan
from ..utils import Interval

__all__ = ["BaseOverSampler", "Origins"]


class Origins(NamedTuple):
    """Where new rows come from: ``base + step * (partner - base)``, as rows of the input.

    Attributes:
        base: ``(n_new,)`` int64 input row each new row starts from.
        partner: ``(n_new,)`` int64 input row it moves towards (``base`` for a copy).
        step: ``(n_new,)`` the step (0 for a copy; negative for SVM-SMOTE's extrapolation).
    """

    base: torch.Tensor
    partner: torch.Tensor
    step: torch.Tensor

    @classmethod
    def of_plan(
        cls,
        base_rows: torch.Tensor,
        ref_rows: torch.Tensor,
        neighbors: torch.Tensor,
        plan: InterpolationPlan,
        diff_scale: torch.Tensor | None = None,
    ) -> Origins:
        """The origins of :func:`~torchbalance.functional._smote.interpolate`'s output, given
        the input rows behind its ``X_base`` (``base_rows``) and ``X_ref`` (``ref_rows``)."""
        step = plan.steps if diff_scale is None else plan.steps * diff_scale
        partner = ref_rows.index_select(0, neighbors[plan.rows, plan.cols])
        return cls(base_rows.index_select(0, plan.rows), partner, step)

    @classmethod
    def copies(cls, rows: torch.Tensor) -> Origins:
        """Rows copied (or jittered, or voted) from ``rows``: they keep those rows' weights."""
        return cls(rows, rows, torch.zeros(rows.shape[0], device=rows.device))


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

    def _stack(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        new_X: list[torch.Tensor],
        new_y: list[torch.Tensor],
        origins: list[Origins],
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``X`` and ``y`` followed by the new samples (reshaped to ``X``'s sample shape).

        ``origins`` has one :class:`Origins` per part of ``new_X``: where each new row comes
        from, which :meth:`_resampled_weight` turns into its weight.
        """
        self._origins = origins
        if not new_X:
            return X.clone(), y.clone()
        shape = X.shape[1:]
        parts = [X] + [part.reshape(part.shape[0], *shape) for part in new_X]
        return torch.cat(parts, 0), torch.cat([y, *new_y], 0)

    def _resampled_weight(self, weight: torch.Tensor) -> torch.Tensor:
        """The input's weights, then for each new row ``w_b + s (w_p - w_b)`` with its base
        ``b``, partner ``p`` and step ``s`` (its features' own interpolation), clipped to the
        range of ``w_b`` and ``w_p`` (so an extrapolated SVM-SMOTE row, ``s < 0``, keeps its
        base's weight); a copied row (``p = b``) keeps its weight.
        """
        if not self._origins:
            return weight.clone()
        device = weight.device
        base = torch.cat([o.base for o in self._origins]).to(device)
        partner = torch.cat([o.partner for o in self._origins]).to(device)
        step = torch.cat([o.step for o in self._origins]).to(device=device, dtype=weight.dtype)
        w_base, w_partner = weight.index_select(0, base), weight.index_select(0, partner)
        new = torch.addcmul(w_base, step, w_partner - w_base)
        new = torch.minimum(
            torch.maximum(new, torch.minimum(w_base, w_partner)), w_base.maximum(w_partner)
        )
        return torch.cat([weight, new])

    @staticmethod
    def _labels(code: Any, n: int, y: torch.Tensor) -> torch.Tensor:
        return torch.full((n,), int(code), dtype=y.dtype, device=y.device)
