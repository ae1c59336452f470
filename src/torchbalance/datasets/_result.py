"""The result of the built-in data set loaders: a train split, a test split and a description."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TrainTestData"]


@dataclass(frozen=True, eq=False)
class TrainTestData:
    """A built-in data set: a (long-tailed) training split and a held-out test split.

    Unpacks like a tuple of its four arrays: ``X_train, y_train, X_test, y_test = data``.

    Attributes:
        X_train: Training features ``(n_train, n_features)``, float32 tensor (a DataFrame with
            ``as_frame=True``).
        y_train: Training labels ``(n_train,)``, int64 tensor (a Series with ``as_frame=True``).
        X_test: Test features ``(n_test, n_features)``, same type as ``X_train``.
        y_test: Test labels ``(n_test,)``, same type as ``y_train``.
        name: The registry name (see ``list_datasets``).
        description: What the data is, how it was split, and with which parameters.
        feature_names: One name per feature column.
        params: The loader's arguments, so a run can be reproduced exactly.
    """

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    name: str
    description: str
    feature_names: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))

    def __repr__(self) -> str:
        return (
            f"TrainTestData(name={self.name!r}, n_train={len(self.y_train)}, "
            f"n_test={len(self.y_test)}, n_features={len(self.feature_names)})"
        )
