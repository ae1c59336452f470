"""Methods that exist only when they can run (scikit-learn's ``available_if``, without it)."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

__all__ = ["available_if"]


class _Conditional:
    def __init__(self, method: Callable[..., Any], unavailable: Callable[[Any], str | None]):
        self.method = method
        self.unavailable = unavailable
        self.__doc__ = method.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self.method
        reason = self.unavailable(obj)
        if reason is not None:
            raise AttributeError(reason)
        return types.MethodType(self.method, obj)


def available_if(
    unavailable: Callable[[Any], str | None],
) -> Callable[[Callable[..., Any]], Any]:
    """Make a method an attribute only while ``unavailable(obj)`` returns ``None`` (else its
    text is the ``AttributeError``), so ``hasattr`` tells scikit-learn's scorers and
    calibrators which of ``predict_proba`` / ``decision_function`` a meta-estimator can run.
    """

    def decorate(method: Callable[..., Any]) -> Any:
        return _Conditional(method, unavailable)

    return decorate
