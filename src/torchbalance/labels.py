"""Labels of a dataset without loading its samples, and class counts.

Samplers, weights and reports all start from the labels. Reading them must not decode images or
run transforms, so :func:`get_labels` looks for the places datasets keep their labels
(``.targets``, ``.labels``, ``.y``, ``.samples``, ``TensorDataset`` tensors) and walks through
``Subset`` and ``ConcatDataset`` wrappers.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import ConcatDataset, Subset, TensorDataset

from .exceptions import DataValidationError

__all__ = [
    "check_counts",
    "check_label_matrix",
    "class_counts",
    "get_labels",
    "imbalance_ratio",
    "label_imbalance_ratios",
    "mean_imbalance_ratio",
]

_LABEL_ATTRIBUTES = ("targets", "labels", "y")


# torch's unsigned integers wider than uint8 (torch >= 2.3), read through NumPy
_WIDE_UNSIGNED = tuple(
    getattr(torch, name) for name in ("uint16", "uint32", "uint64") if hasattr(torch, name)
)


def _as_label_tensor(values: Any, where: str) -> torch.Tensor:
    if isinstance(values, list) and values and isinstance(values[0], tuple) and len(values[0]) == 2:
        raise DataValidationError(
            f"get_labels: {where} looks like a list of (sample, label) pairs, not labels; "
            "pass the labels, e.g. get_labels(dataset, label_fn=lambda ds: [y for _, y in ds])."
        )
    if isinstance(values, torch.Tensor) and values.dtype in _WIDE_UNSIGNED:
        values = values.cpu().numpy()  # the NumPy path checks the int64 range
    if isinstance(values, torch.Tensor):
        tensor = values
    elif isinstance(values, (list, tuple)) and values and isinstance(values[0], torch.Tensor):
        tensor = torch.stack([torch.as_tensor(v) for v in values])
    else:
        array = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
        if array.dtype.kind == "u" and array.dtype.itemsize > 1:  # torch lacks wide unsigned
            if array.size and int(array.max()) > np.iinfo(np.int64).max:
                raise DataValidationError(
                    f"get_labels: the labels in {where} exceed the int64 range."
                )
            array = array.astype(np.int64)
        if array.dtype.kind not in "iubf":
            raise DataValidationError(
                f"get_labels: the labels in {where} have dtype {array.dtype}; integer class "
                "labels are needed (encode strings first, e.g. with "
                "sklearn.preprocessing.LabelEncoder)."
            )
        if not array.flags.writeable or not array.flags.c_contiguous:
            array = np.array(array, order="C")
        tensor = torch.from_numpy(array)
    if tensor.dim() == 2 and tensor.shape[1] == 1:
        tensor = tensor.reshape(-1)
    if tensor.dim() != 1:
        raise DataValidationError(
            f"get_labels: the labels in {where} have shape {tuple(tensor.shape)}; one integer "
            "label per sample is needed (for one-hot targets pass labels.argmax(1))."
        )
    if tensor.is_floating_point():
        if not bool(torch.isfinite(tensor).all()):
            raise DataValidationError(f"get_labels: the labels in {where} contain NaN or inf.")
        if not bool((tensor == tensor.round()).all()):
            raise DataValidationError(
                f"get_labels: the labels in {where} are not integers (float values such as "
                f"{tensor[tensor != tensor.round()][:3].tolist()})."
            )
        if (
            tensor.numel()
            and not -(2.0**63) <= float(tensor.min()) <= float(tensor.max()) < 2.0**63
        ):
            raise DataValidationError(f"get_labels: the labels in {where} exceed the int64 range.")
    elif tensor.dtype not in (
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.uint8,
        torch.bool,
    ):
        raise DataValidationError(
            f"get_labels: the labels in {where} have dtype {tensor.dtype}; integers are needed."
        )
    return tensor.long()


def get_labels(
    dataset: Any, *, label_fn: Callable[[Any], Sequence[Any] | torch.Tensor] | None = None
) -> torch.Tensor:
    """Labels of every sample of ``dataset`` as a 1-D int64 tensor, without loading samples.

    Understood, in this order: a tensor, array or list of labels; ``Subset`` (of anything
    here, nested); ``ConcatDataset``; ``TensorDataset`` (its last tensor); objects with
    ``.targets``, ``.labels`` or ``.y``; ``ImageFolder``-style ``.samples`` of
    ``(path, label)`` pairs.

    Args:
        dataset: The dataset or the labels themselves.
        label_fn: Called as ``label_fn(dataset)`` to return the labels of a dataset that keeps
            them elsewhere. When given, it is used for ``dataset`` itself and nothing is
            looked up.

    Returns:
        Int64 tensor of shape ``(len(dataset),)``, on the device the labels were stored on.

    Raises:
        DataValidationError: If no labels can be found (the message says how to pass
            ``label_fn``), or the labels are not one integer per sample.

    Example:
        >>> from torch.utils.data import Subset, TensorDataset
        >>> data = TensorDataset(torch.randn(5, 2), torch.tensor([0, 1, 1, 0, 2]))
        >>> get_labels(Subset(data, [4, 1])).tolist()
        [2, 1]
    """
    if label_fn is not None:
        labels = _as_label_tensor(label_fn(dataset), "label_fn's result")
        _check_length(dataset, labels, "label_fn's result")
        return labels
    if isinstance(dataset, (torch.Tensor, np.ndarray, list, tuple)) or (
        type(dataset).__module__.startswith("pandas")
    ):
        return _as_label_tensor(dataset, "the given labels")
    if isinstance(dataset, Subset):
        parent = get_labels(dataset.dataset)
        indices = torch.as_tensor(dataset.indices, dtype=torch.long, device=parent.device)
        return parent[indices]
    if isinstance(dataset, ConcatDataset):
        parts = [get_labels(part) for part in dataset.datasets]
        return torch.cat([p.to(parts[0].device) for p in parts])
    if isinstance(dataset, TensorDataset):
        if len(dataset.tensors) < 2:
            raise DataValidationError(
                "get_labels: this TensorDataset holds a single tensor, so it has no labels; "
                "build it as TensorDataset(X, y)."
            )
        return _as_label_tensor(dataset.tensors[-1], "TensorDataset.tensors[-1]")
    name = type(dataset).__name__
    for attribute in _LABEL_ATTRIBUTES:
        values = getattr(dataset, attribute, None)
        if values is not None and not callable(values):
            labels = _as_label_tensor(values, f"{name}.{attribute}")
            _check_length(dataset, labels, f"{name}.{attribute}")
            return labels
    samples = getattr(dataset, "samples", None)
    if isinstance(samples, (list, tuple)) and all(
        isinstance(s, (list, tuple)) and len(s) == 2 for s in samples
    ):
        return _as_label_tensor([s[1] for s in samples], f"{name}.samples")
    raise DataValidationError(
        f"get_labels: cannot find the labels of {name} without loading its samples; it has "
        "no .targets, .labels, .y or .samples. Pass the labels themselves, e.g. "
        "get_labels(dataset, label_fn=lambda ds: <all labels>)."
    )


def _check_length(dataset: Any, labels: torch.Tensor, where: str) -> None:
    try:
        n = len(dataset)
    except TypeError:
        return
    if n != labels.shape[0]:
        raise DataValidationError(
            f"get_labels: {where} has {labels.shape[0]} labels but the dataset has {n} samples."
        )


def class_counts(labels: Any, num_classes: int | None = None) -> torch.Tensor:
    """Number of samples of each class ``0..C-1``.

    Args:
        labels: 1-D non-negative integer labels (tensor, array, list, or a dataset understood
            by :func:`get_labels`).
        num_classes: ``C``; default ``max(label) + 1``.

    Returns:
        Int64 tensor of shape ``(C,)`` on the labels' device.

    Raises:
        DataValidationError: Negative labels, or labels ``>= num_classes``.

    Example:
        >>> class_counts(torch.tensor([0, 2, 2, 2]), num_classes=4).tolist()
        [1, 0, 3, 0]
    """
    tensor = get_labels(labels)
    if tensor.numel() and int(tensor.min()) < 0:
        raise DataValidationError(
            f"class_counts: labels must be >= 0 to be counted by index, got {int(tensor.min())}; "
            "encode them first (e.g. torch.unique(labels, return_inverse=True))."
        )
    if num_classes is not None:
        if (
            isinstance(num_classes, bool)
            or not isinstance(num_classes, numbers.Integral)
            or num_classes < 1
        ):
            raise DataValidationError(
                f"class_counts: num_classes={num_classes!r} is invalid; it must be an int >= 1."
            )
        if tensor.numel() and int(tensor.max()) >= num_classes:
            raise DataValidationError(
                f"class_counts: label {int(tensor.max())} is out of range for "
                f"num_classes={num_classes}; raise num_classes or fix the labels."
            )
    return torch.bincount(tensor, minlength=num_classes or 0)


def check_counts(counts: Any, owner: str) -> torch.Tensor:
    """Class counts given directly, as a tensor: a non-empty 1-D sequence of finite numbers
    ``>= 0``.

    Raises:
        DataValidationError: Anything else (text, 2-D, negative, NaN), naming ``owner``.
    """
    try:
        tensor = torch.as_tensor(counts)
    except (TypeError, ValueError, RuntimeError) as error:
        raise DataValidationError(f"{owner}: counts must be numbers, got {counts!r}.") from error
    if tensor.dim() != 1 or tensor.numel() == 0:
        raise DataValidationError(
            f"{owner}: counts must be a non-empty 1-D sequence, got shape {tuple(tensor.shape)}."
        )
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise DataValidationError(f"{owner}: counts must be real numbers, got {tensor.dtype}.")
    if bool((tensor < 0).any()) or not bool(torch.isfinite(tensor.double()).all()):
        raise DataValidationError(f"{owner}: counts must be finite and >= 0.")
    return tensor


def imbalance_ratio(labels_or_counts: Any, *, from_counts: bool = False) -> float:
    """Largest class count divided by the smallest non-empty one (1.0 for balanced data).

    Example:
        >>> imbalance_ratio(torch.tensor([0, 0, 0, 0, 1]))
        4.0
        >>> imbalance_ratio([100, 10, 0], from_counts=True)
        10.0
    """
    counts = (
        check_counts(labels_or_counts, "imbalance_ratio")
        if from_counts
        else class_counts(labels_or_counts)
    )
    present = counts[counts > 0]
    if present.numel() == 0:
        raise DataValidationError("imbalance_ratio: there are no samples to count.")
    return float(present.max()) / float(present.min())


def check_label_matrix(label_matrix: Any, *, owner: str = "check_label_matrix") -> torch.Tensor:
    """Validate a multi-label indicator matrix and return it as a bool tensor.

    Args:
        label_matrix: ``(n_samples, n_labels)`` tensor, array or nested list of 0/1 (or bool)
            values: entry ``[i, j]`` says whether sample ``i`` has label ``j``.
        owner: Name used in error messages.

    Returns:
        Bool tensor of shape ``(n_samples, n_labels)`` on the input's device.

    Raises:
        DataValidationError: Not 2-D, empty, or holding values other than 0 and 1.
    """
    matrix = (
        label_matrix
        if isinstance(label_matrix, torch.Tensor)
        else torch.as_tensor(np.asarray(label_matrix))
    )
    if matrix.dim() != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise DataValidationError(
            f"{owner}: label_matrix must be a non-empty 2-D (n_samples, n_labels) indicator "
            f"matrix, got shape {tuple(matrix.shape)}."
        )
    if matrix.dtype != torch.bool:
        if matrix.is_complex() or not bool(((matrix == 0) | (matrix == 1)).all()):
            raise DataValidationError(
                f"{owner}: label_matrix must hold only 0 and 1 (or bools); for class "
                "probabilities or scores threshold them first."
            )
        matrix = matrix != 0
    return matrix


def label_imbalance_ratios(label_matrix: Any) -> torch.Tensor:
    """IRLbl: the imbalance ratio of every label of a multi-label data set.

    ``IRLbl(j) = max_l n_l / n_j``, where ``n_j`` is the number of samples with label ``j``
    (1 for the most frequent label, larger for rarer ones).

    Args:
        label_matrix: ``(n_samples, n_labels)`` 0/1 indicator matrix.

    Returns:
        Float64 tensor of shape ``(n_labels,)``.

    Raises:
        DataValidationError: A malformed matrix, or a label no sample has (its ratio would be
            infinite; the message names the labels).

    References:
        Charte, Rivera, del Jesus, Herrera. "Addressing imbalance in multilabel classification:
        Measures and random resampling algorithms", Neurocomputing 163, 2015.

    Example:
        >>> Y = torch.tensor([[1, 0, 1], [1, 0, 0], [1, 1, 0], [1, 0, 0]])
        >>> label_imbalance_ratios(Y).tolist()
        [1.0, 4.0, 4.0]
    """
    matrix = check_label_matrix(label_matrix, owner="label_imbalance_ratios")
    counts = matrix.sum(0, dtype=torch.float64)
    empty = torch.nonzero(counts == 0).reshape(-1).tolist()
    if empty:
        raise DataValidationError(
            f"label_imbalance_ratios: label(s) {empty} occur in no sample, so their imbalance "
            "ratio is infinite; drop those columns first."
        )
    return counts.max() / counts


def mean_imbalance_ratio(label_matrix: Any) -> float:
    """MeanIR: the mean of :func:`label_imbalance_ratios` over all labels (Charte et al. 2015).

    Example:
        >>> mean_imbalance_ratio(torch.tensor([[1, 0, 1], [1, 0, 0], [1, 1, 0], [1, 0, 0]]))
        3.0
    """
    return float(label_imbalance_ratios(label_matrix).mean())
