"""What the loss modules share: class statistics as buffers, re-settable class weights."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..exceptions import InvalidParameterError
from ..functional._logit_adjust import check_weight
from ..functional._loss_common import check_reduction
from ..utils import Interval, check_param

__all__ = ["ClassLoss"]


class ClassLoss(nn.Module):
    """Base of the package's losses: validation in ``__init__``, statistics in buffers.

    Class statistics (counts, priors, margins, weights) are float buffers in
    ``torch.get_default_dtype()``, so ``.to(device)`` and ``.to(dtype)`` move them and
    ``state_dict()`` saves them. ``forward`` only checks shapes; values were checked here.
    """

    _owner = "ClassLoss"
    weight: torch.Tensor | None

    def _init_common(self, reduction: str, ignore_index: int | None = None) -> None:
        check_reduction(self._owner, reduction)
        self.reduction = reduction
        if ignore_index is not None:
            check_param(self._owner, "ignore_index", ignore_index, [Interval(int, None, None)])
            self.ignore_index = int(ignore_index)

    def _buffer(self, name: str, value: torch.Tensor | None) -> None:
        self.register_buffer(
            name, None if value is None else value.to(dtype=torch.get_default_dtype())
        )

    def _num_classes(self) -> int | None:
        return None

    def set_weight(self, weight: Any) -> None:
        """Replace the per-class ``weight`` (``None`` removes it), e.g. from a schedule.

        Args:
            weight: ``(C,)`` finite values >= 0, or ``None``.

        Raises:
            DataValidationError: A malformed weight or one of the wrong length.
            InvalidParameterError: The loss has no ``weight`` (e.g. ``ClassBalancedLoss``).
        """
        if "weight" not in self._buffers:
            raise InvalidParameterError(
                f"{self._owner} has no per-class weight to set; set_weight() works on the losses "
                "that take weight= (FocalLoss, LDAMLoss, LogitAdjustedLoss, BalancedSoftmaxLoss, "
                "VSLoss)."
            )
        vector = check_weight(self._owner, weight, self._num_classes())
        device = next((b.device for b in self.buffers()), None)
        if vector is not None and device is not None:
            vector = vector.to(device)
        dtype = self.weight.dtype if self.weight is not None else torch.get_default_dtype()
        self.register_buffer("weight", None if vector is None else vector.to(dtype))

    def _load_from_state_dict(
        self, state_dict: dict[str, Any], prefix: str, *args: Any, **kwargs: Any
    ) -> None:
        # A checkpoint taken after set_weight() holds a weight this fresh module may lack.
        key = prefix + "weight"
        if key in state_dict and "weight" in self._buffers and self._buffers["weight"] is None:
            self._buffers["weight"] = torch.empty_like(state_dict[key])
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
