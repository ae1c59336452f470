"""Parameter validation with one error format for the whole package.

Every public class and function declares, per parameter, the constraints a value must meet.
A value that meets none of them is refused with::

    <Owner>: <name>=<value> is invalid; it must be <constraint> or <constraint>.

so every message names the owner, the parameter, what was given and what would be accepted.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from ..exceptions import InvalidParameterError

__all__ = [
    "Constraint",
    "InstanceOf",
    "Interval",
    "IsCallable",
    "Options",
    "check_param",
    "validate_params",
]


class Constraint(ABC):
    """A condition a parameter value may satisfy, with a human description."""

    @abstractmethod
    def is_satisfied_by(self, value: Any) -> bool:
        """Whether ``value`` meets the constraint."""

    @abstractmethod
    def describe(self) -> str:
        """The constraint in words, as it reads after "it must be"."""


@dataclass(frozen=True)
class Interval(Constraint):
    """A real or integer value in a range.

    Args:
        kind: ``int`` accepts integers only (bools refused); ``float`` accepts any finite real
            number (NaN and infinities are refused, also on an unbounded side).
        low: Lower bound, or ``None`` for unbounded.
        high: Upper bound, or ``None`` for unbounded.
        closed: Which ends are included: ``"both"``, ``"left"``, ``"right"`` or ``"neither"``.
    """

    kind: type
    low: float | None
    high: float | None
    closed: Literal["both", "left", "right", "neither"] = "both"

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if self.kind is int:
            if not isinstance(value, numbers.Integral):
                return False
        elif not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
            return False
        low_open = self.closed in ("right", "neither")
        high_open = self.closed in ("left", "neither")
        if self.low is not None and (value < self.low or (low_open and value == self.low)):
            return False
        return not (
            self.high is not None and (value > self.high or (high_open and value == self.high))
        )

    def describe(self) -> str:
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        noun = "an int" if self.kind is int else "a float"
        return f"{noun} in {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options(Constraint):
    """One value out of a fixed set (strings, usually)."""

    values: tuple[Any, ...]

    def is_satisfied_by(self, value: Any) -> bool:
        return any(_same_option(value, v) for v in self.values)

    def describe(self) -> str:
        return "one of {" + ", ".join(repr(v) for v in self.values) + "}"


def _same_option(value: Any, option: Any) -> bool:
    if isinstance(option, int) and not isinstance(option, bool):  # NumPy integers too
        integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return integral and value == option
    if isinstance(option, str):  # NumPy strings too (a grid built from an array)
        return isinstance(value, str) and value == option
    return type(value) is type(option) and value == option


@dataclass(frozen=True)
class InstanceOf(Constraint):
    """An instance of one of some types (``None`` is written ``type(None)``)."""

    types: tuple[type, ...]
    name: str | None = None

    def is_satisfied_by(self, value: Any) -> bool:
        integers = int in self.types or numbers.Integral in self.types
        if bool not in self.types and isinstance(value, bool) and integers:
            return False
        return isinstance(value, self.types)

    def describe(self) -> str:
        if self.name is not None:
            return self.name
        names = ["None" if t is type(None) else f"an instance of {t.__name__}" for t in self.types]
        return " or ".join(names)


class IsCallable(Constraint):
    """Any callable."""

    def is_satisfied_by(self, value: Any) -> bool:
        return callable(value)

    def describe(self) -> str:
        return "a callable"

    def __repr__(self) -> str:
        return "IsCallable()"


def _as_constraint(spec: Any) -> Constraint:
    if isinstance(spec, Constraint):
        return spec
    if spec is None:
        return InstanceOf((type(None),))
    if spec is callable:
        return IsCallable()
    if spec == "generator":
        return InstanceOf(
            (numbers.Integral, torch.Generator, type(None)),
            name="an int seed, a torch.Generator or None",
        )
    if spec is bool:  # NumPy booleans too (a grid built from an array), as scikit-learn
        return InstanceOf((bool, np.bool_), name="a bool")
    if isinstance(spec, type):
        return InstanceOf((spec,))
    raise TypeError(f"unknown constraint specification {spec!r}")


def _short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_param(owner: str, name: str, value: Any, constraints: Iterable[Any]) -> None:
    """Refuse ``value`` unless it satisfies at least one of ``constraints``.

    Args:
        owner: The class or function that owns the parameter, as the user knows it.
        name: The parameter's name.
        value: The value given.
        constraints: :class:`Constraint` objects, types, ``None``, ``callable`` or
            ``"generator"``.

    Raises:
        InvalidParameterError: If no constraint is satisfied.

    Example:
        >>> check_param("SMOTE", "k_neighbors", 5, [Interval(int, 1, None)])
        >>> try:
        ...     check_param("SMOTE", "k_neighbors", 0, [Interval(int, 1, None)])
        ... except InvalidParameterError as error:
        ...     print(error)
        SMOTE: k_neighbors=0 is invalid; it must be an int in [1, inf).
    """
    resolved = [_as_constraint(c) for c in constraints]
    if any(c.is_satisfied_by(value) for c in resolved):
        return
    expected = " or ".join(c.describe() for c in resolved)
    raise InvalidParameterError(
        f"{owner}: {name}={_short_repr(value)} is invalid; it must be {expected}."
    )


def validate_params(
    owner: str, params: Mapping[str, Any], constraints: Mapping[str, Sequence[Any]]
) -> None:
    """Check every parameter that has declared constraints (see :func:`check_param`).

    Raises:
        InvalidParameterError: For the first parameter whose value satisfies no constraint.
    """
    for name, specs in constraints.items():
        if name in params:
            check_param(owner, name, params[name], specs)
