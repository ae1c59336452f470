"""Borderline-SMOTE: SMOTE from the minority samples that sit on the class border."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..exceptions import DataValidationError
from ..functional._smote import (
    danger_noise_mask,
    interpolate,
    neighbor_features,
    random_pairs,
    working_dtype,
)
from ..neighbors import kneighbors
from ..utils import Interval, Options, check_generator
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["BorderlineSMOTE"]


class BorderlineSMOTE(BaseOverSampler):
    """Borderline-SMOTE (variants 1 and 2): SMOTE seeded only by "danger" samples.

    A sample of a targeted class is in *danger* when ``m/2 <= m' < m`` of its ``m_neighbors``
    nearest neighbours in the whole data set belong to other classes (``m' = m`` is noise and is
    not used). New samples are interpolated from danger samples only: towards one of their
    ``k_neighbors`` nearest same-class samples (``"borderline-1"``), or towards one of their
    ``k_neighbors`` nearest samples of *any* class (``"borderline-2"``), the step towards
    another class's sample being shrunk by a further ``U[0, 0.5)`` factor. As in
    imbalanced-learn, a class without danger samples gets no new samples;
    ``sampling_strategy_`` records the numbers actually generated.

    Args:
        sampling_strategy: imbalanced-learn's grammar (float, string, dict or callable).
        k_neighbors: Neighbours to interpolate towards.
        m_neighbors: Neighbours that decide whether a sample is in danger.
        kind: ``"borderline-1"`` or ``"borderline-2"``.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        in_danger_indices_: ``{class: (n_danger,) int64 rows of X in danger}``.

    Raises:
        DataValidationError: A targeted class with at most ``k_neighbors`` samples, fewer than
            ``m_neighbors + 1`` samples in total, and the checks of
            :class:`~torchbalance.base.BaseResampler`.

    References:
        H. Han, W.-Y. Wang, B.-H. Mao, "Borderline-SMOTE: A New Over-Sampling Method in
        Imbalanced Data Sets Learning", ICIC 2005.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.cat([torch.randn(40, 2, generator=g), torch.randn(10, 2, generator=g) + 1])
        >>> y = torch.tensor([0] * 40 + [1] * 10)
        >>> sampler = BorderlineSMOTE(k_neighbors=3, generator=0)
        >>> X_res, y_res = sampler.fit_resample(X, y)
        >>> int((y_res == 1).sum()) == 10 + sampler.sampling_strategy_[1]
        True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "k_neighbors": [Interval(int, 1, None)],
        "m_neighbors": [Interval(int, 1, None)],
        "kind": [Options(("borderline-1", "borderline-2"))],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        k_neighbors: int = 5,
        m_neighbors: int = 10,
        kind: str = "borderline-1",
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.kind = kind
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        generator = check_generator(self.generator, X.device, owner=owner)
        flat = X.reshape(X.shape[0], -1)
        feats = neighbor_features(X)
        if X.shape[0] < self.m_neighbors + 1:
            raise DataValidationError(
                f"{owner}: m_neighbors={self.m_neighbors} needs at least "
                f"{self.m_neighbors + 1} samples, X has {X.shape[0]}. Lower m_neighbors."
            )
        for code in (c for c, n in strategy.items() if n > 0):
            self._require_class_size(
                code,
                int((y == code).sum()),
                self.k_neighbors + 1,
                "k_neighbors",
                self.k_neighbors,
                strategy,
            )
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        generated: dict[Any, int] = {}
        self.in_danger_indices_: dict[Any, torch.Tensor] = {}
        labels = dict(zip(strategy, self.sampling_strategy_, strict=True))
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            members = torch.nonzero(y == code).reshape(-1)
            danger, _ = danger_noise_mask(feats, y, members, int(code), self.m_neighbors)
            if not bool(danger.any()):
                continue
            danger_rows = members[danger]
            self.in_danger_indices_[labels[code]] = danger_rows
            X_danger = feats.index_select(0, danger_rows)
            if self.kind == "borderline-1":
                ref_feats, X_ref = feats.index_select(0, members), flat.index_select(0, members)
                y_ref, ref_rows = y.index_select(0, members), members
            else:
                ref_feats, X_ref, y_ref = feats, flat, y
                ref_rows = torch.arange(X.shape[0], device=X.device)
            _, nn = kneighbors(ref_feats, self.k_neighbors + 1, query=X_danger)
            nn = nn[:, 1:]
            plan = random_pairs(
                nn.shape[0],
                self.k_neighbors,
                n_new,
                generator=generator,
                device=X.device,
                dtype=working_dtype(X.dtype),
            )
            scale = None
            if self.kind == "borderline-2":
                other = y_ref[nn[plan.rows, plan.cols]] != code
                shrink = (
                    torch.rand(n_new, generator=generator, device=X.device, dtype=plan.steps.dtype)
                    * 0.5
                )
                scale = torch.where(other, shrink, torch.ones_like(shrink))
            X_new = interpolate(
                flat.index_select(0, danger_rows), X_ref, nn, plan, diff_scale=scale
            )
            new_X.append(X_new)
            origins.append(Origins.of_plan(danger_rows, ref_rows, nn, plan, scale))
            new_y.append(self._labels(code, n_new, y))
            generated[code] = n_new
        self._record_generated(strategy, generated)
        return self._stack(X, y, new_X, new_y, origins)
