"""torchbalance: the class-imbalance toolkit for PyTorch.

Subpackages are imported lazily so that ``import torchbalance`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBMODULES = (
    "anomaly",
    "augment",
    "base",
    "cli",
    "combine",
    "datasets",
    "ensemble",
    "exceptions",
    "experiment",
    "functional",
    "labels",
    "losses",
    "metrics",
    "model_selection",
    "models",
    "neighbors",
    "over_sampling",
    "pipeline",
    "samplers",
    "testing",
    "under_sampling",
    "utils",
    "weights",
)

__all__ = ["__version__", *_SUBMODULES]

if TYPE_CHECKING:
    from . import (
        anomaly,
        augment,
        base,
        cli,
        combine,
        datasets,
        ensemble,
        exceptions,
        experiment,
        functional,
        labels,
        losses,
        metrics,
        model_selection,
        models,
        neighbors,
        over_sampling,
        pipeline,
        samplers,
        testing,
        under_sampling,
        utils,
        weights,
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'torchbalance' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
