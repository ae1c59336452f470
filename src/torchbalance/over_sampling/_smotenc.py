"""SMOTE-NC (mixed numeric and categorical features) and SMOTE-N (categorical features only)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ..functional._smote import interpolate, majority_vote, random_pairs, working_dtype
from ..functional._vdm import vdm_kneighbors, vdm_tables
from ..neighbors import kneighbors
from ..utils import Interval, check_generator
from ._base import SAMPLING_STRATEGY_CONSTRAINTS, BaseOverSampler, Origins

__all__ = ["SMOTEN", "SMOTENC"]


def _encode_columns(X: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Per column, sorted distinct values and the ``(n, F)`` int64 codes into them."""
    values, codes = [], []
    for j in range(X.shape[1]):
        uniques, inverse = torch.unique(X[:, j], sorted=True, return_inverse=True)
        values.append(uniques)
        codes.append(inverse)
    return torch.stack(codes, 1), values


def _require_2d(owner: str, X: torch.Tensor) -> None:
    if X.dim() != 2:
        raise DataValidationError(
            f"{owner}: X must be 2-D (n_samples, n_features) for categorical columns, got shape "
            f"{tuple(X.shape)}."
        )


class SMOTENC(BaseOverSampler):
    """SMOTE for data with numeric and categorical columns (imbalanced-learn's semantics).

    Categorical columns hold category values as numbers (codes, integers or any numeric value;
    each distinct value is one category; encode strings first, e.g. with
    ``sklearn.preprocessing.OrdinalEncoder``). Per targeted class, the continuous columns'
    standard deviations are computed and their median ``med`` is the distance a categorical
    mismatch adds: neighbours are the ``k_neighbors`` nearest same-class samples under
    ``||Δ continuous||² + med² * (number of differing categorical columns)`` (imbalanced-learn's
    one-hot encoding scaled by ``med / sqrt(2)``). Continuous columns of a new sample are
    interpolated as in SMOTE; each categorical column takes the most frequent value among the
    ``k_neighbors`` neighbours of the base sample, ties broken uniformly at random.

    Args:
        categorical_features: Indices of the categorical columns (ints, negative counted from
            the end) or a boolean mask of length ``n_features``.
        sampling_strategy: imbalanced-learn's grammar (float, string, dict or callable).
        k_neighbors: Nearest same-class neighbours.
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.
        categorical_features_: ``(n_cat,)`` int64 indices of the categorical columns.
        continuous_features_: ``(n_cont,)`` int64 indices of the other columns.
        median_std_: ``{class: med}``.

    Raises:
        InvalidParameterError: Categorical indices out of range, repeated, a mask of the wrong
            length, every column or no column categorical.
        DataValidationError: X not 2-D, a targeted class with at most ``k_neighbors`` samples,
            and the checks of :class:`~torchbalance.base.BaseResampler`.

    References:
        N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: Synthetic Minority
        Over-sampling Technique", JAIR 16, 2002 (section 6.1).

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.cat([torch.randn(30, 2, generator=g),
        ...                torch.randint(0, 3, (30, 1), generator=g).double()], 1)
        >>> y = torch.tensor([0] * 22 + [1] * 8)
        >>> X_res, y_res = SMOTENC(categorical_features=[2], k_neighbors=3,
        ...                        generator=0).fit_resample(X, y)
        >>> torch.bincount(y_res).tolist(), set(X_res[:, 2].tolist()) <= {0.0, 1.0, 2.0}
        ([22, 22], True)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "categorical_features": [list, tuple, np.ndarray, torch.Tensor],
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS,
        "k_neighbors": [Interval(int, 1, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        categorical_features: Any = (),
        sampling_strategy: Any = "auto",
        k_neighbors: int = 5,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.categorical_features = categorical_features
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.generator = generator

    def _column_indices(self, n_features: int) -> torch.Tensor:
        owner = type(self).__name__
        given = self.categorical_features
        values = np.asarray(
            given.detach().cpu().numpy() if isinstance(given, torch.Tensor) else given
        ).reshape(-1)
        shown = f"{owner}: categorical_features={values.tolist()!r} is invalid; "
        if values.dtype == bool:
            if values.size != n_features:
                raise InvalidParameterError(
                    shown + f"a boolean mask must have one entry per feature ({n_features})."
                )
            indices = np.flatnonzero(values)
        elif values.size == 0 or values.dtype.kind in "iu":
            indices = values.astype(np.int64)
            bad = indices[(indices < -n_features) | (indices >= n_features)]
            if bad.size:
                raise InvalidParameterError(
                    shown + f"indices must be in [-{n_features}, {n_features}) for X with "
                    f"{n_features} features; out of range: {bad.tolist()}."
                )
            indices = np.where(indices < 0, indices + n_features, indices)
            if np.unique(indices).size != indices.size:
                raise InvalidParameterError(shown + "an index is repeated.")
        else:
            raise InvalidParameterError(
                shown + "it must be integer column indices or a boolean mask (column names and "
                "'auto' are not supported: X is converted to a tensor)."
            )
        if indices.size == 0:
            raise InvalidParameterError(
                shown + "SMOTENC needs some categorical features; for numeric data only use SMOTE."
            )
        if indices.size == n_features:
            raise InvalidParameterError(
                shown + "SMOTENC needs some numeric features; for categorical data only use SMOTEN."
            )
        return torch.as_tensor(np.sort(indices), dtype=torch.int64)

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        _require_2d(owner, X)
        generator = check_generator(self.generator, X.device, owner=owner)
        n_features = X.shape[1]
        cat_idx = self._column_indices(n_features)
        is_cat = torch.zeros(n_features, dtype=torch.bool)
        is_cat[cat_idx] = True
        cont_idx = torch.nonzero(~is_cat).reshape(-1)
        self.categorical_features_, self.continuous_features_ = cat_idx, cont_idx
        cat_idx_d, cont_idx_d = cat_idx.to(X.device), cont_idx.to(X.device)
        for code in (c for c, n in strategy.items() if n > 0):
            self._require_class_size(
                code,
                int((y == code).sum()),
                self.k_neighbors + 1,
                "k_neighbors",
                self.k_neighbors,
                strategy,
            )
        codes, values = _encode_columns(X.index_select(1, cat_idx_d))
        n_cats = [v.numel() for v in values]
        offsets = torch.tensor([0, *np.cumsum(n_cats)[:-1].tolist()], device=X.device)
        work = working_dtype(X.dtype)
        labels = dict(zip(strategy, self.sampling_strategy_, strict=True))
        self.median_std_: dict[Any, float] = {}
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            members = torch.nonzero(y == code).reshape(-1)
            cont = X.index_select(0, members).index_select(1, cont_idx_d)
            cont_w = cont.to(work)
            med = float(torch.quantile(cont_w.to(torch.float64).std(0, unbiased=False), 0.5))
            self.median_std_[labels[code]] = med
            class_codes = codes.index_select(0, members)
            # one-hot columns only for the categories this class holds: the others are zero
            # in every row, so they change no distance (and would cost rows x all categories)
            _, held = torch.unique(class_codes + offsets, return_inverse=True)
            one_hot = torch.zeros(
                (members.numel(), int(held.max()) + 1), dtype=work, device=X.device
            )
            one_hot.scatter_(1, held, med / math.sqrt(2.0))
            feats = torch.cat([cont_w, one_hot], 1)
            if feats.dtype not in (torch.float32, torch.float64):
                feats = feats.float()
            _, nn = kneighbors(feats, self.k_neighbors, exclude_self=True)
            plan = random_pairs(
                members.numel(),
                self.k_neighbors,
                n_new,
                generator=generator,
                device=X.device,
                dtype=work,
            )
            out = torch.empty((n_new, n_features), dtype=X.dtype, device=X.device)
            out[:, cont_idx_d] = interpolate(cont, cont, nn, plan)
            origins.append(Origins.of_plan(members, members, nn, plan))
            neighbor_rows = nn[plan.rows]  # (n_new, k)
            for j in range(cat_idx.numel()):
                vote = majority_vote(
                    class_codes[:, j][neighbor_rows], n_cats[j], generator=generator
                )
                out[:, cat_idx[j]] = values[j][vote]
            new_X.append(out)
            new_y.append(self._labels(code, n_new, y))
        return self._stack(X, y, new_X, new_y, origins)


class SMOTEN(BaseOverSampler):
    """SMOTE for categorical features only, with the value difference metric (VDM).

    Every column is categorical (numbers standing for categories; encode strings first, e.g.
    with ``sklearn.preprocessing.OrdinalEncoder``). As in imbalanced-learn: the VDM
    (``k = 1``, ``r = 2``) is fitted on the whole data; for every targeted class the
    ``k_neighbors + 1`` VDM-nearest same-class samples of each sample (itself included) are
    found exactly; each new sample picks a base sample uniformly and takes, per column, the most
    frequent value among those ``k_neighbors + 1`` samples (ties: the smallest value, as
    ``scipy.stats.mode``).

    Args:
        sampling_strategy: imbalanced-learn's grammar (float, string, dict or callable).
        k_neighbors: Nearest same-class neighbours (the sample itself is added).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        sampling_strategy_: ``{class: number of samples generated}``.

    Raises:
        DataValidationError: X not 2-D, a targeted class with at most ``k_neighbors`` samples,
            and the checks of :class:`~torchbalance.base.BaseResampler`.

    References:
        N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: Synthetic Minority
        Over-sampling Technique", JAIR 16, 2002 (section 6.2); C. Stanfill, D. Waltz, "Toward
        memory-based reasoning", CACM 29, 1986.

    Example:
        >>> import torch
        >>> X = torch.tensor([[0, 1]] * 6 + [[1, 0]] * 3 + [[1, 1]] * 1)
        >>> y = torch.tensor([0] * 6 + [1] * 4)
        >>> X_res, y_res = SMOTEN(k_neighbors=2, generator=0).fit_resample(X, y)
        >>> X_res[10:].tolist()
        [[1, 0], [1, 0]]
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
        owner = type(self).__name__
        _require_2d(owner, X)
        generator = check_generator(self.generator, X.device, owner=owner)
        for code in (c for c, n in strategy.items() if n > 0):
            self._require_class_size(
                code,
                int((y == code).sum()),
                self.k_neighbors + 1,
                "k_neighbors",
                self.k_neighbors,
                strategy,
            )
        codes, values = _encode_columns(X)
        n_cats = [v.numel() for v in values]
        tables = vdm_tables(codes, y, n_cats)
        new_X: list[torch.Tensor] = []
        new_y: list[torch.Tensor] = []
        origins: list[Origins] = []
        for code, n_new in strategy.items():
            if n_new == 0:
                continue
            members = torch.nonzero(y == code).reshape(-1)
            class_codes = codes.index_select(0, members)
            nn = vdm_kneighbors(class_codes, tables, self.k_neighbors + 1)
            picks = torch.randint(
                0, members.numel(), (n_new,), generator=generator, device=X.device
            )
            out = torch.empty((n_new, X.shape[1]), dtype=X.dtype, device=X.device)
            origins.append(Origins.copies(members[picks]))
            for j in range(X.shape[1]):
                vote = majority_vote(class_codes[:, j][nn[picks]], n_cats[j])
                out[:, j] = values[j][vote]
            new_X.append(out)
            new_y.append(self._labels(code, n_new, y))
        return self._stack(X, y, new_X, new_y, origins)
