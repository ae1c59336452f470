"""Streaming metrics as ``nn.Module``: ``update`` per batch, ``compute`` at the end, ``reset``.

Count states (the confusion matrix, calibration bins, Brier sums, score histograms) are summed
across processes with ``torch.distributed.all_reduce`` when a process group is initialised, so
``compute()`` gives every rank the metric of the whole data set. Curve metrics (ROC AUC,
average precision) are either exact (scores are kept and gathered from every rank) or binned
(per-class score histograms; the ROC AUC error is bounded and reported).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from ..exceptions import DataValidationError, InvalidParameterError
from ._calibration import calibration_bins, ece_from_bins
from ._classification import (
    _balanced_accuracy_from_cm,
    _gmean_multiclass,
    _kappa_from_cm,
    _mcc_from_cm,
    _prf_from_counts,
    _ss_from_counts,
)
from ._common import check_zero_division, row_sum_deviation
from ._ranking import _average_columns, _binary_ap, _binary_auc

__all__ = ["ConfusionMatrix", "ImbalanceMetrics"]

LABEL_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "geometric_mean",
    "mcc",
    "cohen_kappa",
    "macro_f1",
    "weighted_f1",
    "micro_f1",
    "macro_precision",
    "macro_recall",
    "precision",
    "recall",
    "specificity",
    "f1",
    "iba",
    "support",
    "confusion_matrix",
)
SCORE_METRICS = ("roc_auc", "average_precision", "ece", "brier")
DEFAULT_METRICS = ("accuracy", "balanced_accuracy", "geometric_mean", "mcc", "macro_f1")


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def _collective_device(tensor: torch.Tensor) -> torch.device:
    """Where ``tensor`` must be for a collective: NCCL takes only CUDA tensors, so a metric
    left on the CPU (never moved with ``.to(device)``) syncs through the rank's GPU."""
    if dist.get_backend() == "nccl" and tensor.device.type != "cuda":
        return torch.device("cuda", torch.cuda.current_device())
    return tensor.device


def _sum_across(tensor: torch.Tensor) -> torch.Tensor:
    """A copy of ``tensor`` summed over all processes (itself when not distributed)."""
    if not _distributed():
        return tensor.clone()
    out = tensor.to(_collective_device(tensor), copy=True)
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out.to(tensor.device)


