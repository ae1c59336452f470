"""What every splitter shares: labels from any input, the index type given back, the base class."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import torch
from torch.utils.data import Dataset

from ..base import ParamsMixin
from ..exceptions import DataValidationError
from ..labels import get_labels
from ..utils import check_labels

__all__ = [
    "BaseSplitter",
    "Labels",
    "check_group_labels",
    "check_min_class_count",
    "resolve_labels",
]


class Labels:
    """Labels as int64 codes on CPU, plus what is needed to answer in the caller's terms.

    Attributes:
        codes: Int64 ``(n_samples,)`` CPU tensor (the original values for integer labels,
            ``0..C-1`` codes for strings).
        as_tensor: Whether indices are given back as tensors (else NumPy int64 arrays).
        device: Where tensor indices go (the labels' device).
        classes: Original label values when ``codes`` are codes, else ``None``.
        matrix: Bool ``(n_samples, n_labels)`` CPU label matrix of multi-label splitters.
    """

    def __init__(
        self,
        codes: torch.Tensor,
        *,
        as_tensor: bool,
        device: torch.device,
        classes: np.ndarray | None = None,
        matrix: torch.Tensor | None = None,
    ) -> None:
        self.codes = codes
        self.matrix = matrix
        self.as_tensor = as_tensor
        self.device = device
        self.classes = classes

    def name(self, code: int) -> Any:
        """The label value the user knows for ``code``."""
        if self.classes is None:
            return code
        value = self.classes[code]
        return value.item() if hasattr(value, "item") else value  # object arrays hold str

    def out(self, indices: torch.Tensor) -> Any:
        """``indices`` (int64 CPU tensor) in the caller's index type."""
        if self.as_tensor:
            return indices.to(self.device)
        return indices.numpy().astype(np.int64, copy=False)


def _is_array_like(value: Any) -> bool:
    return isinstance(value, (torch.Tensor, np.ndarray, list, tuple)) or (
        type(value).__module__.startswith("pandas")
    )


def _n_samples(X: Any) -> int | None:
    if X is None:
        return None
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    try:
        return len(X)
    except TypeError:
        return None


def resolve_labels(X: Any, y: Any, owner: str) -> Labels:
    """Labels of a split: ``y`` if given, else the labels of the Dataset ``X``.

    Tensors, NumPy arrays, pandas Series and lists are read by
    :func:`torchbalance.utils.check_labels` (string labels are encoded); Datasets by
    :func:`torchbalance.labels.get_labels`. Indices come back as int64 tensors (on the labels'
    device) when the labels came from a tensor or a Dataset, NumPy int64 arrays otherwise.

    Raises:
        DataValidationError: No labels, malformed labels, or ``X`` and ``y`` of different
            lengths.
    """
    if y is None:
        if X is not None and not _is_array_like(X) and isinstance(X, Dataset):
            labels = get_labels(X)
            return Labels(labels.cpu(), as_tensor=True, device=labels.device)
        raise DataValidationError(
            f"{owner}: y is required to stratify; call split(X, y) with the class labels "
            "(or split(dataset) with a Dataset whose labels get_labels can read)."
        )
    if not _is_array_like(y):
        labels = get_labels(y)
        result = Labels(labels.cpu(), as_tensor=True, device=labels.device)
    else:
        codes, converter = check_labels(y, owner=owner)
        result = Labels(
            codes.cpu(),
            as_tensor=isinstance(y, torch.Tensor),
            device=codes.device,
            classes=converter.classes,
        )
    n = _n_samples(X)
    if n is not None and n != result.codes.numel():
        raise DataValidationError(
            f"{owner}: X has {n} samples but y has {result.codes.numel()} labels; "
            "they must have the same length."
        )
    return result


def check_group_labels(groups: Any, n_samples: int, owner: str) -> torch.Tensor:
    """Group ids ``0..G-1`` (in sorted order of the group values) as an int64 CPU tensor.

    Raises:
        DataValidationError: ``groups`` missing, not 1-D, or of another length than ``y``.
    """
    if groups is None:
        raise DataValidationError(
            f"{owner}: groups is required; call split(X, y, groups) with one group id per "
            "sample (e.g. the patient or subject id)."
        )
    if isinstance(groups, torch.Tensor):
        values = groups.detach().cpu().numpy()
    elif hasattr(groups, "to_numpy"):
        values = groups.to_numpy()
    else:
        values = np.asarray(groups)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise DataValidationError(
            f"{owner}: groups must be 1-D with one id per sample ({n_samples}), got shape "
            f"{values.shape}."
        )
    try:
        _, inverse = np.unique(values, return_inverse=True)
    except TypeError as error:
        raise DataValidationError(
            f"{owner}: groups mixes id types; use one type (ints or strings) for all ids."
        ) from error
    return torch.from_numpy(inverse.reshape(-1).astype(np.int64))


class BaseSplitter(ParamsMixin, ABC):
    """scikit-learn's cross-validator interface: ``split`` and ``get_n_splits``.

    Subclasses implement ``_split(labels, groups, generator)`` yielding ``(train, test)`` int64
    CPU tensors; parameters are validated at ``split`` time against
    ``_parameter_constraints``.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}
    _needs_groups: ClassVar[bool] = False
    n_splits: int

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of ``(train, test)`` pairs :meth:`split` yields (arguments are ignored)."""
        self._validate_params()
        return int(self.n_splits)

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[Any, Any]]:
        """Yield ``(train_indices, test_indices)`` for every split.

        Args:
            X: Features ``(n_samples, ...)`` (only their number is used), a Dataset (whose
                labels are used when ``y`` is ``None``), or ``None``.
            y: Class labels ``(n_samples,)``: tensor, NumPy array, pandas Series or list.
            groups: Group ids ``(n_samples,)`` (used by group-aware splitters only).

        Yields:
            Int64 index tensors (on ``y``'s device) when ``y`` is a tensor or ``X`` a Dataset,
            NumPy int64 arrays otherwise (so scikit-learn's ``cv=`` accepts them).
        """
        owner = type(self).__name__
        self._validate_params()
        labels = self._labels(X, y, owner)
        group_ids = (
            check_group_labels(groups, self._n(labels), owner) if self._needs_groups else None
        )
        for train, test in self._split(labels, group_ids):
            yield labels.out(train), labels.out(test)

    def _labels(self, X: Any, y: Any, owner: str) -> Labels:
        return resolve_labels(X, y, owner)

    @staticmethod
    def _n(labels: Labels) -> int:
        return int(labels.codes.shape[0])

    @abstractmethod
    def _split(
        self, labels: Labels, groups: torch.Tensor | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """``(train, test)`` index tensors of each split, in the splitter's order."""

    def _check_n_samples(self, n: int) -> None:
        if self.n_splits > n:
            raise DataValidationError(
                f"{type(self).__name__}: n_splits={self.n_splits} is more than the {n} samples; "
                "lower n_splits."
            )


def check_min_class_count(
    labels: Labels,
    classes: torch.Tensor,
    counts: torch.Tensor,
    needed: int,
    owner: str,
    requirement: str,
    fix: str,
) -> None:
    """Refuse when a class has fewer than ``needed`` members, naming the smallest one.

    Args:
        labels: For the label values the user knows.
        classes: Label codes, ``(C,)``.
        counts: Members of each class, ``(C,)``.
        needed: Fewest members allowed.
        owner: Name used in the message.
        requirement: Why ``needed``, as it reads after "fewer than" (``"n_splits=5"``).
        fix: What to do, as it reads after "each class needs at least N to be stratified.".

    Raises:
        DataValidationError: With the class, its count and the fix.
    """
    small = torch.nonzero(counts < needed).reshape(-1)
    if small.numel() == 0:
        return
    worst = int(small[torch.argmin(counts[small])])
    others = ""
    if small.numel() > 1:
        others = f" (all classes with too few: {[labels.name(int(classes[i])) for i in small]})"
    raise DataValidationError(
        f"{owner}: class {labels.name(int(classes[worst]))!r} has {int(counts[worst])} "
        f"member(s), fewer than {requirement}{others}; each class needs at least {needed} to be "
        f"stratified. {fix}"
    )
