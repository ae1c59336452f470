"""The package's error and warning classes, in one place."""

from __future__ import annotations

import functools
import sys
from typing import Any

__all__ = [
    "DataValidationError",
    "InvalidParameterError",
    "NotFittedError",
    "SmallClassWarning",
    "TorchBalanceWarning",
    "UndefinedMetricWarning",
]


class InvalidParameterError(ValueError, TypeError):
    """A parameter has a value or type its owner does not accept.

    Subclasses both ``ValueError`` and ``TypeError`` (as scikit-learn's does), so code written
    against either keeps working.
    """


class DataValidationError(ValueError):
    """Input data (features, labels, a dataset) cannot be used as given."""


class NotFittedError(ValueError, AttributeError):
    """A fitted attribute was asked for before ``fit`` was called.

    Once scikit-learn has been imported (torchbalance never imports it itself), the error raised
    is also a ``sklearn.exceptions.NotFittedError``, so scikit-learn's code and checks that catch
    their own class catch ours.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> NotFittedError:
        if cls is NotFittedError and "sklearn" in sys.modules:
            cls = _sklearn_compatible_not_fitted_error()
        return super().__new__(cls, *args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt through NotFittedError itself, which picks the receiver's variant
        return NotFittedError, self.args


@functools.cache
def _sklearn_compatible_not_fitted_error() -> type[NotFittedError]:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    namespace = {"__module__": __name__, "__qualname__": "NotFittedError"}
    return type("NotFittedError", (NotFittedError, SklearnNotFittedError), namespace)


class TorchBalanceWarning(UserWarning):
    """Base class of the package's warnings."""


class SmallClassWarning(TorchBalanceWarning):
    """A class has too few samples for a method's default settings."""


class UndefinedMetricWarning(TorchBalanceWarning):
    """A metric is undefined for the data given (a zero division); a fallback value is used.

    The torchbalance counterpart of ``sklearn.exceptions.UndefinedMetricWarning``: it is raised
    in the same situations with the same message, and the ``zero_division`` parameter silences
    it the same way.
    """
