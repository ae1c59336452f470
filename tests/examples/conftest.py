"""Fixtures of the example tests: the scripts of ``examples/`` loaded as modules, by file path.

By path rather than by name: ``pythonpath = ["tests"]`` makes ``examples`` name this test folder.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> ModuleType:
    """``examples/<name>.py`` imported as the module ``torchbalance_example_<name>``."""
    module_name = f"torchbalance_example_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def example() -> Callable[[str], ModuleType]:
    """``example("ddp_long_tail")`` is the module of ``examples/ddp_long_tail.py``."""
    return load_example
