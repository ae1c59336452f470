"""Toy resamplers shared by the tests (not part of the package)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from torchbalance.base import BaseResampler
from torchbalance.utils import Interval, check_generator


class KeepFirstUnderSampler(BaseResampler):
    """A minimal selection-based under-sampler used to exercise the base class and checks.

    Keeps a random subset of each targeted class (the real RandomUnderSampler lands with the
    under-sampling issue; this fixture is not part of the package).
    """

    _sampling_type = "under-sampling"
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": [Interval(float, 0, 1, closed="right"), str, dict, callable],
        "generator": ["generator"],
    }

    def __init__(self, *, sampling_strategy: Any = "auto", generator: Any = None) -> None:
        self.sampling_strategy = sampling_strategy
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        generator = check_generator(self.generator, X.device)
        keep = []
        for label in torch.unique(y).tolist():
            members = torch.nonzero(y == label).reshape(-1)
            if label in strategy:
                order = torch.randperm(len(members), generator=generator, device=X.device)
                members = members[order[: strategy[label]]]
            keep.append(members)
        self.sample_indices_ = torch.cat(keep)
        return X[self.sample_indices_], y[self.sample_indices_]
