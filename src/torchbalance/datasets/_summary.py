"""A summary of a label vector: counts, shares, imbalance ratio, classes too small for methods."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..labels import imbalance_ratio
from ..utils import Interval, check_labels, check_param, count_classes

__all__ = ["LabelSummary", "describe_labels"]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class LabelSummary:
    """Class counts of a label vector and what they rule out.

    Attributes:
        labels: The class labels in sorted order (original values: ints or strings).
        counts: Samples per class, aligned with ``labels``.
        imbalance_ratio: Largest count over smallest (1.0 when balanced).
        warnings: One line per class too small for ``n_splits``-fold stratified
            cross-validation or for SMOTE with ``k_neighbors`` neighbours.
        n_splits: The cross-validation folds checked.
        k_neighbors: The SMOTE neighbours checked.
    """

    labels: list[Any]
    counts: list[int]
    imbalance_ratio: float
    warnings: list[str] = field(default_factory=list)
    n_splits: int = 5
    k_neighbors: int = 5

    @property
    def n_samples(self) -> int:
        """Total number of samples."""
        return sum(self.counts)

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.counts)

    @property
    def shares(self) -> list[float]:
        """Fraction of the samples in each class, aligned with ``labels``."""
        total = self.n_samples
        return [n / total for n in self.counts]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: totals, one entry per class, and the warnings."""
        return {
            "n_samples": self.n_samples,
            "n_classes": self.n_classes,
            "imbalance_ratio": self.imbalance_ratio,
            "classes": [
                {"label": label, "count": count, "share": share}
                for label, count, share in zip(self.labels, self.counts, self.shares, strict=True)
            ],
            "warnings": list(self.warnings),
        }


def describe_labels(y: Any, *, n_splits: int = 5, k_neighbors: int = 5) -> LabelSummary:
    """Count the classes of ``y`` and flag those too small for common methods.

    A class is flagged when it has fewer than ``n_splits`` samples (stratified
    ``n_splits``-fold cross-validation cannot put one in every fold) or fewer than
    ``k_neighbors + 1`` (SMOTE cannot find ``k_neighbors`` neighbours of the same class).

    Args:
        y: Labels ``(n_samples,)``: integer tensor, NumPy array, pandas Series or list
            (strings too).
        n_splits: Cross-validation folds to check for, an int >= 2.
        k_neighbors: SMOTE's neighbours to check for, an int >= 1.

    Returns:
        A :class:`LabelSummary`.

    Raises:
        DataValidationError: Labels that are empty, not 1-D, missing or of mixed types.

    Example:
        >>> summary = describe_labels(["a"] * 8 + ["b"] * 2)
        >>> summary.labels, summary.counts, summary.imbalance_ratio
        (['a', 'b'], [8, 2], 4.0)
        >>> for line in summary.warnings[0].split(": too few for "):
        ...     print(line)
        class 'b' has 2 samples
        5-fold stratified cross-validation (needs 5) and for SMOTE with k_neighbors=5 (needs 6)
    """
    owner = "describe_labels"
    check_param(owner, "n_splits", n_splits, [Interval(int, 2, None)])
    check_param(owner, "k_neighbors", k_neighbors, [Interval(int, 1, None)])
    codes, converter = check_labels(y, owner=owner)
    stats = count_classes(codes)
    codes_seen = torch.tensor(list(stats), dtype=torch.long)
    labels = [_plain(v) for v in converter.label_array(codes_seen)]  # as given: bool stays bool
    counts = [int(n) for n in stats.values()]
    warnings = []
    for label, count in zip(labels, counts, strict=True):
        reasons = []
        if count < n_splits:
            reasons.append(f"{n_splits}-fold stratified cross-validation (needs {n_splits})")
        if count < k_neighbors + 1:
            reasons.append(f"SMOTE with k_neighbors={k_neighbors} (needs {k_neighbors + 1})")
        if reasons:
            noun = "sample" if count == 1 else "samples"
            warnings.append(
                f"class {label!r} has {count} {noun}: too few for " + " and for ".join(reasons)
            )
    return LabelSummary(
        labels=labels,
        counts=counts,
        imbalance_ratio=imbalance_ratio(counts, from_counts=True),
        warnings=warnings,
        n_splits=n_splits,
        k_neighbors=k_neighbors,
    )