def _gather_rows(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` (variable first dimension) from every process, in rank order;
    the result is on ``tensor``'s device."""
    if not _distributed():
        return tensor
    home = tensor.device
    tensor = tensor.to(_collective_device(tensor))
    world = dist.get_world_size()
    size = torch.tensor([tensor.shape[0]], device=tensor.device, dtype=torch.long)
    sizes = [torch.zeros_like(size) for _ in range(world)]
    dist.all_gather(sizes, size)
    longest = int(max(int(s) for s in sizes))
    padded = tensor.new_zeros((longest, *tensor.shape[1:]))
    padded[: tensor.shape[0]] = tensor
    parts = [torch.zeros_like(padded) for _ in range(world)]
    dist.all_gather(parts, padded)
    return torch.cat([p[: int(s)] for p, s in zip(parts, sizes, strict=True)]).to(home)


def _check_target(target: Any, num_classes: int, owner: str, name: str = "target") -> torch.Tensor:
    if not isinstance(target, torch.Tensor):
        target = torch.as_tensor(target)
    if target.dim() != 1:
        raise DataValidationError(
            f"{owner}: {name} must be 1-D (batch,), got shape {tuple(target.shape)}."
        )
    if target.is_floating_point() or target.is_complex():
        raise DataValidationError(
            f"{owner}: {name} has dtype {target.dtype}; class labels must be integers "
            f"(use {name}.long())."
        )
    target = target.long()
    if target.numel() and (int(target.min()) < 0 or int(target.max()) >= num_classes):
        bad = int(target.min()) if int(target.min()) < 0 else int(target.max())
        raise DataValidationError(
            f"{owner}: {name} holds the label {bad}, outside [0, {num_classes}) given by "
            f"num_classes={num_classes}."
        )
    return target


class _Predictions:
    """Labels and (when given) probabilities of one batch."""

    def __init__(
        self, preds: Any, target: torch.Tensor, num_classes: int, threshold: float, owner: str
    ) -> None:
        if not isinstance(preds, torch.Tensor):
            preds = torch.as_tensor(preds)
        if preds.shape[0] != target.shape[0]:
            raise DataValidationError(
                f"{owner}: preds has {preds.shape[0]} samples but target has "
                f"{target.shape[0]}; they must have the same length."
            )
        if preds.device != target.device:
            raise DataValidationError(
                f"{owner}: preds is on {preds.device} but target is on {target.device}; move "
                "both to one device."
            )
        self.probs: torch.Tensor | None = None  # (n, C) or (n,) for binary
        if preds.is_floating_point():
            if preds.numel() and not bool(torch.isfinite(preds).all()):
                raise DataValidationError(
                    f"{owner}: preds contains {int(torch.isnan(preds).sum())} NaN and "
                    f"{int(torch.isinf(preds).sum())} infinite values; every score must be finite."
                )
            if preds.dim() == 1:
                if num_classes != 2:
                    raise DataValidationError(
                        f"{owner}: 1-D float preds are probabilities of class 1 and need "
                        f"num_classes=2 (got {num_classes}); pass (batch, num_classes) scores."
                    )
                if preds.numel() and (float(preds.min()) < 0 or float(preds.max()) > 1):
                    raise DataValidationError(
                        f"{owner}: 1-D float preds are probabilities of class 1, but these "
                        "hold values outside [0, 1] (logits?); apply sigmoid first."
                    )
                self.probs = preds
                self.labels = (preds >= threshold).long()
            elif preds.dim() == 2 and preds.shape[1] == num_classes:
                self.probs = preds
                self.labels = preds.argmax(1)
            else:
                raise DataValidationError(
                    f"{owner}: preds has shape {tuple(preds.shape)}; pass (batch,) labels, "
                    f"(batch, {num_classes}) probabilities"
                    + (" or (batch,) probabilities of class 1." if num_classes == 2 else ".")
                )
        else:
            if preds.dim() != 1:
                raise DataValidationError(
                    f"{owner}: integer preds must be 1-D labels (batch,), got shape "
                    f"{tuple(preds.shape)}."
                )
            self.labels = _check_target(preds, num_classes, owner, "preds")
        self.owner = owner

    def positive_scores(self, num_classes: int) -> torch.Tensor:
        """Scores for the curve metrics: ``(n,)`` for binary, ``(n, C)`` otherwise."""
        assert self.probs is not None
        if num_classes == 2:
            return self.probs if self.probs.dim() == 1 else self.probs[:, 1]
        return self.probs

    def probabilities(self, num_classes: int) -> torch.Tensor:
        """Validated probabilities ``(n, C)`` (``(n,)`` kept for binary)."""
        owner = self.owner
        if self.probs is None:
            raise DataValidationError(
                f"{owner}: the requested score metrics need probabilities; preds holds labels. "
                "Pass (batch, num_classes) probabilities (softmax of the logits)."
            )
        p = self.probs
        if p.numel() and (float(p.min()) < 0 or float(p.max()) > 1):
            raise DataValidationError(
                f"{owner}: preds holds values outside [0, 1]; the score metrics need "
                "probabilities (apply softmax/sigmoid first)."
            )
        if p.dim() == 2:
            worst = row_sum_deviation(p)
            if worst is not None:
                raise DataValidationError(
                    f"{owner}: the rows of preds must sum to one for the score metrics "
                    f"(largest deviation {worst:.3g}); apply softmax."
                )
        return p


class ConfusionMatrix(nn.Module):
    """Streaming confusion matrix, summed across processes on ``compute()``.

    Args:
        num_classes: Number of classes ``C``; labels must be ``0..C-1``.
        threshold: For binary (``num_classes=2``) 1-D float predictions, the probability at
            or above which class 1 is predicted.

    Shape:
        ``update(preds, target)``: ``preds`` ``(batch,)`` integer labels, ``(batch, C)``
        scores (argmax is taken) or, for ``C=2``, ``(batch,)`` probabilities of class 1;
        ``target`` ``(batch,)`` integer labels. ``compute()`` returns ``(C, C)`` int64 counts
        (rows: true class).

    Raises:
        InvalidParameterError: A bad ``num_classes`` or ``threshold``.
        DataValidationError: (in ``update``) mismatched lengths, labels outside
            ``0..C-1``, NaN scores, a wrong shape.

    Example:
        >>> import torch
        >>> cm = ConfusionMatrix(num_classes=3)
        >>> cm.update(torch.tensor([0, 1, 1]), torch.tensor([0, 1, 2]))
        >>> cm.update(torch.tensor([[0.1, 0.2, 0.7]]), torch.tensor([2]))
        >>> cm.compute()
        tensor([[1, 0, 0],
                [0, 1, 0],
                [0, 1, 1]])
    """

    confmat: torch.Tensor

    def __init__(self, num_classes: int, *, threshold: float = 0.5) -> None:
        super().__init__()
        _check_init(type(self).__name__, num_classes, threshold)
        self.num_classes = int(num_classes)
        self.threshold = float(threshold)
        self.register_buffer("confmat", torch.zeros(num_classes, num_classes, dtype=torch.long))

    def _batch(self, preds: Any, target: Any) -> tuple[torch.Tensor, _Predictions]:
        owner = f"{type(self).__name__}.update"
        t = _check_target(target, self.num_classes, owner)
        p = _Predictions(preds, t, self.num_classes, self.threshold, owner)
        return t, p

    def _add(self, target: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        c = self.num_classes
        batch = torch.bincount(target * c + labels, minlength=c * c).reshape(c, c)
        self.confmat += batch.to(self.confmat.device)
        return batch

    @torch.no_grad()
    def update(self, preds: Any, target: Any) -> None:
        """Add a batch's predictions to the counts."""
        t, p = self._batch(preds, target)
        self._add(t, p.labels)

    def forward(self, preds: Any, target: Any) -> torch.Tensor:
        """Add a batch and return that batch's own confusion matrix."""
        with torch.no_grad():
            t, p = self._batch(preds, target)
            return self._add(t, p.labels)

    def compute(self) -> torch.Tensor:
        """The confusion matrix of all batches on all processes."""
        return _sum_across(self.confmat)

    def reset(self) -> None:
        """Forget all batches."""
        self.confmat.zero_()


def _check_init(owner: str, num_classes: Any, threshold: Any) -> None:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise InvalidParameterError(
            f"{owner}: num_classes={num_classes!r} is invalid; it must be an int in [2, inf)."
        )
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not 0 <= threshold <= 1
    ):
        raise InvalidParameterError(
            f"{owner}: threshold={threshold!r} is invalid; it must be a float in [0, 1]."
        )


class ImbalanceMetrics(ConfusionMatrix):
    """Several imbalance-aware metrics over a stream of batches, synced across processes.

    Label metrics come from one confusion matrix (``C x C`` counts) and equal the functional
    metrics called with ``num_classes=C`` on all the data: ``"accuracy"``,
    ``"balanced_accuracy"``, ``"geometric_mean"`` (``average="multiclass"``), ``"mcc"``,
    ``"cohen_kappa"``, ``"macro_f1"``, ``"weighted_f1"``, ``"micro_f1"``, ``"macro_precision"``,
    ``"macro_recall"``, per class ``"precision"``, ``"recall"``, ``"specificity"``, ``"f1"``,
    ``"iba"`` (index balanced accuracy of the G-mean, ``alpha``), ``"support"`` and
    ``"confusion_matrix"``. Score metrics need probabilities: ``"roc_auc"`` (binary, or
    one-vs-rest macro), ``"average_precision"`` (binary, or macro over classes), ``"ece"``
    (``n_bins`` bins, exact; for ``C=2`` the calibration of the probability of class 1, else
    top-label) and ``"brier"`` (exact).

    With ``curves="exact"`` the scores are kept (``O(n)`` memory) and gathered from every rank
    on ``compute()``: ROC AUC and AP equal :func:`roc_auc_score` /
    :func:`average_precision_score`. With ``curves="binned"`` only per-class histograms of
    ``curve_bins`` equal-width score bins are kept (``O(C * curve_bins)``): scores in one bin
    count as tied, so the ROC AUC is off by at most
    ``0.5 * sum_b pos_b * neg_b / (P * N)``, which ``compute()`` reports as
    ``"roc_auc_error_bound"`` (it shrinks like ``1 / curve_bins`` for continuous scores). The
    binned AP is the exact AP of scores rounded down to their bin's lower edge.

    Args:
        num_classes: Number of classes ``C >= 2``.
        metrics: Names of the metrics to compute (default: accuracy, balanced accuracy,
            G-mean, MCC, macro F1).
        curves: ``"exact"`` or ``"binned"``.
        curve_bins: Histogram bins per class for ``curves="binned"``.
        n_bins: Confidence bins of the ECE.
        zero_division: As in :func:`precision_recall_fscore_support`.
        alpha: IBA weight.
        threshold: Binary probability threshold for the predicted label.

    Raises:
        InvalidParameterError: Unknown metric names or bad parameters.
        DataValidationError: (in ``update``) mismatched lengths, labels outside ``0..C-1``,
            NaN scores, probabilities outside [0, 1] or not summing to one when score metrics
            are asked for.

    Example:
        >>> import torch
        >>> m = ImbalanceMetrics(num_classes=3, metrics=["balanced_accuracy", "macro_f1"])
        >>> m.update(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 2]))
        >>> m.update(torch.tensor([2, 2]), torch.tensor([2, 0]))
        >>> {k: round(v, 4) for k, v in m.compute().items()}
        {'balanced_accuracy': 0.6667, 'macro_f1': 0.6556}
    """

    ece_bins: torch.Tensor
    brier_sums: torch.Tensor
    hist: torch.Tensor

    def __init__(
        self,
        num_classes: int,
        metrics: Sequence[str] = DEFAULT_METRICS,
        *,
        curves: str = "exact",
        curve_bins: int = 1000,
        n_bins: int = 15,
        zero_division: Any = "warn",
        alpha: float = 0.1,
        threshold: float = 0.5,
    ) -> None:
        super().__init__(num_classes, threshold=threshold)
        owner = type(self).__name__
        if isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics):
            raise InvalidParameterError(
                f"{owner}: metrics={metrics!r} is invalid; it must be a list of metric names."
            )
        unknown = [m for m in metrics if m not in LABEL_METRICS + SCORE_METRICS]
        if unknown or not metrics:
            raise InvalidParameterError(
                f"{owner}: metrics={list(metrics)!r} is invalid; names must be among "
                f"{list(LABEL_METRICS + SCORE_METRICS)}."
            )
        if curves not in ("exact", "binned"):
            raise InvalidParameterError(
                f"{owner}: curves={curves!r} is invalid; it must be one of {{'exact', 'binned'}}."
            )
        for name, value in (("curve_bins", curve_bins), ("n_bins", n_bins)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidParameterError(
                    f"{owner}: {name}={value!r} is invalid; it must be an int in [1, inf)."
                )
        check_zero_division(zero_division, owner)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise InvalidParameterError(f"{owner}: alpha={alpha!r} is invalid; it must be a float.")
        self.metrics = list(metrics)
        self.curves = curves
        self.curve_bins = int(curve_bins)
        self.n_bins = int(n_bins)
        self.zero_division = zero_division
        self.alpha = float(alpha)
        self._needs_curves = any(m in ("roc_auc", "average_precision") for m in metrics)
        self._needs_probs = any(m in SCORE_METRICS for m in metrics)
        n_cols = 1 if num_classes == 2 else num_classes
        self.register_buffer("ece_bins", torch.zeros(3, n_bins, dtype=torch.float64))
        self.register_buffer("brier_sums", torch.zeros(2, dtype=torch.float64))
        self.register_buffer("hist", torch.zeros(2, n_cols, self.curve_bins, dtype=torch.long))
        self._scores: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []

    def _add_scores(self, target: torch.Tensor, pred: _Predictions) -> None:
        c = self.num_classes
        probs = pred.probabilities(c)
        if "ece" in self.metrics:
            if c == 2:  # binary: calibration of the probability of class 1
                conf = pred.positive_scores(c).double()
                acc = target.double()
            else:
                top, arg = probs.max(1)
                conf, acc = top.double(), (arg == target).double()
            count, conf_sum, acc_sum = calibration_bins(conf, acc, self.n_bins)
            self.ece_bins += torch.stack([count, conf_sum, acc_sum]).to(self.ece_bins.device)
        if "brier" in self.metrics:
            if probs.dim() == 1:
                sq = ((target.double() - probs.double()) ** 2).sum()  # scikit-learn's binary form
            else:
                onehot = torch.nn.functional.one_hot(target, c).double()
                sq = ((onehot - probs.double()) ** 2).sum()
                if c == 2:
                    sq = sq / 2
            add = torch.stack([sq, sq.new_tensor(float(target.numel()))])
            self.brier_sums += add.to(self.brier_sums.device)
        if not self._needs_curves:
            return
        scores = pred.positive_scores(c)
        if self.curves == "exact":
            self._scores.append(scores.detach())
            self._targets.append(target.detach())
            return
        s = scores.reshape(scores.shape[0], -1)
        positive = (
            (target == 1).reshape(-1, 1)
            if c == 2
            else torch.nn.functional.one_hot(target, c).bool()
        )
        index = (s.double() * self.curve_bins).floor().long().clamp(0, self.curve_bins - 1)
        cols = torch.arange(s.shape[1], device=s.device).expand_as(index)
        flat = cols * self.curve_bins + index
        size = s.shape[1] * self.curve_bins
        pos = torch.bincount(flat[positive], minlength=size).reshape(s.shape[1], -1)
        neg = torch.bincount(flat[~positive], minlength=size).reshape(s.shape[1], -1)
        self.hist += torch.stack([pos, neg]).to(self.hist.device)

    @torch.no_grad()
    def update(self, preds: Any, target: Any) -> None:
        """Add a batch: labels, ``(batch, C)`` probabilities, or binary probabilities."""
        t, p = self._batch(preds, target)
        if self._needs_probs:
            self._add_scores(t, p)
        self._add(t, p.labels)

    def forward(self, preds: Any, target: Any) -> torch.Tensor:
        """Add a batch (as ``update``) and return that batch's confusion matrix."""
        with torch.no_grad():
            t, p = self._batch(preds, target)
            if self._needs_probs:
                self._add_scores(t, p)
            return self._add(t, p.labels)

    def reset(self) -> None:
        """Forget all batches."""
        super().reset()
        self.ece_bins.zero_()
        self.brier_sums.zero_()
        self.hist.zero_()
        self._scores.clear()
        self._targets.clear()

    def compute(self) -> dict[str, Any]:  # type: ignore[override]
        """All requested metrics over every batch on every process.

        Returns:
            A dict from metric name to a float (per-class metrics: float64 tensors of shape
            ``(C,)``; ``"confusion_matrix"``: ``(C, C)`` int64), plus
            ``"roc_auc_error_bound"`` when ROC AUC is binned.
        """
        cm = _sum_across(self.confmat)
        results: dict[str, Any] = {}
        c = cm.double()
        tp, true_sum, pred_sum = cm.diagonal(), cm.sum(1), cm.sum(0)
        n = int(cm.sum())
        tn = n - (pred_sum + true_sum - tp)
        zd = self.zero_division

        def prf(average: Any) -> tuple[Any, Any, Any, Any]:
            return _prf_from_counts(
                tp, pred_sum, true_sum, beta=1.0, average=average,
                warn_for=("precision", "recall", "f-score"), zero_division=zd,
            )  # fmt: skip

        for name in self.metrics:
            if name == "accuracy":
                results[name] = float(c.trace() / c.sum()) if n else math.nan
            elif name == "balanced_accuracy":
                results[name] = _balanced_accuracy_from_cm(cm, False)
            elif name == "geometric_mean":
                results[name] = _gmean_multiclass(tp, true_sum, 0.0)
            elif name == "mcc":
                results[name] = _mcc_from_cm(cm)
            elif name == "cohen_kappa":
                results[name] = _kappa_from_cm(cm, None, math.nan)
            elif name in ("macro_f1", "weighted_f1", "micro_f1"):
                results[name] = prf(name.split("_")[0])[2]
            elif name == "macro_precision":
                results[name] = prf("macro")[0]
            elif name == "macro_recall":
                results[name] = prf("macro")[1]
            elif name in ("precision", "recall", "f1"):
                results[name] = prf(None)[("precision", "recall", "f1").index(name)]
            elif name == "support":
                results[name] = true_sum
            elif name in ("specificity", "iba"):
                sen, spe, _ = _ss_from_counts(
                    tp, pred_sum, true_sum, tn, None, ("sensitivity", "specificity"), False
                )
                if name == "specificity":
                    results[name] = spe
                else:
                    results[name] = (1.0 + self.alpha * (sen - spe)) * (sen * spe)
            elif name == "confusion_matrix":
                results[name] = cm
            elif name == "ece":
                bins = _sum_across(self.ece_bins)
                results[name] = ece_from_bins(bins[0], bins[1], bins[2], "l1")
            elif name == "brier":
                sums = _sum_across(self.brier_sums)
                results[name] = float(sums[0] / sums[1])
        if self._needs_curves:
            results.update(self._curve_metrics())
        return results

    def _curve_metrics(self) -> dict[str, Any]:
        c = self.num_classes
        out: dict[str, Any] = {}
        if self.curves == "exact":
            device = self.confmat.device
            if self._scores:
                scores = torch.cat(self._scores).double()  # one dtype on every rank
                targets = torch.cat(self._targets)
            else:  # a rank that saw no batch still takes part in the gather
                shape = (0,) if c == 2 else (0, c)
                scores = torch.zeros(shape, device=device, dtype=torch.float64)
                targets = torch.zeros(0, dtype=torch.long, device=device)
            scores, targets = _gather_rows(scores), _gather_rows(targets)
            if c == 2:
                y = (targets == 1).reshape(-1, 1)
                s = scores.reshape(-1, 1)
            else:
                y = torch.nn.functional.one_hot(targets, c).bool()
                s = scores
            if "roc_auc" in self.metrics:
                out["roc_auc"] = _average_columns(_binary_auc, y, s, "macro", False)
            if "average_precision" in self.metrics:
                out["average_precision"] = _average_columns(_binary_ap, y, s, "macro", False)
            return out
        hist = _sum_across(self.hist).double()
        pos, neg = hist[0].flip(1), hist[1].flip(1)  # highest bin first
        aucs, aps, bounds = [], [], []
        for k in range(pos.shape[0]):
            p_tot, n_tot = float(pos[k].sum()), float(neg[k].sum())
            tps, fps = torch.cumsum(pos[k], 0), torch.cumsum(neg[k], 0)
            if p_tot == 0 or n_tot == 0:
                aucs.append(math.nan)
                bounds.append(math.nan)
            else:
                tpr = torch.cat([tps.new_zeros(1), tps]) / p_tot
                fpr = torch.cat([fps.new_zeros(1), fps]) / n_tot
                aucs.append(float(torch.trapezoid(tpr, fpr)))
                bounds.append(float(0.5 * (pos[k] * neg[k]).sum() / (p_tot * n_tot)))
            used = (pos[k] + neg[k]) > 0
            t_used, f_used = tps[used], fps[used]
            if p_tot == 0 or t_used.numel() == 0:
                aps.append(0.0)
            else:
                precision = t_used / (t_used + f_used)
                recall = t_used / p_tot
                prev = torch.cat([recall.new_zeros(1), recall[:-1]])
                aps.append(float(((recall - prev) * precision).sum()))
        if "roc_auc" in self.metrics:
            out["roc_auc"] = float(torch.tensor(aucs, dtype=torch.float64).mean())
            out["roc_auc_error_bound"] = float(torch.tensor(bounds, dtype=torch.float64).mean())
        if "average_precision" in self.metrics:
            out["average_precision"] = float(torch.tensor(aps, dtype=torch.float64).mean())
        return out
