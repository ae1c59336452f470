"""The command-line errors that are the user's to fix (reported in one line, status 2)."""

from __future__ import annotations

from ..exceptions import DataValidationError, InvalidParameterError

__all__ = ["USER_ERRORS", "UsageError"]


class UsageError(Exception):
    """Arguments that parse but do not make sense together."""


# Bad data or parameters, a missing optional dependency, files that cannot be opened.
USER_ERRORS: tuple[type[BaseException], ...] = (
    UsageError,
    DataValidationError,
    InvalidParameterError,
    ImportError,
    OSError,
)
