"""Run a metric and its scikit-learn / imbalanced-learn oracle the same way, and compare."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import torch

IGNORED = (DeprecationWarning, FutureWarning, RuntimeWarning)


def run(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, BaseException | None, set[str]]:
    """Call ``fn``; return its result (or None), its exception (or None), its warning texts."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out, err = fn(*args, **kwargs), None
        except (ValueError, TypeError, NotImplementedError, ZeroDivisionError) as error:
            out, err = None, error
    texts = {str(w.message) for w in caught if not issubclass(w.category, IGNORED)}
    return out, err, texts


def to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple):
        return tuple(to_numpy(v) for v in value)
    return value


def assert_close(ours: Any, theirs: Any, atol: float = 1e-6) -> None:
    ours, theirs = to_numpy(ours), to_numpy(theirs)
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_close(a, b, atol)
        return
    if theirs is None:
        assert ours is None
        return
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    assert a.shape == b.shape, (a, b)
    np.testing.assert_allclose(a, b, atol=atol, rtol=0, equal_nan=True)


def compare(
    ours_fn: Any, theirs_fn: Any, ours_args: tuple, theirs_args: tuple, **kwargs: Any
) -> Any:
    """Both raise, or both give the same value with the same warning texts."""
    ours, our_err, our_warn = run(ours_fn, *ours_args, **kwargs)
    theirs, their_err, their_warn = run(theirs_fn, *theirs_args, **kwargs)
    assert (our_err is None) == (their_err is None), (our_err, their_err)
    if their_err is None:
        assert_close(ours, theirs)
        assert our_warn == their_warn, (our_warn, their_warn)
    return ours


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
