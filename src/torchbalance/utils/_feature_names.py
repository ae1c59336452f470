"""Column names of a DataFrame seen at fit, checked at prediction, as scikit-learn does."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from ..exceptions import DataValidationError, TorchBalanceWarning
from ._warnings import warn_user

__all__ = ["check_feature_names", "remember_feature_names"]


def _names(X: Any) -> np.ndarray | None:
    """A DataFrame's column names when all are strings (scikit-learn's rule), else ``None``."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "iloc"):
        return None
    names = np.asarray(list(columns), dtype=object)
    return names if all(isinstance(name, str) for name in names) else None


def remember_feature_names(estimator: Any, X: Any) -> None:
    """Set ``feature_names_in_`` from a DataFrame's string column names (removed otherwise)."""
    names = _names(X)
    if names is None:
        estimator.__dict__.pop("feature_names_in_", None)
    else:
        estimator.feature_names_in_ = names


def check_feature_names(estimator: Any, X: Any, *, owner: str) -> None:
    """Refuse columns that differ from those seen at fit (other names, or the same names in
    another order: the model would read each column as another feature); warn when only one
    of fit and prediction had names."""
    seen = getattr(estimator, "feature_names_in_", None)
    names = _names(X)
    if seen is None and names is None:
        return
    if seen is None:
        warn_user(
            f"{owner}: X has feature names, but it was fitted without them.", TorchBalanceWarning
        )
        return
    if names is None:
        warn_user(
            f"{owner}: X has no feature names, but it was fitted with them "
            f"({list(seen)[:5]}); its columns are read in the fit order.",
            TorchBalanceWarning,
        )
        return
    if len(seen) == len(names) and bool((seen == names).all()):
        return
    if Counter(seen.tolist()) == Counter(names.tolist()):
        raise DataValidationError(
            f"{owner}: the columns of X are those seen at fit in another order; the model would "
            "read them as other features. Pass X[model.feature_names_in_]."
        )
    seen_set, names_set = set(seen.tolist()), set(names.tolist())
    unseen = [n for n in names if n not in seen_set]
    missing = [n for n in seen if n not in names_set]
    raise DataValidationError(
        f"{owner}: the columns of X differ from those seen at fit (unseen at fit {unseen[:5]}, "
        f"missing {missing[:5]}); give X the columns of model.feature_names_in_."
    )
