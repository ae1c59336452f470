"""Per-class weights for weighted losses and samplers.

One function, several schemes, all from class counts ``n_c``:

=================== ===================================== ==================================
scheme              weight of class c                     reference
=================== ===================================== ==================================
``"balanced"``      ``N / (C * n_c)``                     scikit-learn ``compute_class_weight``
``"inverse"``       ``1 / n_c``
``"inverse_sqrt"``  ``1 / sqrt(n_c)``                     Mahajan et al. 2018
``"effective_number"`` ``(1 - beta) / (1 - beta ** n_c)`` Cui et al. 2019
=================== ===================================== ==================================
"""

from __future__ import annotations

from typing import Any, Literal

import torch

from .exceptions import DataValidationError, InvalidParameterError
from .labels import check_counts, class_counts
from .utils import Interval, Options, check_param

__all__ = ["SCHEMES", "class_weights"]

SCHEMES = ("balanced", "inverse", "inverse_sqrt", "effective_number")
Scheme = Literal["balanced", "inverse", "inverse_sqrt", "effective_number"]


def class_weights(
    labels_or_counts: Any,
    scheme: Scheme = "balanced",
    *,
    from_counts: bool = False,
    num_classes: int | None = None,
    beta: float = 0.999,
    normalize: Literal["mean", "sum", "max"] | None = None,
    on_missing: Literal["error", "zero"] = "error",
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Weights per class ``0..C-1``, for ``CrossEntropyLoss(weight=...)`` and samplers.

    Args:
        labels_or_counts: 1-D non-negative integer labels (or a dataset, see
            :func:`torchbalance.labels.get_labels`), or counts per class with
            ``from_counts=True``.
        scheme: One of ``"balanced"``, ``"inverse"``, ``"inverse_sqrt"``,
            ``"effective_number"`` (see the module docs).
        from_counts: Read ``labels_or_counts`` as counts ``n_c`` per class.
        num_classes: ``C`` when some classes may be absent from the labels.
        beta: For ``"effective_number"``, in [0, 1); Cui et al. use 0.9 to 0.9999.
        normalize: ``None`` (as computed), ``"mean"`` (mean weight 1, i.e. they sum to the
            number of classes, as Cui et al. normalise), ``"sum"`` (sum to 1) or ``"max"``
            (largest 1). Taken over the classes that have samples.
        on_missing: A class with no samples would get an infinite weight: ``"error"`` refuses
            it, ``"zero"`` gives it weight 0.
        dtype: Floating dtype of the result (default: ``torch.get_default_dtype()``).

    Returns:
        Tensor of shape ``(C,)`` on the input's device.

    Raises:
        InvalidParameterError: Unknown scheme, ``beta`` outside [0, 1), bad ``normalize``.
        DataValidationError: Negative counts, or a class with no samples with
            ``on_missing="error"``.

    References:
        Cui, Jia, Lin, Song, Belongie. "Class-Balanced Loss Based on Effective Number of
        Samples", CVPR 2019.

    Example:
        >>> class_weights(torch.tensor([0, 0, 0, 1]))
        tensor([0.6667, 2.0000])
        >>> class_weights([90, 10], "inverse", from_counts=True, normalize="sum")
        tensor([0.1000, 0.9000])
    """
    check_param("class_weights", "scheme", scheme, [Options(SCHEMES)])
    check_param("class_weights", "beta", beta, [Interval(float, 0.0, 1.0, closed="left")])
    check_param("class_weights", "normalize", normalize, [Options(("mean", "sum", "max")), None])
    check_param("class_weights", "on_missing", on_missing, [Options(("error", "zero"))])
    dtype = dtype or torch.get_default_dtype()
    if not dtype.is_floating_point:
        raise InvalidParameterError(
            f"class_weights: dtype={dtype} is invalid; weights are fractions, so it must be a "
            "floating dtype (an integer one would round them down)."
        )
    if from_counts:
        counts = check_counts(labels_or_counts, "class_weights")
        if num_classes is not None and num_classes != counts.numel():
            raise DataValidationError(
                f"class_weights: num_classes={num_classes} but {counts.numel()} counts given."
            )
    else:
        counts = class_counts(labels_or_counts, num_classes)
    counts = counts.to(torch.float64)
    present = counts > 0
    if not bool(present.any()):
        raise DataValidationError("class_weights: there are no samples to weight.")
    if not bool(present.all()) and on_missing == "error":
        missing = torch.nonzero(~present).reshape(-1).tolist()
        raise DataValidationError(
            f"class_weights: class(es) {missing} have no samples, so their weight would be "
            "infinite; pass on_missing='zero' to give them weight 0."
        )
    safe = torch.where(present, counts, torch.ones_like(counts))
    if scheme == "balanced":
        weights = counts[present].sum() / (int(present.sum()) * safe)
    elif scheme == "inverse":
        weights = 1.0 / safe
    elif scheme == "inverse_sqrt":
        weights = safe.rsqrt()
    elif beta == 0.0:  # effective number of samples is 1 for every class
        weights = torch.ones_like(safe)
    else:
        weights = (1.0 - beta) / (1.0 - torch.pow(torch.tensor(beta, dtype=safe.dtype), safe))
    weights = torch.where(present, weights, torch.zeros_like(weights))
    if normalize == "mean":
        weights = weights / weights[present].mean()
    elif normalize == "sum":
        weights = weights / weights.sum()
    elif normalize == "max":
        weights = weights / weights.max()
    return weights.to(dtype)
