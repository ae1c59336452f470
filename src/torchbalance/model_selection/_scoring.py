"""Named scores for model selection: ``score(y_true, y_pred, y_proba, classes) -> float``.

Each is a thin call into :mod:`torchbalance.metrics` (the math lives there); this module only
fixes the choices a leaderboard needs (macro averages, ``zero_division=0``, which column is the
positive class).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from .. import metrics
from ..exceptions import InvalidParameterError

__all__ = ["LOWER_IS_BETTER", "SCORES", "Score", "check_scores", "needs_proba", "recall_of"]

Score = Callable[[Any, Any, Any, np.ndarray], float]


def _as_numpy(values: Any) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def _positive_scores(y_proba: Any) -> Any:
    return y_proba[:, 1]


def _worst_class_recall(y_true: Any, y_pred: Any, y_proba: Any, classes: np.ndarray) -> float:
    recalls = metrics.recall_score(
        y_true, y_pred, labels=list(np.unique(_as_numpy(y_true))), average=None, zero_division=0
    )
    return float(np.min(_as_numpy(recalls)))


def _roc_auc(y_true: Any, y_pred: Any, y_proba: Any, classes: np.ndarray) -> float:
    if len(classes) == 2:
        return metrics.roc_auc_score(y_true, _positive_scores(y_proba))
    return metrics.roc_auc_score(y_true, y_proba, multi_class="ovr", labels=list(classes))


def _binary_average_precision(truth: np.ndarray, y_proba: Any, column: int, label: Any) -> float:
    scores = y_proba[:, column]
    scores = scores.detach().cpu().numpy() if isinstance(scores, torch.Tensor) else scores
    return metrics.average_precision_score(truth == label, scores)


def _average_precision(y_true: Any, y_pred: Any, y_proba: Any, classes: np.ndarray) -> float:
    truth = _as_numpy(y_true)
    if len(classes) == 2:
        # PR-AUC of the minority class (the one an imbalance study is about), whatever the
        # labels' sort order; on a tie, the second class as before
        counts = [int(np.sum(truth == c)) for c in classes]
        positive = 0 if counts[0] < counts[1] else 1
        return _binary_average_precision(truth, y_proba, positive, classes[positive])
    onehot = (truth[:, None] == np.asarray(classes)[None, :]).astype(np.int64)
    scores = y_proba.detach().cpu().numpy() if isinstance(y_proba, torch.Tensor) else y_proba
    return metrics.average_precision_score(onehot, scores, average="macro")


def _codes(y_true: Any, classes: np.ndarray) -> np.ndarray:
    """Column index of each label in ``classes`` (the model's sorted labels)."""
    return np.searchsorted(np.asarray(classes), _as_numpy(y_true))


def _ece(y_true: Any, y_pred: Any, y_proba: Any, classes: np.ndarray) -> float:
    return metrics.expected_calibration_error(_codes(y_true, classes), _as_numpy(y_proba))


def recall_of(label: Any) -> Score:
    """The score "recall of class ``label``" (0 when the fold has none of it)."""

    def score(y_true: Any, y_pred: Any, y_proba: Any, classes: np.ndarray) -> float:
        truth, predicted = _as_numpy(y_true), _as_numpy(y_pred)
        members = truth == label
        return float(np.mean(predicted[members] == label)) if members.any() else 0.0

    return score


def average_precision_of(label: Any) -> Score:
    """The score "PR-AUC of class ``label``" of binary data, the same class in every fold
    (the built-in ``average_precision`` takes each fold's own minority, which can change from
    fold to fold on nearly balanced data)."""

    def score(y_true: Any, y_pred: Any, y_proba: Any, classes: np.ndarray) -> float:
        column = int(np.searchsorted(np.asarray(classes), label))
        return _binary_average_precision(_as_numpy(y_true), y_proba, column, label)

    return score


SCORES: dict[str, Score] = {
    "balanced_accuracy": lambda t, p, s, c: metrics.balanced_accuracy_score(t, p),
    "f1_macro": lambda t, p, s, c: metrics.f1_score(t, p, average="macro", zero_division=0),
    "g_mean": lambda t, p, s, c: metrics.geometric_mean_score(t, p, average="multiclass"),
    "mcc": lambda t, p, s, c: metrics.matthews_corrcoef(t, p),
    "worst_class_recall": _worst_class_recall,
    "accuracy": lambda t, p, s, c: metrics.accuracy_score(t, p),
    "roc_auc": _roc_auc,
    "average_precision": _average_precision,
    "ece": _ece,
}
"""Built-in scores by name; ``roc_auc``, ``average_precision`` (PR-AUC of the minority class
for two classes, whatever the labels' order; macro one-vs-rest for more) and ``ece``
(expected calibration error, top label, 15 bins) use the predicted probabilities. Higher is
better except for the names in :data:`LOWER_IS_BETTER`."""

LOWER_IS_BETTER = frozenset({"ece"})

_RANGES = {name: (0.0, 1.0) for name in SCORES} | {"mcc": (-1.0, 1.0)}


def score_range(name: str) -> tuple[float, float] | None:
    """The values the built-in score ``name`` can take, ``recall[<label>]`` (as
    :func:`recall_of` is named in ``compare``) included; ``None`` for a custom score."""
    if name.startswith("recall[") and name.endswith("]"):
        return (0.0, 1.0)
    return _RANGES.get(name)


_PROBA = frozenset({"roc_auc", "average_precision", "ece"})


def needs_proba(name: str) -> bool:
    """Whether the built-in score ``name`` reads probabilities."""
    return name in _PROBA


def check_scores(scores: Sequence[str] | Mapping[str, Score], owner: str) -> dict[str, Score]:
    """``{name: score}`` from names of built-in scores or a dict of callables."""
    if isinstance(scores, str):
        scores = [scores]
    if isinstance(scores, Mapping):
        bad = [name for name, fn in scores.items() if not callable(fn)]
        if bad:
            raise InvalidParameterError(
                f"{owner}: metrics[{bad[0]!r}] is not callable; a custom metric is "
                "score(y_true, y_pred, y_proba, classes) -> float."
            )
        return dict(scores)
    unknown = [name for name in scores if name not in SCORES]
    if unknown or not scores:
        raise InvalidParameterError(
            f"{owner}: metrics={list(scores)!r} is invalid; names must be among "
            f"{sorted(SCORES)} (or pass a dict of callables)."
        )
    return {name: SCORES[name] for name in scores}
