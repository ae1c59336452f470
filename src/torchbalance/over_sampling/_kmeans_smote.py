"""KMeansSMOTE: cluster, keep the clusters where a class is frequent, SMOTE inside them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..exceptions import DataValidationError
from ..functional._kmeans import kmeans
from ..functional._smote import cluster_sparsity, neighbor_features, smote
from ..utils import Interval, Options, check_generator, derive_seed
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["KMeansSMOTE"]


class KMeansSMOTE(BaseOverSampler):
    """k-means SMOTE (Douzas, Bacao and Last), with imbalanced-learn's rules.

    The data (all classes) is clustered once with the package's k-means
    (:func:`torchbalance.functional._kmeans.kmeans`, k-means++ seeding, Lloyd iterations; the
    device of the data). For each targeted class, a cluster is kept when the class makes up
    at least ``cluster_balance_threshold`` of it (``"auto"``: ``n_c / sum_c' n_c' / 2`` with
    ``n_c`` the samples to generate for class ``c``, imbalanced-learn's rule; ignored with a
    single cluster) and holds at least ``k_neighbors + 1`` of its samples. Each kept cluster
    receives ``ceil(n_c * w)`` new samples, ``w`` proportional to its sparsity
    ``mean_distance ** density_exponent / m`` (``"auto"``: ``0.16 * log_1.6(m) ** 1.8``),
    made by SMOTE among the class's samples in that cluster. The rounding up may make slightly
    more samples than asked (as in imbalanced-learn); ``sampling_strategy_`` records what was
    generated.

    Differences from imbalanced-learn: ``kmeans_estimator`` is the number of clusters (an int,
    default 8) rather than a scikit-learn estimator, and the clustering is full-batch Lloyd
    rather than ``MiniBatchKMeans``.

    Args:
        sampling_strategy: imbalanced-learn's grammar (float, string, dict or callable).
        k_neighbors: SMOTE's neighbours inside a cluster.
        kmeans_estimator: Number of clusters (``None``: 8).
        cluster_balance_threshold: ``"auto"`` or a float in ``[0, 1]``.
        density_exponent: ``"auto"`` or a float.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        cluster_labels_: ``(n,)`` int64 cluster of every input sample.
        cluster_centers_: ``(n_clusters, n_features_flat)`` centres.

    Raises:
        DataValidationError: No cluster qualifies for a targeted class (the message suggests a
            lower ``cluster_balance_threshold`` or more clusters), more clusters than samples,
            and the checks of :class:`~torchbalance.base.BaseResampler`.

    References:
        G. Douzas, F. Bacao, F. Last, "Improving imbalanced learning through a heuristic
        oversampling method based on k-means and SMOTE", Information Sciences 465, 2018.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.cat([torch.randn(60, 2, generator=g), torch.randn(20, 2, generator=g) + 3])
        >>> y = torch.tensor([0] * 60 + [1] * 20)
        >>> sampler = KMeansSMOTE(kmeans_estimator=2, generator=0)
        >>> X_res, y_res = sampler.fit_resample(X, y)
        >>> int((y_res == 1).sum()) >= 60
        True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "k_neighbors": [Interval(int, 1, None)],
        "kmeans_estimator": [Interval(int, 1, None), None],
        "cluster_balance_threshold": [Options(("auto",)), Interval(float, 0, 1)],
        "density_exponent": [Options(("auto",)), Interval(float, None, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        k_neighbors: int = 2,
        kmeans_estimator: int | None = None,
        cluster_balance_threshold: float | str = "auto",
        density_exponent: float | str = "auto",
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        generator = check_generator(self.generator, X.device, owner=owner)
        n_clusters = 8 if self.kmeans_estimator is None else self.kmeans_estimator
        if n_clusters > X.shape[0]:
            raise DataValidationError(
                f"{owner}: kmeans_estimator={n_clusters} clusters need at least {n_clusters} "
                f"samples, X has {X.shape[0]}. Use fewer clusters."
            )
        flat = X.reshape(X.shape[0], -1)
        feats = neighbor_features(X)
        if feats.dtype not in (torch.float32, torch.float64):
            feats = feats.float()
        result = kmeans(feats, n_clusters, generator=derive_seed(generator))
        clusters = result.labels
        self.cluster_labels_, self.cluster_centers_ = clusters, result.centers
        labels = dict(zip(strategy, self.sampling_strategy_, strict=True))
        total = sum(strategy.values())
        exponent = None if self.density_exponent == "auto" else float(self.density_exponent)
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        generated: dict[Any, int] = {}
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            if n_clusters == 1:
                threshold = -math.inf
            elif self.cluster_balance_threshold == "auto":
                threshold = n_new / total / 2
            else:
                threshold = float(self.cluster_balance_threshold)
            in_class = y == code
            sizes = torch.bincount(clusters, minlength=n_clusters).tolist()
            class_sizes = torch.bincount(clusters[in_class], minlength=n_clusters).tolist()
            kept: list[torch.Tensor] = []
            sparsities: list[float] = []
            for cluster in range(n_clusters):
                if sizes[cluster] == 0:
                    continue
                if class_sizes[cluster] / sizes[cluster] < threshold:
                    continue
                if class_sizes[cluster] < self.k_neighbors + 1:
                    continue
                rows = torch.nonzero(in_class & (clusters == cluster)).reshape(-1)
                kept.append(rows)
                sparsities.append(cluster_sparsity(feats.index_select(0, rows), exponent))
            if not kept:
                share = f", making up at least {threshold:.3g} of it" if threshold > 0 else ""
                raise DataValidationError(
                    f"{owner}: no cluster holds enough samples of class {labels[code]!r} "
                    f"(at least k_neighbors + 1 = {self.k_neighbors + 1}{share}). Lower "
                    "cluster_balance_threshold, change kmeans_estimator (the number of "
                    "clusters) or lower k_neighbors."
                )
            weight_total = sum(sparsities)
            if weight_total == 0.0:  # every kept cluster is copies of one point: share evenly
                sparsities = [1.0] * len(kept)
                weight_total = float(len(kept))
            count = 0
            for rows, sparsity in zip(kept, sparsities, strict=True):
                n_cluster = math.ceil(n_new * sparsity / weight_total)
                if n_cluster == 0:
                    continue
                X_cluster_new, plan, nn = smote(
                    flat.index_select(0, rows),
                    n_cluster,
                    k_neighbors=self.k_neighbors,
                    generator=generator,
                )
                new_X.append(X_cluster_new)
                origins.append(Origins.of_plan(rows, rows, nn, plan))
                new_y.append(self._labels(code, n_cluster, y))
                count += n_cluster
            generated[code] = count
        self._record_generated(strategy, generated)
        return self._stack(X, y, new_X, new_y, origins)
