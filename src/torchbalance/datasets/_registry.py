"""The built-in data sets by name."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any

from ..exceptions import InvalidParameterError
from ._digits import load_digits_lt
from ._result import TrainTestData
from ._synthetic import load_synthetic_lt

__all__ = ["list_datasets", "load_dataset"]

DEFAULT_DATASET = "digits_lt"

_REGISTRY: dict[str, tuple[Callable[..., TrainTestData], str]] = {
    "digits_lt": (
        load_digits_lt,
        "Handwritten digits 0-9 (real, 8x8 pixels), long-tailed training split "
        "(imbalance ratio 50), balanced test split.",
    ),
    "synthetic_lt": (
        load_synthetic_lt,
        "Gaussian clusters, 10 classes x 20 features, long-tailed training split "
        "(imbalance ratio 50), balanced test split.",
    ),
}


def list_datasets() -> dict[str, str]:
    """Names of the built-in data sets, each with a one-line description.

    Returns:
        ``{name: description}`` in alphabetical order; every name works with
        :func:`load_dataset`.

    Example:
        >>> list(list_datasets())
        ['digits_lt', 'synthetic_lt']
    """
    return {name: entry[1] for name, entry in sorted(_REGISTRY.items())}


def load_dataset(name: str, **kwargs: Any) -> TrainTestData:
    """Load a built-in data set by name.

    Args:
        name: One of :func:`list_datasets`.
        **kwargs: Passed to the data set's loader (``load_digits_lt`` for ``"digits_lt"``,
            ``load_synthetic_lt`` for ``"synthetic_lt"``), e.g. ``imbalance_ratio=100``.

    Returns:
        The loader's :class:`TrainTestData`.

    Raises:
        InvalidParameterError: An unknown name (the closest names are suggested) or a
            parameter the loader does not take (the accepted ones are listed).

    Example:
        >>> data = load_dataset("digits_lt", imbalance_ratio=10)
        >>> data.name, len(data.y_test)
        ('digits_lt', 280)
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InvalidParameterError(
            f"load_dataset: name={name!r} is invalid; it must be one of {sorted(_REGISTRY)}{hint}."
        )
    loader = _REGISTRY[name][0]
    accepted = list(inspect.signature(loader).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"load_dataset: {name!r} takes no parameter(s) {unknown}; it takes {accepted}."
        )
    return loader(**kwargs)
