"""Sampling with arbitrary per-sample weights, with no size limit."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .._types import GeneratorLike
from ..exceptions import DataValidationError, InvalidParameterError
from ..utils import Interval, check_param
from ._base import EpochSampler
from ._draw import build_guide_table, inverse_cdf_draw, weighted_without_replacement

__all__ = ["WeightedSampler"]


def _check_weights(weights: Any, owner: str) -> torch.Tensor:
    if isinstance(weights, torch.Tensor):
        tensor = weights.detach().cpu()
        if tensor.is_complex():
            raise DataValidationError(
                f"{owner}: weights has dtype {tensor.dtype}; real numbers are needed."
            )
    else:
        array = np.asarray(weights)
        if array.dtype.kind not in "biuf":
            raise DataValidationError(
                f"{owner}: weights has dtype {array.dtype}; numbers are needed."
            )
        tensor = torch.from_numpy(np.array(array, dtype=np.float64))
    if tensor.dim() != 1:
        raise DataValidationError(
            f"{owner}: weights has shape {tuple(tensor.shape)}; one weight per sample, shape "
            "(n_samples,), is needed."
        )
    if tensor.numel() == 0:
        raise DataValidationError(f"{owner}: weights is empty; at least one sample is needed.")
    tensor = tensor.double()
    if not bool(torch.isfinite(tensor).all()):
        raise DataValidationError(
            f"{owner}: weights contains {int(torch.isnan(tensor).sum())} NaN and "
            f"{int(torch.isinf(tensor).sum())} infinite values; every weight must be finite."
        )
    if bool((tensor < 0).any()):
        raise DataValidationError(
            f"{owner}: weights contains negative values (e.g. {float(tensor.min())}); weights "
            "must be >= 0."
        )
    if not bool((tensor > 0).any()):
        raise DataValidationError(f"{owner}: weights are all zero; at least one must be > 0.")
    return tensor


class WeightedSampler(EpochSampler):
    """Drop-in for ``WeightedRandomSampler``: index ``i`` with probability ``w_i / sum(w)``.

    Same distribution, no ``2**24`` limit, O(1) expected time per index: inverse-CDF sampling on
    a float64 CDF with a guide table (Chen & Asau's indexed search) for replacement, successive
    sampling by exponential keys (Efraimidis & Spirakis) without. Per-class weights are better
    served by :class:`ClassBalancedSampler`, which needs no per-sample table.

    Args:
        weights: Non-negative finite weights, shape ``(n_samples,)``; need not sum to one.
        num_samples: Indices per epoch, ``>= 1``.
        replacement: Without replacement, ``num_samples`` must not exceed the number of
            positive weights; the order is that of drawing one at a time.
        generator: Int seed (epoch ``e`` uses ``seed + e``), ``torch.Generator`` or ``None``.

    Raises:
        DataValidationError: Weights of the wrong shape, empty, negative, NaN/inf or all zero.
        InvalidParameterError: ``num_samples`` below 1, or above the positive weights without
            replacement.

    Example:
        >>> sampler = WeightedSampler([0.0, 1.0, 3.0], num_samples=4000, generator=0)
        >>> counts = torch.bincount(torch.tensor(list(sampler)), minlength=3)
        >>> counts[0].item(), abs(counts[2].item() / 4000 - 0.75) < 0.03
        (0, True)
    """

    _owner = "WeightedSampler"

    def __init__(
        self,
        weights: Any,
        num_samples: int,
        replacement: bool = True,
        generator: GeneratorLike = None,
    ) -> None:
        super().__init__(generator)
        owner = self._owner
        check_param(owner, "num_samples", num_samples, [Interval(int, 1, None)])
        check_param(owner, "replacement", replacement, [bool])
        self.weights = _check_weights(weights, owner)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        if not replacement:
            positive = int((self.weights > 0).sum())
            if num_samples > positive:
                raise InvalidParameterError(
                    f"{owner}: num_samples={num_samples} is invalid without replacement; only "
                    f"{positive} weights are positive. Lower num_samples or set replacement=True."
                )
        else:
            self._cdf, self._guide = build_guide_table(self.weights)

    def _draw(self, generator: torch.Generator) -> torch.Tensor:
        if self.replacement:
            return inverse_cdf_draw(self._cdf, self._guide, self.num_samples, generator)
        return weighted_without_replacement(self.weights, self.num_samples, generator)

    def _global_length(self) -> int:
        return self.num_samples
