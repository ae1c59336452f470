"""The confusion matrix, by one ``bincount`` over ``y_true * K + y_pred`` (O(n), any device)."""

from __future__ import annotations

import warnings
from typing import Any

import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ._common import Encoded, dense_confusion, encode, out_array

__all__ = ["confusion_matrix"]


def full_confusion(enc: Encoded) -> torch.Tensor:
    """``(K, K)`` int64 counts over every class of ``enc`` (rows: true, columns: predicted)."""
    if enc.cm is not None:
        return enc.cm
    assert enc.pred is not None
    return dense_confusion(enc.true, enc.pred, enc.n_classes)


def warn_single_label(cm: torch.Tensor) -> None:
    """scikit-learn's warning for a ``(1, 1)`` confusion matrix."""
    if tuple(cm.shape) == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to "
            "have the correct shape, use the 'labels' parameter to pass all known labels.",
            UserWarning,
            stacklevel=3,
        )


def select_confusion(cm: torch.Tensor, select: torch.Tensor | None) -> torch.Tensor:
    """The rows and columns of the selected classes, in the order asked for."""
    if select is None:
        return cm
    select = select.to(cm.device)
    return cm.index_select(0, select).index_select(1, select)


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    normalize: str | None = None,
    num_classes: int | None = None,
) -> Any:
    """Confusion matrix ``C[i, j]``: samples of true class ``i`` predicted as class ``j``.

    Same semantics as :func:`sklearn.metrics.confusion_matrix`: classes are the sorted union of
    the labels in ``y_true`` and ``y_pred`` unless ``labels`` gives them (samples whose labels
    are not in ``labels`` are left out). Computed by one ``torch.bincount`` on the tensors'
    device.

    Args:
        y_true: True labels, shape ``(n_samples,)``: an integer tensor, or a NumPy array / list
            of any label type.
        y_pred: Predicted labels, shape ``(n_samples,)``.
        labels: Classes to report, in this order (default: all, sorted).
        normalize: ``None`` (counts), ``"true"`` (rows sum to one: per-class recall on the
            diagonal), ``"pred"`` (columns sum to one) or ``"all"``.
        num_classes: Declare the classes to be ``0..num_classes-1`` (like
            ``labels=range(num_classes)``, and labels outside are refused).

    Returns:
        ``(n_classes, n_classes)`` int64 tensor (float64 when normalised); a NumPy array if the
        labels came as NumPy arrays or lists.

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``, no label of
            ``labels`` present in ``y_true``, empty labels without ``num_classes`` (with it,
            an empty batch gives a matrix of zeros).
        InvalidParameterError: A bad ``normalize`` or ``labels``.

    Example:
        >>> import torch
        >>> confusion_matrix(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 2]))
        tensor([[1, 1, 0],
                [0, 1, 0],
                [0, 0, 1]])
    """
    owner = "confusion_matrix"
    if normalize not in (None, "true", "pred", "all"):
        raise InvalidParameterError(
            f"{owner}: normalize={normalize!r} is invalid; it must be one of "
            "{None, 'true', 'pred', 'all'}."
        )
    # With num_classes the classes are known, so an empty batch is a matrix of zeros.
    enc = encode(
        owner,
        y_true,
        y_pred,
        labels=labels,
        num_classes=num_classes,
        allow_empty=num_classes is not None,
    )
    cm = full_confusion(enc)
    if enc.select is not None:
        in_true = cm.sum(1).index_select(0, enc.select.to(cm.device)) > 0
        if not bool(in_true.any()):
            raise DataValidationError(
                f"{owner}: At least one label specified must be in y_true; labels="
                f"{enc.selected_values()!r} has none of the labels in y_true."
            )
    cm = select_confusion(cm, enc.select)
    warn_single_label(cm)
    if normalize is not None:
        c = cm.double()
        if normalize == "true":
            c = c / c.sum(1, keepdim=True)
        elif normalize == "pred":
            c = c / c.sum(0, keepdim=True)
        else:
            c = c / c.sum()
        cm = torch.nan_to_num(c)
    return out_array(cm, enc.numpy_out)
