"""Warnings that point at the user's line, however deep inside the package they arise."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

__all__ = ["warn_user"]

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent) + os.sep


def _inside_package(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(_PACKAGE_DIR)


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first caller outside torchbalance.

    A fixed ``stacklevel`` is wrong as soon as the call depth varies (a resampler used alone,
    inside a pipeline or by another resampler); this walks the stack instead.
    """
    frame = sys._getframe(0)
    level = 1
    while frame.f_back is not None and _inside_package(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
