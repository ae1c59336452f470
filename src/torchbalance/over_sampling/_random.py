"""RandomOverSampler: bootstrap, or ROSE's smoothed bootstrap with ``shrinkage``."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..exceptions import InvalidParameterError
from ..functional._smote import smoothed_bootstrap
from ..utils import Interval, check_generator
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["RandomOverSampler"]


class RandomOverSampler(BaseOverSampler):
    """Over-sample by drawing samples of the targeted classes with replacement.

    With ``shrinkage`` the drawn samples are perturbed by Gaussian noise (the smoothed
    bootstrap of ROSE, as imbalanced-learn implements it): per class and feature the noise has
    standard deviation ``shrinkage * (4 / ((d + 2) n)) ** (1 / (d + 4)) * std_class``, with
    ``n`` samples and ``d`` features (N-D samples count ``d`` as the number of elements).

    Args:
        sampling_strategy: imbalanced-learn's grammar: a float (binary only), ``"auto"``,
            ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``, a dict
            ``{class: target count}`` or a callable.
        shrinkage: ``None`` (plain bootstrap), a float ``>= 0`` for every targeted class, or a
            dict ``{class: float}`` covering every targeted class.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        sample_indices_: ``(n_out,)`` int64 rows of the input each output row is, so that
            ``X[sample_indices_]`` equals the output. Only with ``shrinkage=None``: smoothed
            rows are new points (imbalanced-learn still sets it; here it is deleted).
        shrinkage_: The resolved ``{class: shrinkage}`` dict, or ``None``.

    Raises:
        InvalidParameterError: A negative shrinkage or a dict missing a targeted class; a
            shrinkage with integer features (convert X to float).
        DataValidationError: Bad input data (see :class:`~torchbalance.base.BaseResampler`).

    References:
        G. Menardi, N. Torelli, "Training and assessing classification rules with imbalanced
        data", Data Mining and Knowledge Discovery 28, 2014.

    Example:
        >>> import torch
        >>> X = torch.arange(12.0).reshape(6, 2)
        >>> y = torch.tensor([0, 0, 0, 0, 1, 1])
        >>> X_res, y_res = RandomOverSampler(generator=0).fit_resample(X, y)
        >>> torch.bincount(y_res).tolist()
        [4, 4]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "shrinkage": [Interval(float, 0, None), dict, None],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        shrinkage: float | dict[Any, float] | None = None,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.shrinkage = shrinkage
        self.generator = generator

    def _resolve_shrinkage(self, strategy: Mapping[Any, int]) -> dict[Any, float] | None:
        owner = type(self).__name__
        originals = list(self.sampling_strategy_)
        if self.shrinkage is None:
            self.shrinkage_ = None
            return None
        given = self.shrinkage
        if isinstance(given, numbers.Real):
            self.shrinkage_ = {label: float(given) for label in originals}
        else:
            assert isinstance(given, dict)
            missing = [label for label in originals if label not in given]
            if missing:
                raise InvalidParameterError(
                    f"{owner}: shrinkage={self.shrinkage!r} is invalid; it must hold a "
                    f"shrinkage factor for every class that is over-sampled, missing {missing}."
                )
            bad = {k: v for k, v in given.items() if not (float(v) >= 0)}
            if bad:
                raise InvalidParameterError(
                    f"{owner}: shrinkage={self.shrinkage!r} is invalid; every factor must be "
                    f">= 0, got {bad}."
                )
            self.shrinkage_ = {label: float(given[label]) for label in originals}
        return {
            code: self.shrinkage_[label] for code, label in zip(strategy, originals, strict=True)
        }

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        generator = check_generator(self.generator, X.device, owner=type(self).__name__)
        shrink = self._resolve_shrinkage(strategy)
        if shrink is not None and not X.is_floating_point():
            raise InvalidParameterError(
                f"{type(self).__name__}: shrinkage={self.shrinkage!r} needs floating-point "
                "features to add noise to, but X holds integers (the noisy rows would be "
                "rounded); convert X to float or use shrinkage=None."
            )
        indices = [torch.arange(X.shape[0], device=X.device)]
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        flat = X.reshape(X.shape[0], -1)
        for code, n_new in strategy.items():
            members = torch.nonzero(y == code).reshape(-1)
            picks = torch.randint(
                0, members.numel(), (n_new,), generator=generator, device=X.device
            )
            indices.append(members[picks])
            origins.append(Origins.copies(members[picks]))
            if shrink is not None:
                new_X.append(
                    smoothed_bootstrap(
                        flat.index_select(0, members),
                        picks,
                        shrink[code],
                        X.shape[0],
                        generator=generator,
                    )
                )
            else:
                new_X.append(flat.index_select(0, members[picks]))
            new_y.append(self._labels(code, n_new, y))
        if shrink is None:
            self.sample_indices_ = torch.cat(indices)
        elif hasattr(self, "sample_indices_"):
            del self.sample_indices_
        return self._stack(X, y, new_X, new_y, origins)
