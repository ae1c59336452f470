"""imbalanced-learn's ``classification_report_imbalanced``, from one confusion matrix."""

from __future__ import annotations

from typing import Any

import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ._classification import (
    _class_counts,
    _prf_from_counts,
    _sensitivity_specificity_gmean,
    _ss_from_counts,
)
from ._common import check_zero_division
from ._confusion import full_confusion

__all__ = ["classification_report_imbalanced"]

_HEADERS = ["pre", "rec", "spe", "f1", "geo", "iba", "sup"]


def classification_report_imbalanced(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    digits: int = 2,
    alpha: float = 0.1,
    output_dict: bool = False,
    zero_division: Any = "warn",
    num_classes: int | None = None,
) -> str | dict[str, Any]:
    """Per-class precision, recall, specificity, F1, G-mean, IBA and support, as a table.

    Same layout and numbers as :func:`imblearn.metrics.classification_report_imbalanced`
    (columns ``pre rec spe f1 geo iba sup``, a support-weighted ``avg / total`` line), with
    every number computed from a single confusion matrix on the labels' device.

    Args:
        y_true: True labels ``(n_samples,)``.
        y_pred: Predicted labels ``(n_samples,)``.
        labels: Classes to report, in this order (default: all, sorted).
        target_names: Display names of the reported classes (default: the labels).
        digits: Decimal places of the text table.
        alpha: Weight of the dominance in the index balanced accuracy.
        output_dict: Return a dict (``{name: {"pre": ..., ...}, "avg_pre": ...,
            "total_support": ...}``) instead of text.
        zero_division: For precision, recall and F1: ``"warn"``, ``0``, ``1`` or ``nan``.
        num_classes: Declare classes ``0..num_classes-1`` (like ``labels=range(num_classes)``).

    Returns:
        The report as text, or as a dict of floats (ints for supports).

    Raises:
        DataValidationError: Mismatched lengths, labels outside ``num_classes``.
        InvalidParameterError: Bad ``digits``, ``target_names`` length or ``zero_division``.

    Example:
        >>> import torch
        >>> y_true = torch.tensor([0, 1, 2, 0, 1, 2])
        >>> y_pred = torch.tensor([0, 2, 1, 0, 0, 1])
        >>> report = classification_report_imbalanced(y_true, y_pred, zero_division=0)
        >>> print(report)  # doctest: +NORMALIZE_WHITESPACE
                           pre       rec       spe        f1       geo       iba       sup
        <BLANKLINE>
                  0       0.67      1.00      0.75      0.80      0.87      0.77         2
                  1       0.00      0.00      0.50      0.00      0.00      0.00         2
                  2       0.00      0.00      0.75      0.00      0.00      0.00         2
        <BLANKLINE>
        avg / total       0.22      0.33      0.67      0.27      0.29      0.26         6
        <BLANKLINE>
    """
    owner = "classification_report_imbalanced"
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise InvalidParameterError(
            f"{owner}: digits={digits!r} is invalid; it must be an int in [0, inf)."
        )
    check_zero_division(zero_division, owner)
    counts = _class_counts(
        owner,
        y_true,
        y_pred,
        labels=labels,
        pos_label=None,
        average=None,
        num_classes=num_classes,
    )
    assert counts is not None
    enc, tp, pred_sum, true_sum, tn, shown = counts
    precision, recall, f1, support = _prf_from_counts(
        tp,
        pred_sum,
        true_sum,
        beta=1.0,
        average=None,
        warn_for=("precision", "recall", "f-score"),
        zero_division=zero_division,
    )
    sen, spe, _ = _ss_from_counts(
        tp, pred_sum, true_sum, tn, None, ("sensitivity", "specificity"), False
    )
    geo = _sensitivity_specificity_gmean(sen, spe)
    iba = (1.0 + alpha * (sen - spe)) * geo**2

    if target_names is None:
        names = [f"{label}" for label in shown]
    else:
        names = [str(n) for n in target_names]
        if len(names) != len(shown):
            raise InvalidParameterError(
                f"{owner}: target_names has {len(names)} names but {len(shown)} classes are "
                "reported; give one name per class."
            )
    last_line_heading = "avg / total"
    width = max(max(len(n) for n in names), len(last_line_heading), digits)
    fmt = f"%{width}s" + "  " + " ".join(["% 9s" for _ in _HEADERS]) + "\n"
    report = fmt % tuple(["", *_HEADERS])
    report += "\n"
    columns = [precision, recall, spe, f1, geo, iba]
    table = torch.stack([c.double() for c in columns], 1).cpu().tolist()
    supports: list[Any] = support.cpu().tolist()
    if int(full_confusion(enc).trace()) == 0:
        # scikit-learn's counts turn float when nothing is predicted right; the table shows it
        supports = [float(v) for v in supports]
    report_dict: dict[str, Any] = {}
    for i, name in enumerate(names):
        row = table[i]
        values = [name] + [f"{v:0.{digits}f}" for v in row] + [f"{supports[i]}"]
        report += fmt % tuple(values)
        entry: dict[str, Any] = dict(zip(_HEADERS[:-1], row, strict=True))
        entry["sup"] = supports[i]
        report_dict[name] = entry
    report += "\n"
    w = support.double()
    total = w.sum()
    if float(total) == 0:
        raise DataValidationError(
            f"{owner}: none of the reported classes {shown} occurs in y_true, so the "
            "support-weighted averages are undefined; report classes present in y_true."
        )
    averages = [float((c.double() * w).sum() / total) for c in columns]
    values = [last_line_heading] + [f"{v:0.{digits}f}" for v in averages]
    values += [f"{sum(supports)}"]
    report += fmt % tuple(values)
    for name, value in zip(_HEADERS[:-1], averages, strict=True):
        report_dict[f"avg_{name}"] = value
    report_dict["total_support"] = sum(supports)
    if output_dict:
        return report_dict
    return report
