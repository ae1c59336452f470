"""The estimator-style configuration contract (DESIGN.md): keyword-only, store-only ``__init__``."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from ..base import ParamsMixin, clone


def check_params_contract(estimator: ParamsMixin, *, positional: Sequence[str] = ()) -> None:
    """Check ``__init__``, ``get_params``, ``set_params``, ``clone`` and ``repr``.

    Every ``__init__`` parameter must be keyword-only, except those named in ``positional``:
    the wrapped model of a meta-estimator (``BalancedBaggingClassifier(estimator, ...)``), as
    scikit-learn writes it.

    Raises:
        AssertionError: Naming the broken part of the contract.

    Example:
        >>> from torchbalance.base import FunctionResampler
        >>> check_params_contract(FunctionResampler(kw_args={"n": 1}))
    """
    cls = type(estimator)
    name = cls.__name__
    signature = inspect.signature(cls.__init__)
    for param in list(signature.parameters.values())[1:]:
        allowed = param.kind in (param.KEYWORD_ONLY, param.VAR_KEYWORD) or (
            param.name in positional and param.kind is param.POSITIONAL_OR_KEYWORD
        )
        assert allowed, f"{name}.__init__: parameter {param.name!r} must be keyword-only."
    declared = [
        p
        for p in list(signature.parameters.values())[1:]
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    params = estimator.get_params(deep=False)
    assert sorted(params) == sorted(p.name for p in declared), (
        f"{name}.get_params() must return exactly the __init__ parameters."
    )

    defaults: dict[str, Any] = {
        p.name: p.default for p in declared if p.default is not inspect.Parameter.empty
    }
    fresh = cls(**defaults)
    for key, value in defaults.items():
        assert getattr(fresh, key) is value, (
            f"{name}.__init__ must store {key!r} unchanged (validate at fit time, not in __init__)."
        )
    assert not [a for a in vars(fresh) if a.endswith("_") and not a.startswith("_")], (
        f"{name}.__init__ must not set fitted attributes (names ending in '_')."
    )

    twin = clone(estimator)
    assert twin is not estimator and type(twin) is cls, f"clone({name}) must build a new {name}."
    assert sorted(twin.get_params(deep=False)) == sorted(params)
    for key, value in params.items():
        assert _equal(twin.get_params(deep=False)[key], value), (
            f"clone({name}) changed parameter {key!r}."
        )

    if params:
        key = next(iter(params))
        assert twin.set_params(**{key: params[key]}) is twin, f"{name}.set_params must return self."
    text = repr(estimator)
    assert text.startswith(f"{name}(") and text.endswith(")"), f"repr({name}) is malformed: {text}"


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, ParamsMixin) and isinstance(b, ParamsMixin):
        return type(a) is type(b) and repr(a) == repr(b)
    try:
        return bool(a == b) or a is b
    except (RuntimeError, ValueError, TypeError):
        return repr(a) == repr(b)
