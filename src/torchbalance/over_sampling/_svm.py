"""SVM-SMOTE: SMOTE seeded by the support vectors of the minority class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ..functional._smote import (
    danger_noise_mask,
    interpolate,
    neighbor_features,
    random_pairs,
    working_dtype,
)
from ..functional._svm import linear_svm
from ..neighbors import kneighbors
from ..utils import Interval, check_generator
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["SVMSMOTE"]


def _beta_10_10(generator: torch.Generator, device: torch.device) -> float:
    # Beta(a, b) with integer a, b is the a-th smallest of a + b - 1 uniforms.
    uniforms = torch.rand(19, generator=generator, device=device, dtype=torch.float64)
    return float(torch.sort(uniforms).values[9])


class SVMSMOTE(BaseOverSampler):
    """SVM-SMOTE: new samples around the support vectors of each targeted class.

    The SVM. By default a *linear* SVM is fitted in torch, one class against the rest, on
    z-scored features (L2-regularised squared hinge, ``C = 1``, L-BFGS in float64 on the data's
    device; see :func:`torchbalance.functional._svm.linear_svm`); the class's support vectors
    are its samples with margin ``t f(x) < 1``. This keeps the whole method on the tensors'
    device. imbalanced-learn's default is scikit-learn's RBF ``SVC(gamma="scale")``; pass
    ``svm_estimator=sklearn.svm.SVC(gamma="scale")`` (any estimator with ``fit`` and a
    ``support_`` attribute) to use it instead: it is fitted on a CPU NumPy copy of all classes,
    exactly as imbalanced-learn does.

    Then, as in imbalanced-learn: support vectors whose ``m_neighbors`` nearest neighbours all
    belong to other classes are noise and dropped; a fraction ``f ~ Beta(10, 10)`` of the
    ``n`` new samples (``int(f (n + 1))``) is interpolated from the support vectors in danger
    towards their ``k_neighbors`` nearest same-class samples, the rest *extrapolated* away from
    them (step ``-out_step * U[0, 1)``) from the safe support vectors. Unlike imbalanced-learn,
    when one of the two groups is empty the other generates all ``n`` samples (imbalanced-learn
    then generates only its own share), so the counts always match ``sampling_strategy``.

    Args:
        sampling_strategy: imbalanced-learn's grammar (float, string, dict or callable).
        k_neighbors: Same-class neighbours to interpolate towards.
        m_neighbors: Neighbours that decide noise and danger.
        svm_estimator: ``None`` (the torch linear SVM) or a scikit-learn style SVM.
        out_step: Step size of the extrapolation from safe support vectors.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        support_indices_: ``{class: (n_sv,) int64 rows of X}`` the support vectors used (noise
            removed).

    Raises:
        DataValidationError: A targeted class with at most ``k_neighbors`` samples; all support
            vectors of a class are noise; and the checks of
            :class:`~torchbalance.base.BaseResampler`.
        InvalidParameterError: ``svm_estimator`` without ``fit`` or ``support_``.

    References:
        H. M. Nguyen, E. W. Cooper, K. Kamei, "Borderline over-sampling for imbalanced data
        classification", International Journal of Knowledge Engineering and Soft Data
        Paradigms 3(1), 2011.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.cat([torch.randn(40, 2, generator=g), torch.randn(12, 2, generator=g) + 1.5])
        >>> y = torch.tensor([0] * 40 + [1] * 12)
        >>> X_res, y_res = SVMSMOTE(k_neighbors=3, generator=0).fit_resample(X, y)
        >>> torch.bincount(y_res).tolist()
        [40, 40]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "k_neighbors": [Interval(int, 1, None)],
        "m_neighbors": [Interval(int, 1, None)],
        "svm_estimator": [object, None],
        "out_step": [Interval(float, 0, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        sampling_strategy: Any = "auto",
        k_neighbors: int = 5,
        m_neighbors: int = 10,
        svm_estimator: Any = None,
        out_step: float = 0.5,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step
        self.generator = generator

    def _external_support(self, feats: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        from ..base import clone_value

        estimator = self.svm_estimator
        if not hasattr(estimator, "fit"):
            raise InvalidParameterError(
                f"{type(self).__name__}: svm_estimator={estimator!r} is invalid; it must be "
                "None or an SVM with fit() and a support_ attribute (e.g. sklearn.svm.SVC())."
            )
        estimator = clone_value(estimator)
        estimator.fit(feats.detach().cpu().numpy(), y.detach().cpu().numpy())
        if not hasattr(estimator, "support_"):
            raise InvalidParameterError(
                f"{type(self).__name__}: svm_estimator={self.svm_estimator!r} is invalid; "
                "after fit it must expose support_ (the support vectors' rows), as "
                "sklearn.svm.SVC does."
            )
        return torch.as_tensor(np.asarray(estimator.support_), dtype=torch.int64).to(y.device)

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
        labels = dict(zip(strategy, self.sampling_strategy_, strict=True))
        external = None if self.svm_estimator is None else self._external_support(feats, y)
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        self.support_indices_: dict[Any, torch.Tensor] = {}
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            members = torch.nonzero(y == code).reshape(-1)
            support = linear_svm(feats, y == code).support if external is None else external
            support = support[y[support] == code]
            danger, noise = danger_noise_mask(feats, y, support, int(code), self.m_neighbors)
            support, danger = support[~noise], danger[~noise]
            if support.numel() == 0:
                raise DataValidationError(
                    f"{owner}: all support vectors of class {labels[code]!r} are noise (all "
                    f"their m_neighbors={self.m_neighbors} nearest neighbours are of other "
                    "classes); SVM-SMOTE does not suit this data. Use SMOTE or "
                    "BorderlineSMOTE."
                )
            self.support_indices_[labels[code]] = support
            X_class_feats = feats.index_select(0, members)
            X_class = flat.index_select(0, members)
            fraction = _beta_10_10(generator, X.device)
            n_danger = int(fraction * (n_new + 1))
            groups = [(support[danger], 1.0), (support[~danger], -self.out_step)]
            if int(danger.sum()) == 0:
                n_danger = 0
            elif int((~danger).sum()) == 0:
                n_danger = n_new
            for (rows, step), n_group in zip(groups, (n_danger, n_new - n_danger), strict=True):
                if rows.numel() == 0 or n_group == 0:
                    continue
                _, nn = kneighbors(
                    X_class_feats, self.k_neighbors + 1, query=feats.index_select(0, rows)
                )
                nn = nn[:, 1:]
                plan = random_pairs(
                    nn.shape[0],
                    self.k_neighbors,
                    n_group,
                    generator=generator,
                    device=X.device,
                    dtype=working_dtype(X.dtype),
                    step_size=step,
                )
                new_X.append(interpolate(flat.index_select(0, rows), X_class, nn, plan))
                origins.append(Origins.of_plan(rows, members, nn, plan))
                new_y.append(self._labels(code, n_group, y))
        return self._stack(X, y, new_X, new_y, origins)
