"""The package's error and warning classes, in one place."""

from __future__ import annotations

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
    """A fitted attribute was asked for before ``fit`` was called."""


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
