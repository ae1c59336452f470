"""ADASYN: more synthetic samples where the minority class is harder to learn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..exceptions import DataValidationError
from ..functional._smote import (
    InterpolationPlan,
    adasyn_counts,
    interpolate,
    neighbor_features,
    working_dtype,
)
from ..neighbors import kneighbors
from ..utils import Interval, check_generator
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["ADASYN"]


class ADASYN(BaseOverSampler):
    """Adaptive Synthetic sampling: SMOTE with per-sample counts set by local difficulty.

    For each sample ``i`` of a targeted class, ``r_i`` is the share of its ``n_neighbors``
    nearest neighbours (whole data set) from other classes; it receives
    ``g_i = rint(n * r_i / sum(r))`` new samples, each interpolated towards one of its
    ``n_neighbors`` nearest same-class samples (chosen uniformly) with a step ``U[0, 1)``.
    As in imbalanced-learn the rounding may make the total differ slightly from ``n``;
    ``sampling_strategy_`` records the numbers actually generated, and ``n_samples_per_point_``
    the ``g_i``.

    Args:
        sampling_strategy: imbalanced-learn's grammar (float, string, dict or callable).
        n_neighbors: Neighbours for the difficulty ratio and for interpolation.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        n_samples_per_point_: ``{class: (m,) int64 g_i}`` in the order of the class's rows.

    Raises:
        DataValidationError: A targeted class with at most ``n_neighbors`` samples; a class
            none of whose samples has a neighbour from another class (ADASYN's ratio is then
            undefined: use SMOTE); a rounding that leaves nothing to generate; and the checks
            of :class:`~torchbalance.base.BaseResampler`.

    References:
        H. He, Y. Bai, E. A. Garcia, S. Li, "ADASYN: Adaptive Synthetic Sampling Approach for
        Imbalanced Learning", IJCNN 2008.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.cat([torch.randn(40, 2, generator=g), torch.randn(10, 2, generator=g) + 1])
        >>> y = torch.tensor([0] * 40 + [1] * 10)
        >>> sampler = ADASYN(n_neighbors=3, generator=0)
        >>> X_res, y_res = sampler.fit_resample(X, y)
        >>> int(sampler.n_samples_per_point_[1].sum()) == sampler.sampling_strategy_[1]
        True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "n_neighbors": [Interval(int, 1, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        n_neighbors: int = 5,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        generator = check_generator(self.generator, X.device, owner=owner)
        flat = X.reshape(X.shape[0], -1)
        feats = neighbor_features(X)
        k = self.n_neighbors
        for code in (c for c, n in strategy.items() if n > 0):
            self._require_class_size(
                code, int((y == code).sum()), k + 1, "n_neighbors", k, strategy
            )
        labels = dict(zip(strategy, self.sampling_strategy_, strict=True))
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        generated: dict[Any, int] = {}
        self.n_samples_per_point_: dict[Any, torch.Tensor] = {}
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            members = torch.nonzero(y == code).reshape(-1)
            try:
                counts = adasyn_counts(feats, y, members, int(code), n_new, k)
            except ValueError as error:
                raise DataValidationError(
                    f"{owner}: no sample of class {labels[code]!r} has a neighbour from another "
                    f"class among its n_neighbors={k} nearest, so ADASYN's density ratio is "
                    "undefined (division by zero). Use SMOTE for this data."
                ) from error
            total = int(counts.sum())
            if total == 0:
                raise DataValidationError(
                    f"{owner}: no samples of class {labels[code]!r} would be generated: "
                    f"{n_new} requested samples round to 0 per point. Ask for more samples "
                    "(sampling_strategy) or use SMOTE."
                )
            self.n_samples_per_point_[labels[code]] = counts
            X_class = flat.index_select(0, members)
            _, nn = kneighbors(feats.index_select(0, members), k, exclude_self=True)
            rows = torch.repeat_interleave(torch.arange(members.numel(), device=X.device), counts)
            cols = torch.randint(0, k, (total,), generator=generator, device=X.device)
            steps = torch.rand(
                total, generator=generator, device=X.device, dtype=working_dtype(X.dtype)
            )
            plan = InterpolationPlan(rows, cols, steps)
            new_X.append(interpolate(X_class, X_class, nn, plan))
            origins.append(Origins.of_plan(members, members, nn, plan))
            new_y.append(self._labels(code, total, y))
            generated[code] = total
        self._record_generated(strategy, generated)
        return self._stack(X, y, new_X, new_y, origins)
