"""Type aliases shared across the package."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import torch

__all__ = ["GeneratorLike", "Label", "Reduction", "SamplingKind", "SamplingStrategy"]

GeneratorLike: TypeAlias = int | torch.Generator | None
"""An int seed, an explicit ``torch.Generator``, or ``None`` (seed from torch's global RNG)."""

Label: TypeAlias = int | str
"""A class label: any integer, or a string at the NumPy/pandas boundary."""

SamplingStrategy: TypeAlias = (
    float | str | Mapping[Any, int] | Sequence[Any] | Callable[..., Mapping[Any, int]]
)
"""imbalanced-learn's ``sampling_strategy`` grammar: a float, six strings, dict, list, callable."""

SamplingKind: TypeAlias = Literal["over-sampling", "under-sampling", "clean-sampling"]

Reduction: TypeAlias = Literal["none", "mean", "sum"]
