"""The handwritten digits shipped with the package, whole or as a long-tailed benchmark."""

from __future__ import annotations

import functools
import gzip
from importlib import resources
from typing import Any

import numpy as np
import torch

from .._types import GeneratorLike
from ..utils import Interval, check_generator, check_param, optional_import
from ._imbalance import long_tail_split
from ._long_tail import _check_profile_params
from ._result import TrainTestData

__all__ = ["load_digits", "load_digits_lt"]

_N_CLASSES = 10
FEATURE_NAMES = [f"pixel_{row}_{col}" for row in range(8) for col in range(8)]


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Raw pixel counts ``(1797, 64)`` float64 in 0..16 and labels ``(1797,)`` int64 (read-only)."""
    resource = resources.files(__package__).joinpath("data").joinpath("digits.csv.gz")
    with resource.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.float64)
    pixels = np.ascontiguousarray(table[:, :-1])
    labels = table[:, -1].astype(np.int64)
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


def _digits_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    pixels, labels = _digits_arrays()
    X = torch.from_numpy(pixels.astype(np.float32) / np.float32(16.0))
    return X, torch.from_numpy(labels.copy())


def _as_frame(X: torch.Tensor, y: torch.Tensor, index: torch.Tensor, owner: str) -> tuple[Any, Any]:
    pd = optional_import("pandas", extra="cli", purpose=f"{owner}(as_frame=True)")
    rows = pd.Index(index.tolist(), name="row")
    frame = pd.DataFrame(X.numpy(), columns=FEATURE_NAMES, index=rows)
    return frame, pd.Series(y.numpy(), index=rows, name="target")


def load_digits(*, as_frame: bool = False) -> tuple[Any, Any]:
    """The whole handwritten digits data set (1797 samples, 10 classes, nearly balanced).

    The UCI optical digits as shipped by scikit-learn (``sklearn.datasets.load_digits``), in
    the same row order, read from the copy inside this package. Unlike scikit-learn's, the
    pixels are scaled to ``[0, 1]`` (divided by 16).

    Args:
        as_frame: Return a pandas DataFrame (columns ``pixel_0_0`` .. ``pixel_7_7``) and
            Series (``target``) instead of tensors; needs pandas (the ``cli`` extra).

    Returns:
        ``(X, y)``: float32 tensor ``(1797, 64)`` with values in ``[0, 1]`` and int64 tensor
        ``(1797,)`` of digits ``0..9``.

    References:
        Alpaydin and Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
        Repository, 1998.

    Example:
        >>> X, y = load_digits()
        >>> tuple(X.shape), X.dtype, float(X.max()), torch.bincount(y).tolist()
        ((1797, 64), torch.float32, 1.0, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    """
    check_param("load_digits", "as_frame", as_frame, [bool])
    X, y = _digits_tensors()
    if as_frame:
        return _as_frame(X, y, torch.arange(y.shape[0]), "load_digits")
    return X, y


def _describe_generator(generator: GeneratorLike) -> str:
    if isinstance(generator, int):
        return f"seed {generator}"
    return "a caller-supplied torch.Generator" if generator is not None else "unseeded"


def load_digits_lt(
    *,
    imbalance_ratio: float = 50.0,
    profile: str = "exponential",
    test_per_class: int = 28,
    generator: GeneratorLike = 0,
    as_frame: bool = False,
) -> TrainTestData:
    """Long-tailed handwritten digits with a balanced held-out test split.

    A small real benchmark in the CIFAR-LT style, built from :func:`load_digits`:

    1. The test split: ``test_per_class`` random samples of every digit (balanced), drawn
       first.
    2. The training split: from the samples left, the long tail of
       :func:`~torchbalance.datasets.long_tail_counts` with digit 0 as the head and digit 9
       as the tail. The head count is the largest every digit can supply (150 with the
       default ``test_per_class=28``), so the defaults give
       ``[150, 97, 62, 40, 26, 17, 11, 7, 4, 3]`` (417 samples),
       a realised imbalance ratio of exactly 50.

    The splits are disjoint and each keeps the original row order. Deterministic by default
    (``generator=0``), so reports are reproducible.

    Args:
        imbalance_ratio: Head count over tail count, a float >= 1.
        profile: ``"exponential"`` or ``"step"``.
        test_per_class: Test samples per digit, an int >= 1.
        generator: Int seed (default 0), ``torch.Generator`` or ``None``.
        as_frame: Return DataFrames/Series (indexed by the row in :func:`load_digits`)
            instead of tensors; needs pandas.

    Returns:
        :class:`TrainTestData` with float32 features in ``[0, 1]`` of shape ``(n, 64)``,
        int64 labels ``0..9``, the description and the parameters.

    Raises:
        InvalidParameterError: A parameter out of range, or a combination that leaves a digit
            without training samples (the message says what to lower).

    References:
        Cui et al., "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019, and
        Cao et al., "Learning Imbalanced Datasets with Label-Distribution-Aware Margin Loss",
        NeurIPS 2019 (the long-tail protocol).

    Example:
        >>> data = load_digits_lt()
        >>> torch.bincount(data.y_train).tolist()
        [150, 97, 62, 40, 26, 17, 11, 7, 4, 3]
        >>> torch.bincount(data.y_test).tolist()
        [28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
    """
    owner = "load_digits_lt"
    _check_profile_params(owner, _N_CLASSES, imbalance_ratio, profile, ratio_name="imbalance_ratio")
    check_param(owner, "test_per_class", test_per_class, [Interval(int, 1, None)])
    check_param(owner, "generator", generator, ["generator"])
    check_param(owner, "as_frame", as_frame, [bool])
    X, y = _digits_tensors()
    rng = check_generator(generator, owner=owner)
    train, test, counts = long_tail_split(
        y,
        imbalance_ratio=float(imbalance_ratio),
        profile=profile,
        test_per_class=int(test_per_class),
        generator=rng,
        owner=owner,
    )
    description = (
        "Long-tailed handwritten digits: the UCI optical recognition of handwritten digits data "
        "as shipped by scikit-learn (1797 8x8 images, 64 pixel features scaled to [0, 1], "
        f"digits 0-9). Test split: {test_per_class} random samples per digit "
        f"({test_per_class * _N_CLASSES} samples, balanced), drawn first. Training split: the "
        f"{profile} long tail with imbalance ratio {imbalance_ratio:g} over the rest, digit 0 "
        f"first (counts {counts}, {sum(counts)} samples, realised ratio "
        f"{counts[0] / counts[-1]:.3g}). Randomness: "
        f"{_describe_generator(generator)}."
    )
    params = {
        "imbalance_ratio": imbalance_ratio,
        "profile": profile,
        "test_per_class": test_per_class,
        "generator": generator if isinstance(generator, int) else None,
    }
    if as_frame:
        X_train, y_train = _as_frame(X[train], y[train], train, owner)
        X_test, y_test = _as_frame(X[test], y[test], test, owner)
    else:
        X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    return TrainTestData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        name="digits_lt",
        description=description,
        feature_names=list(FEATURE_NAMES),
        params=params,
    )
