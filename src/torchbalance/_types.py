"""Type aliases shared across the package."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import torch

__all__ = ["GeneratorLike", "SamplingStrategy"]

GeneratorLike: TypeAlias = int | torch.Generator | None
"""An int seed, an explicit ``torch.Generator``, or ``None`` (seed from torch's global RNG)."""

SamplingStrategy: TypeAlias = (
    float | str | Mapping[Any, int] | Sequence[Any] | Callable[..., Mapping[Any, int]]
)
"""imbalanced-learn's ``sampling_strategy`` grammar: a float, six strings, dict, list, callable."""
