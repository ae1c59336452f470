"""Class-aware sampling for multi-label data: a label first, then a sample that has it."""

from __future__ import annotations

from typing import Any

import torch

from .._types import GeneratorLike
from ..exceptions import DataValidationError
from ..labels import check_label_matrix
from ..utils import Interval, check_param
from ._base import EpochSampler
from ._draw import Groups, class_then_index, group_by_label, power_probabilities

__all__ = ["MultilabelBalancedSampler"]


class MultilabelBalancedSampler(EpochSampler):
    """Sample indices of multi-label data so that every label is chosen equally often.

    Class-aware sampling: every label has the same chance to *choose* the next sample (with
    ``power=0``). How often a label then *appears* in the drawn samples also depends on its
    co-occurrence with the others: a label that comes with many others still shows up more.

    Each index is drawn in two steps: a label ``j`` with probability ``p_j ∝ n_j ** power``
    (``n_j`` the number of samples that have label ``j``; ``power=0`` gives every label the
    same chance), then a sample uniformly among those that have label ``j``. A sample with
    several labels can be reached through each of them. Samples with no label at all are never
    drawn (they carry nothing to balance); ``num_labelled_`` says how many samples can be.

    Args:
        label_matrix: ``(n_samples, n_labels)`` 0/1 indicator matrix (tensor, array or list).
        power: Exponent of the label counts, a finite float (0 balanced, 1 proportional to the
            label frequencies).
        num_samples: Indices per epoch (default: the number of samples).
        generator: Int seed (epoch ``e`` draws with ``seed + e``), ``torch.Generator`` or
            ``None``.

    Raises:
        DataValidationError: A malformed matrix, or a label no sample has (it cannot be
            sampled; drop the column).
        InvalidParameterError: ``num_samples`` not a positive int, a non-finite ``power``.

    References:
        Shen, Lin, Huang. "Relay Backpropagation for Effective Learning of Deep Convolutional
        Neural Networks", ECCV 2016 (class-aware sampling); Wu et al. "Distribution-Balanced
        Loss for Multi-Label Classification in Long-Tailed Datasets", ECCV 2020.

    Example:
        >>> Y = torch.tensor([[1, 0], [1, 0], [1, 0], [1, 1], [1, 0], [0, 0]])
        >>> sampler = MultilabelBalancedSampler(Y, num_samples=4, generator=0)
        >>> indices = list(sampler)
        >>> len(indices), all(0 <= i < 5 for i in indices)
        (4, True)
    """

    _owner = "MultilabelBalancedSampler"

    def __init__(
        self,
        label_matrix: Any,
        *,
        power: float = 0.0,
        num_samples: int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        owner = self._owner
        super().__init__(generator)
        check_param(owner, "power", power, [Interval(float, None, None)])
        check_param(owner, "num_samples", num_samples, [Interval(int, 1, None), None])
        matrix = check_label_matrix(label_matrix, owner=owner).cpu()
        counts = matrix.sum(0)
        empty = torch.nonzero(counts == 0).reshape(-1).tolist()
        if empty:
            raise DataValidationError(
                f"{owner}: label(s) {empty} occur in no sample, so they cannot be sampled; drop "
                "those columns of label_matrix."
            )
        rows, labels = torch.nonzero(matrix, as_tuple=True)
        by_label = group_by_label(labels)
        self._groups = Groups(
            classes=by_label.classes,
            counts=by_label.counts,
            starts=by_label.starts,
            order=rows[by_label.order.long()],
        )
        self.power = float(power)
        self.label_counts_ = by_label.counts
        self.label_probabilities_ = power_probabilities(by_label.counts, self.power)
        self.num_labelled_ = int(matrix.any(1).sum())
        self.num_samples = matrix.shape[0] if num_samples is None else int(num_samples)

    def _draw(self, generator: torch.Generator) -> torch.Tensor:
        return class_then_index(
            self._groups, self.label_probabilities_, self.num_samples, generator
        )

    def _global_length(self) -> int:
        return self.num_samples
