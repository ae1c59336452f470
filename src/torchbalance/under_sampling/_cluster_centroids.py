"""ClusterCentroids: replace each targeted class by the centres of a k-means on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..base import BaseResampler
from ..exceptions import DataValidationError, InvalidParameterError
from ..functional._kmeans import kmeans, minibatch_kmeans
from ..neighbors import kneighbors
from ..utils import Options, check_generator, derive_seed
from ._base import UNDER_STRATEGY_CONSTRAINTS

__all__ = ["ClusterCentroids"]


class ClusterCentroids(BaseResampler):
    """Under-sample each targeted class to ``n`` k-means centroids (prototype generation).

    The class's samples are clustered into as many clusters as samples to keep (torch
    k-means with greedy k-means++ seeding, :func:`torchbalance.functional._kmeans.kmeans`, on
    the data's device); with ``voting="soft"`` the centroids are the new samples, with
    ``"hard"`` the sample nearest to each centroid is kept instead. Non-targeted classes are
    kept as they are. Output: class by class in sorted label order, as imbalanced-learn.

    Args:
        sampling_strategy: imbalanced-learn's grammar (see :class:`RandomUnderSampler`).
        estimator: ``"kmeans"`` (Lloyd, as scikit-learn's ``KMeans``) or ``"minibatch"``
            (faster, slightly higher inertia).
        voting: ``"soft"`` (centroids), ``"hard"`` (nearest real samples) or ``"auto"``
            (``"soft"``; imbalanced-learn uses ``"hard"`` only for sparse input).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: samples kept}``.
        voting_: The voting used.
        inertia_: ``{class: k-means inertia}`` of each targeted class.
        sample_indices_: Only with hard voting: int64 rows of the input, so that
            ``X[sample_indices_]`` is the output.

    Raises:
        DataValidationError: Integer features with soft voting (centroids are not integers;
            convert X to float or use ``voting="hard"``); bad input data.

    Example:
        >>> import torch
        >>> y = torch.tensor([0] * 6 + [1] * 4 + [2] * 2)
        >>> X = torch.randn(12, 2, generator=torch.Generator().manual_seed(0)) + 5.0 * y[:, None]
        >>> X_res, y_res = ClusterCentroids(generator=0).fit_resample(X, y)
        >>> torch.bincount(y_res).tolist()
        [2, 2, 2]
    """

    _sampling_type: ClassVar[str] = "under-sampling"
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": UNDER_STRATEGY_CONSTRAINTS,
        "estimator": [Options(("kmeans", "minibatch"))],
        "voting": [Options(("auto", "soft", "hard"))],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        estimator: str = "kmeans",
        voting: str = "auto",
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.estimator = estimator
        self.voting = voting
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        self.voting_ = "soft" if self.voting == "auto" else self.voting
        if self.voting_ == "soft" and not X.is_floating_point():
            raise DataValidationError(
                f"{owner}: X holds integers, but soft voting makes new (non-integer) "
                "samples; convert X to a floating dtype or use voting='hard'."
            )
        generator = check_generator(self.generator, X.device, owner=owner)
        flat = X.reshape(X.shape[0], -1)
        F = flat if flat.is_floating_point() else flat.to(torch.float64)
        cluster = kmeans if self.estimator == "kmeans" else minibatch_kmeans
        X_parts, y_parts, index_parts = [], [], []
        self.inertia_: dict[Any, float] = {}
        labels = list(self.sampling_strategy_)
        for label in torch.unique(y).tolist():
            members = torch.nonzero(y == label).reshape(-1)
            if label not in strategy:
                X_parts.append(flat.index_select(0, members))
                index_parts.append(members)
                y_parts.append(y.index_select(0, members))
                continue
            n_keep = int(strategy[label])
            if n_keep == 0:
                raise InvalidParameterError(
                    f"{owner}: sampling_strategy asks for 0 samples of class "
                    f"{labels[list(strategy).index(label)]!r}; each targeted class needs at "
                    "least one centroid. Ask for 1 or more, or leave the class out."
                )
            X_class = F.index_select(0, members)
            result = cluster(X_class, n_keep, generator=derive_seed(generator))
            self.inertia_[labels[list(strategy).index(label)]] = result.inertia
            if self.voting_ == "soft":
                X_parts.append(result.centers.to(X.dtype))
                index_parts.append(torch.full((n_keep,), -1, device=X.device))
            else:
                _, nearest = kneighbors(X_class, 1, query=result.centers.to(X_class.dtype))
                chosen = members[nearest[:, 0]]
                X_parts.append(flat.index_select(0, chosen))
                index_parts.append(chosen)
            y_parts.append(torch.full((n_keep,), label, dtype=y.dtype, device=y.device))
        if self.voting_ == "hard":
            self.sample_indices_ = torch.cat(index_parts)
        elif hasattr(self, "sample_indices_"):
            del self.sample_indices_
        X_res = torch.cat(X_parts).reshape(-1, *X.shape[1:])
        return X_res, torch.cat(y_parts)
