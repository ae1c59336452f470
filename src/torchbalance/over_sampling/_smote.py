"""SMOTE: interpolation between a minority sample and one of its k nearest same-class samples."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..functional._smote import smote
from ..utils import Interval, check_generator
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["SMOTE"]


class SMOTE(BaseOverSampler):
    """Synthetic Minority Over-sampling TEchnique, on tensors of any device.

    For each targeted class with ``m`` samples, the ``k_neighbors`` nearest same-class
    neighbours of every sample are found with the exact kNN engine
    (:func:`torchbalance.neighbors.kneighbors`); each new sample picks a (sample, neighbour)
    pair uniformly among the ``m * k`` pairs and a step ``u ~ U[0, 1)``, and is
    ``x + u * (x_nn - x)``, as in imbalanced-learn. N-D samples (images, sequences) are
    flattened for the neighbour search and interpolated element-wise, so the output keeps
    their shape. Output: the input rows first, then the new rows class by class.

    Args:
        sampling_strategy: imbalanced-learn's grammar: a float (binary only), ``"auto"``,
            ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``, a dict
            ``{class: target count}`` or a callable.
        k_neighbors: Nearest same-class neighbours to interpolate towards.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.

    Raises:
        DataValidationError: A targeted class with at most ``k_neighbors`` samples (the message
            names the class and suggests a lower ``k_neighbors`` or RandomOverSampler), NaN or
            infinite features, one class only, and the other checks of
            :class:`~torchbalance.base.BaseResampler`.
        InvalidParameterError: A parameter out of range.

    References:
        N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: Synthetic Minority
        Over-sampling Technique", JAIR 16, 2002.

    Example:
        >>> import torch
        >>> X = torch.randn(20, 3, generator=torch.Generator().manual_seed(0))
        >>> y = torch.tensor([0] * 14 + [1] * 6)
        >>> X_res, y_res = SMOTE(k_neighbors=3, generator=0).fit_resample(X, y)
        >>> X_res.shape, torch.bincount(y_res).tolist()
        (torch.Size([28, 3]), [14, 14])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "k_neighbors": [Interval(int, 1, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        k_neighbors: int = 5,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        generator = check_generator(self.generator, X.device, owner=type(self).__name__)
        flat = X.reshape(X.shape[0], -1)
        for code in (c for c, n in strategy.items() if n > 0):
            n_class = int((y == code).sum())
            self._require_class_size(
                code, n_class, self.k_neighbors + 1, "k_neighbors", self.k_neighbors, strategy
            )
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            members = torch.nonzero(y == code).reshape(-1)
            X_new, plan, nn = smote(
                flat.index_select(0, members),
                n_new,
                k_neighbors=self.k_neighbors,
                generator=generator,
            )
            new_X.append(X_new)
            origins.append(Origins.of_plan(members, members, nn, plan))
            new_y.append(self._labels(code, n_new, y))
        return self._stack(X, y, new_X, new_y, origins)
