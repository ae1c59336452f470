"""Quantiles of tensors of any size."""

from __future__ import annotations

import torch

__all__ = ["quantile"]


def quantile(values: torch.Tensor, q: float | torch.Tensor) -> torch.Tensor:
    """``torch.quantile(values, q)`` (linear interpolation) of a 1-D tensor of any length:
    ``torch.quantile`` refuses more than ``2**24`` elements, so one sort is done here instead.

    Example:
        >>> quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
        tensor(2.5000)
    """
    ordered = values.reshape(-1).sort().values
    levels = torch.as_tensor(q, dtype=torch.float64, device=values.device)
    position = levels * (ordered.numel() - 1)
    low = position.floor().long()
    high = position.ceil().long()
    weight = (position - low).to(ordered.dtype)
    return torch.lerp(ordered[low], ordered[high], weight)
