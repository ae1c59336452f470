"""Figures for imbalanced evaluation (matplotlib, optional extra ``plot``).

Every function returns a ``matplotlib.figure.Figure`` drawn with the Agg canvas: nothing is
shown, no pyplot state is touched; save it with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError
from ..utils import optional_import
from ._calibration import _confidence_accuracy, calibration_bins
from ._common import as_label_tensor, as_score_tensor, encode
from ._confusion import confusion_matrix
from ._ranking import precision_recall_curve, roc_curve

__all__ = [
    "plot_confusion_matrix",
    "plot_per_class_recall",
    "plot_precision_recall_curves",
    "plot_reliability_diagram",
    "plot_roc_curves",
]


def _figure(figsize: tuple[float, float]) -> Any:
    figure_mod = optional_import("matplotlib.figure", extra="plot", purpose="Plotting")
    agg = optional_import("matplotlib.backends.backend_agg", extra="plot", purpose="Plotting")
    fig = figure_mod.Figure(figsize=figsize, layout="constrained")
    agg.FigureCanvasAgg(fig)
    return fig


def _names(classes: Sequence[Any], class_names: Sequence[str] | None) -> list[str]:
    if class_names is None:
        return [str(c) for c in classes]
    if len(class_names) != len(classes):
        raise DataValidationError(
            f"class_names has {len(class_names)} names for {len(classes)} classes; give one "
            "name per class."
        )
    return [str(c) for c in class_names]


def plot_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    num_classes: int | None = None,
    class_names: Sequence[str] | None = None,
    normalize: str | None = "true",
    figsize: tuple[float, float] = (5.0, 4.5),
) -> Any:
    """Heat map of the confusion matrix, normalised per true class by default.

    With ``normalize="true"`` the diagonal is each class's recall, so a rare class's failures
    are as visible as a frequent one's.

    Args:
        y_true: True labels ``(n_samples,)``.
        y_pred: Predicted labels ``(n_samples,)``.
        num_classes: Declare classes ``0..num_classes-1``.
        class_names: Tick labels, one per class.
        normalize: ``"true"``, ``"pred"``, ``"all"`` or ``None`` (counts).
        figsize: Figure size in inches.

    Returns:
        The ``matplotlib.figure.Figure``.

    Raises:
        ImportError: matplotlib is missing (``pip install 'torchbalance[plot]'``).

    Example:
        >>> import torch
        >>> fig = plot_confusion_matrix(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 2]))
        >>> fig.axes[0].get_xlabel()
        'Predicted label'
    """
    enc = encode("plot_confusion_matrix", y_true, y_pred, num_classes=num_classes)
    cm = confusion_matrix(y_true, y_pred, num_classes=num_classes, normalize=normalize)
    values = np.asarray(cm.cpu() if isinstance(cm, torch.Tensor) else cm, dtype=np.float64)
    names = _names(enc.class_values(), class_names)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=ax)
    k = len(names)
    ax.set_xticks(range(k), names, rotation=45 if k > 6 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title("Confusion matrix" + (f" (normalised: {normalize})" if normalize else ""))
    if k <= 20:
        top = values.max() if values.size else 0
        for i in range(k):
            for j in range(k):
                text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
                color = "white" if values[i, j] > top / 2 else "black"
                ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    return fig


def plot_per_class_recall(
    y_true: Any,
    y_pred: Any,
    *,
    num_classes: int | None = None,
    class_names: Sequence[str] | None = None,
    figsize: tuple[float, float] = (6.0, 3.5),
) -> Any:
    """Bar chart of each class's recall, with its support, and the balanced accuracy line.

    Example:
        >>> import torch
        >>> fig = plot_per_class_recall(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 2]))
        >>> len(fig.axes[0].patches)
        3
    """
    cm = confusion_matrix(y_true, y_pred, num_classes=num_classes)
    enc = encode("plot_per_class_recall", y_true, y_pred, num_classes=num_classes)
    counts = np.asarray(cm.cpu() if isinstance(cm, torch.Tensor) else cm, dtype=np.float64)
    support = counts.sum(1)
    recall = np.divide(np.diag(counts), support, out=np.zeros_like(support), where=support > 0)
    names = _names(enc.class_values(), class_names)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    bars = ax.bar(range(len(names)), recall, color="tab:blue")
    for bar, n in zip(bars, support, strict=True):
        ax.annotate(f"n={int(n)}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=7)  # fmt: skip
    if (support > 0).any():
        ax.axhline(recall[support > 0].mean(), color="tab:red", linestyle="--",
                   label="balanced accuracy")  # fmt: skip
        ax.legend(loc="lower right")
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("Recall")
    ax.set_title("Recall per class")
    return fig


def _per_class_scores(
    y_true: Any, y_score: Any, owner: str
) -> tuple[np.ndarray, torch.Tensor, torch.Tensor]:
    score = as_score_tensor(y_score, "y_score", owner)
    t, _ = as_label_tensor(y_true, "y_true", owner)
    if not isinstance(t, torch.Tensor):
        raise DataValidationError(f"{owner}: y_true must hold integer labels.")
    if score.dim() == 1:
        score = torch.stack([1 - score, score], 1)
    classes = np.arange(score.shape[1])
    if t.numel() and (int(t.min()) < 0 or int(t.max()) >= len(classes)):
        raise DataValidationError(
            f"{owner}: y_true holds labels outside 0..{len(classes) - 1}, the columns of "
            "y_score (0/1 for a 1-D score); encode the labels as column indices first."
        )
    return classes, t.to(score.device), score


def _curves(
    y_true: Any, y_score: Any, class_names: Sequence[str] | None, kind: str, figsize: Any
) -> Any:
    owner = "plot_roc_curves" if kind == "roc" else "plot_precision_recall_curves"
    classes, t, score = _per_class_scores(y_true, y_score, owner)
    names = _names(list(classes), class_names)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    binary = score.shape[1] == 2
    for c in classes:
        if binary and c == 0:
            continue
        y = (t == int(c)).long()
        if int(y.sum()) == 0 or int(y.sum()) == y.numel():
            continue  # undefined for this class
        if kind == "roc":
            x, v, _ = roc_curve(y, score[:, c])
            ax.plot(x.cpu(), v.cpu(), label=names[c])
        else:
            p, r, _ = precision_recall_curve(y, score[:, c])
            ax.step(
                r.cpu(),
                p.cpu(),
                where="post",
                label=f"{names[c]} (prev. {float(y.double().mean()):.3f})",
            )
    if kind == "roc":
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
        ax.set_xlabel("False positive rate")
        ax.set_ylabel("True positive rate")
        ax.set_title("ROC curve per class")
    else:
        ax.set_xlabel("Recall")
        ax.set_ylabel("Precision")
        ax.set_title("Precision-recall curve per class")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="best", fontsize=7)
    return fig


def plot_roc_curves(
    y_true: Any,
    y_score: Any,
    *,
    class_names: Sequence[str] | None = None,
    figsize: tuple[float, float] = (5.0, 4.5),
) -> Any:
    """One-vs-rest ROC curve of every class (binary: of class 1).

    Args:
        y_true: Labels ``0..C-1`` ``(n_samples,)``.
        y_score: ``(n_samples, C)`` scores, or ``(n_samples,)`` scores of class 1.
        class_names: Legend names, one per class.
        figsize: Figure size in inches.

    Example:
        >>> import torch
        >>> fig = plot_roc_curves(torch.tensor([0, 0, 1, 1]), torch.tensor([0.1, 0.4, 0.35, 0.8]))
        >>> len(fig.axes[0].lines)
        2
    """
    return _curves(y_true, y_score, class_names, "roc", figsize)


def plot_precision_recall_curves(
    y_true: Any,
    y_score: Any,
    *,
    class_names: Sequence[str] | None = None,
    figsize: tuple[float, float] = (5.0, 4.5),
) -> Any:
    """One-vs-rest precision-recall curve of every class, with its prevalence in the legend.

    Example:
        >>> import torch
        >>> y_score = torch.tensor([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
        >>> fig = plot_precision_recall_curves(torch.tensor([0, 1, 2]), y_score)
        >>> len(fig.axes[0].lines)
        3
    """
    return _curves(y_true, y_score, class_names, "pr", figsize)


def plot_reliability_diagram(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 15,
    figsize: tuple[float, float] = (5.0, 4.5),
) -> Any:
    """Reliability diagram: accuracy against confidence per bin, with the diagonal.

    Uses the same bins and confidence as :func:`expected_calibration_error`.

    Example:
        >>> import torch
        >>> y_prob = torch.tensor([0.9, 0.8, 0.3, 0.2])
        >>> fig = plot_reliability_diagram(torch.tensor([1, 0, 0, 0]), y_prob)
        >>> fig.axes[0].get_xlabel()
        'Confidence'
    """
    conf, acc = _confidence_accuracy(y_true, y_prob, "plot_reliability_diagram")
    count, _, acc_sum = calibration_bins(conf, acc, n_bins)
    count_np = count.cpu().numpy()
    used = count_np > 0
    acc_mean = (acc_sum.cpu().numpy()[used]) / count_np[used]
    centers = (np.arange(n_bins) + 0.5) / n_bins
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.bar(centers[used], acc_mean, width=1 / n_bins, edgecolor="black", label="accuracy")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    ax.set_xlabel("Confidence")
    ax.set_ylabel("Accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Reliability diagram")
    ax.legend(loc="upper left")
    return fig
