"""Cost matrices for :class:`CostSensitiveLoss`, from class counts or from a user's table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError
from ..functional._loss_common import resolve_class_counts
from ..functional._losses import check_cost_matrix
from ..utils import Interval, Options, check_param
from ..weights import SCHEMES, class_weights

__all__ = ["COST_SCHEMES", "cost_matrix_from_counts", "cost_matrix_from_table"]

COST_SCHEMES = ("ratio", *SCHEMES)


def cost_matrix_from_counts(
    class_counts: Any = None,
    *,
    labels: Any = None,
    num_classes: int | None = None,
    scheme: str = "ratio",
    beta: float = 0.9999,
) -> torch.Tensor:
    """A ``(C, C)`` cost matrix from class counts: mistakes on rare classes cost more.

    The diagonal is 0. Off the diagonal, ``K[i, j]`` (true ``i``, predicted ``j``) is:

    * ``"ratio"``: ``max(n_j / n_i, 1)``: mistaking a rare class for a frequent one costs
      their imbalance ratio, every other mistake 1;
    * a scheme of :func:`torchbalance.weights.class_weights` (``"balanced"``, ``"inverse"``,
      ``"inverse_sqrt"``, ``"effective_number"``): ``w_i``, the weight of the true class,
      normalised to mean 1.

    Args:
        class_counts: Samples per class ``(C,)``, all > 0. Or pass ``labels``.
        labels: A dataset or its labels, counted (see :func:`torchbalance.labels.get_labels`).
        num_classes: ``C`` when counting ``labels``.
        scheme: One of ``"ratio"``, ``"balanced"``, ``"inverse"``, ``"inverse_sqrt"``,
            ``"effective_number"``.
        beta: For ``"effective_number"``, in [0, 1).

    Returns:
        Tensor ``(C, C)`` in ``torch.get_default_dtype()``.

    Raises:
        InvalidParameterError: Unknown scheme, bad ``beta``, both or neither of
            ``class_counts`` and ``labels``.
        DataValidationError: Malformed counts or a class with no samples.

    Example:
        >>> cost_matrix_from_counts([100, 10])
        tensor([[ 0.,  1.],
                [10.,  0.]])
    """
    owner = "cost_matrix_from_counts"
    check_param(owner, "scheme", scheme, [Options(COST_SCHEMES)])
    check_param(owner, "beta", beta, [Interval(float, 0.0, 1.0, "left")])
    counts = resolve_class_counts(owner, class_counts, labels, num_classes).cpu()
    if scheme == "ratio":
        matrix = (counts.unsqueeze(0) / counts.unsqueeze(1)).clamp_min(1.0)
    else:
        weights = class_weights(
            counts,
            scheme,  # type: ignore[arg-type]  # checked against COST_SCHEMES above
            from_counts=True,
            beta=beta,
            normalize="mean",
            dtype=torch.float64,
        )
        matrix = weights.unsqueeze(1).expand(-1, counts.numel()).clone()
    matrix.fill_diagonal_(0.0)
    return matrix.to(torch.get_default_dtype())


def cost_matrix_from_table(
    table: Any, *, num_classes: int | None = None, default: float = 1.0
) -> torch.Tensor:
    """A ``(C, C)`` cost matrix from a user's table (rows: true class, columns: predicted).

    Args:
        table: Either a full ``(C, C)`` table (nested lists, array, tensor, or a pandas
            DataFrame indexed by the true class and with the predicted classes as columns, both
            ``0..C-1`` in any order), or a dict ``{(true, predicted): cost}`` naming only the
            costs that differ from the default (needs ``num_classes``).
        num_classes: ``C``, for a dict.
        default: Cost of the mistakes a dict does not name, a float >= 0 (correct predictions
            cost 0 unless the dict says otherwise).

    Returns:
        Tensor ``(C, C)`` in ``torch.get_default_dtype()``.

    Raises:
        InvalidParameterError: A dict without ``num_classes``, or a bad ``default``.
        DataValidationError: A table that is not square, has negative or non-finite costs, or
            names classes outside ``0..C-1``.

    Example:
        >>> cost_matrix_from_table({(2, 0): 10.0}, num_classes=3)
        tensor([[ 0.,  1.,  1.],
                [ 1.,  0.,  1.],
                [10.,  1.,  0.]])
    """
    owner = "cost_matrix_from_table"
    check_param(owner, "num_classes", num_classes, [Interval(int, 1, None), None])
    check_param(owner, "default", default, [Interval(float, 0.0, None)])
    if isinstance(table, Mapping):
        if num_classes is None:
            check_param(owner, "num_classes", None, [Interval(int, 1, None)])
        assert num_classes is not None
        matrix = torch.full((num_classes, num_classes), float(default), dtype=torch.float64)
        matrix.fill_diagonal_(0.0)
        for key, cost in table.items():
            if (
                not isinstance(key, tuple)
                or len(key) != 2
                or not all(isinstance(k, (int, np.integer)) and 0 <= k < num_classes for k in key)
            ):
                raise DataValidationError(
                    f"{owner}: key {key!r} is invalid; keys must be (true, predicted) pairs of "
                    f"class indices in 0..{num_classes - 1}."
                )
            matrix[int(key[0]), int(key[1])] = float(cost)
        return check_cost_matrix(owner, matrix).to(torch.get_default_dtype())
    if type(table).__module__.startswith("pandas") and hasattr(table, "index"):
        size = len(table.index)
        expected = set(range(size))
        if set(table.index) != expected or set(table.columns) != expected:
            raise DataValidationError(
                f"{owner}: the DataFrame's index (true classes) and columns (predicted "
                f"classes) must both be the class indices 0..{size - 1}."
            )
        table = table.loc[list(range(size)), list(range(size))].to_numpy(dtype=np.float64)
    matrix = check_cost_matrix(owner, table)
    if num_classes is not None and matrix.shape[0] != num_classes:
        raise DataValidationError(
            f"{owner}: the table is {matrix.shape[0]}x{matrix.shape[0]} but "
            f"num_classes={num_classes}."
        )
    return matrix.to(torch.get_default_dtype())
