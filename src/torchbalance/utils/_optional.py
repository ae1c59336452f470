"""Imports of optional dependencies with an error that says which extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["optional_import"]


def optional_import(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or explain how to get it.

    Raises:
        ImportError: Naming the package extra that provides the module.

    Example:
        >>> optional_import("math", extra="cli", purpose="arithmetic").sqrt(4.0)
        2.0
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        top = module.split(".")[0]
        raise ImportError(
            f"{purpose} needs the optional dependency '{top}'. "
            f"Install it with: pip install 'torchbalance[{extra}]'"
        ) from error
