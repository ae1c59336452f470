"""GaussianNoiseOverSampler: jittered copies of minority rows, noise scaled per feature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..exceptions import InvalidParameterError
from ..over_sampling._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins
from ..utils import Interval, check_generator

__all__ = ["GaussianNoiseOverSampler"]


class GaussianNoiseOverSampler(BaseOverSampler):
    """Over-sample by copying random rows of the targeted classes and adding Gaussian noise.

    A new row of class ``c`` is ``x + noise_scale * s_c * e``: ``x`` a row of class ``c``
    drawn uniformly with replacement, ``e ~ N(0, I)``, and ``s_c`` the per-feature standard
    deviation of class ``c`` (unbiased, ``correction=1``; 0 for a class of one sample, whose
    copies are then exact). N-D samples (images) are flattened for the statistics, so each
    pixel has its own scale, and keep their shape.

    Args:
        sampling_strategy: imbalanced-learn's grammar: a float (binary only), ``"auto"``,
            ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``, a dict
            ``{class: target count}`` or a callable.
        noise_scale: The noise's standard deviation in units of each feature's per-class
            standard deviation, a float ``>= 0`` (0 gives :class:`RandomOverSampler`'s copies).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        scale_: ``{class: (n_features,) tensor}``, the noise standard deviation used per feature.

    Raises:
        InvalidParameterError: A bad parameter, or integer features (noise needs floats).
        DataValidationError: Bad input data (see :class:`~torchbalance.base.BaseResampler`).

    Example:
        >>> import torch
        >>> X = torch.arange(12.0).reshape(6, 2)
        >>> y = torch.tensor([0, 0, 0, 0, 1, 1])
        >>> X_res, y_res = GaussianNoiseOverSampler(generator=0).fit_resample(X, y)
        >>> torch.bincount(y_res).tolist(), tuple(X_res.shape)
        ([4, 4], (8, 2))
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "noise_scale": [Interval(float, 0, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        noise_scale: float = 0.1,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.noise_scale = noise_scale
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        if not X.is_floating_point():
            raise InvalidParameterError(
                f"{owner}: noise_scale={self.noise_scale!r} needs floating-point features to "
                f"add noise to, X has dtype {X.dtype}; convert X to float."
            )
        generator = check_generator(self.generator, X.device, owner=owner)
        flat = X.reshape(X.shape[0], -1)
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        self.scale_: dict[Any, torch.Tensor] = {}
        for (code, n_new), label in zip(strategy.items(), self.sampling_strategy_, strict=True):
            members = torch.nonzero(y == code).reshape(-1)
            rows = flat.index_select(0, members)
            std = rows.std(dim=0, correction=1) if rows.shape[0] > 1 else torch.zeros_like(rows[0])
            scale = float(self.noise_scale) * std
            self.scale_[label] = scale
            picks = torch.randint(
                0, members.numel(), (n_new,), generator=generator, device=X.device
            )
            noise = torch.randn(
                (n_new, flat.shape[1]), generator=generator, device=X.device, dtype=X.dtype
            )
            new_X.append(rows.index_select(0, picks) + noise * scale)
            new_y.append(self._labels(code, n_new, y))
            origins.append(Origins.copies(members[picks]))
        if hasattr(self, "sample_indices_"):
            del self.sample_indices_
        return self._stack(X, y, new_X, new_y, origins)
