"""Helpers shared by the augmentation classes: class counts and per-call generators."""

from __future__ import annotations

from typing import Any

import torch

from ..exceptions import InvalidParameterError
from ..labels import class_counts, get_labels
from ..utils import check_generator, host_generator


def as_counts(value: Any, owner: str, name: str) -> torch.Tensor:
    """``(C,)`` float64 class counts from a counts vector (``name="class_counts"``) or labels."""
    counts = class_counts(get_labels(value)) if name == "labels" else torch.as_tensor(value)
    if counts.ndim != 1 or counts.numel() < 1 or counts.is_complex():
        raise InvalidParameterError(
            f"{owner}: {name} of shape {tuple(counts.shape)} is invalid; it must be a 1-D "
            "sequence with one entry per class."
        )
    counts = counts.to(torch.float64)
    if not bool(torch.isfinite(counts).all()) or bool((counts < 0).any()):
        raise InvalidParameterError(
            f"{owner}: {name}={counts.tolist()!r} is invalid; it must hold finite counts >= 0."
        )
    if not bool((counts > 0).any()):
        raise InvalidParameterError(
            f"{owner}: {name}={counts.tolist()!r} is invalid; at least one class must have samples."
        )
    return counts


class StreamGenerator:
    """A generator resolved once, on first use: successive calls differ, a seed replays them."""

    def __init__(self, generator: Any, owner: str) -> None:
        self.spec = generator
        self.owner = owner
        self._resolved: torch.Generator | None = None

    def get(self, device: torch.device) -> torch.Generator:
        if self._resolved is None or self._resolved.device.type != device.type:
            self._resolved = check_generator(self.spec, device, owner=self.owner)
        return self._resolved

    def host(self) -> torch.Generator:
        """The generator for draws made on the CPU whatever the data's device."""
        if self._resolved is None or self._resolved.device.type != "cpu":
            self._resolved = host_generator(self.spec, owner=self.owner)
        return self._resolved


def check_labels_1d(y: Any, n: int, num_classes: int, owner: str) -> torch.Tensor:
    """``y`` as int64 ``(n,)`` with values in ``[0, num_classes)``."""
    y = torch.as_tensor(y)
    if y.ndim != 1 or y.shape[0] != n or y.is_floating_point() or y.is_complex():
        raise InvalidParameterError(
            f"{owner}: y must be a 1-D integer tensor with one label per row of x "
            f"({n}), got dtype {y.dtype} and shape {tuple(y.shape)}."
        )
    if n and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise InvalidParameterError(
            f"{owner}: labels must lie in [0, {num_classes}) (one per class count given), got "
            f"values from {int(y.min())} to {int(y.max())}."
        )
    return y.long()
