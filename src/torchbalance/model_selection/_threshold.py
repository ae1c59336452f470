"""Threshold moving: tune the decision rule of a probabilistic classifier on held-out data.

Binary: one threshold on the positive-class probability (like scikit-learn's
``TunedThresholdClassifierCV``). Multiclass: additive offsets on the log-probabilities, one per
class (a tuned prior correction; scikit-learn has no multiclass version). Multi-label: one
threshold per label. The decision rule is tuned on out-of-fold probabilities, so it is never
chosen on the data the model was trained on.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np
import torch

from .. import metrics
from .._types import GeneratorLike
from ..base import ParamsMixin
from ..exceptions import DataValidationError, InvalidParameterError, NotFittedError
from ..metrics._classification import (
    _balanced_accuracy_from_cm,
    _fscore,
    _gmean_multiclass,
    _nanaverage,
)
from ..utils import Interval, IsCallable, Options, derive_seed, host_generator, quantile
from ._iterative_stratification import MultilabelStratifiedKFold
from ._split import StratifiedKFold, StratifiedShuffleSplit
from ._validation import (
    classes_of,
    clone_estimator,
    seed_estimator,
    splits_of,
    take_rows,
    with_every_class,
)

__all__ = ["ThresholdTuner"]

_ROUNDS = 3  # coordinate-ascent sweeps over the classes (multiclass offsets)
_EPS = 1e-12


def _as_numpy(values: Any) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def _objective(
    objective: str | Callable[..., float], cost_matrix: np.ndarray | None, num_classes: int
) -> Callable[[torch.Tensor, torch.Tensor], float]:
    """``score(y_true_codes, y_pred_codes) -> float``, higher is better. A multiclass built-in
    objective (and ``"cost"``) is :func:`_confusion_objective` of the confusion matrix, so
    the offsets' running matrix scores exactly as the predictions do."""
    if callable(objective):
        return lambda t, p: float(objective(t, p))
    if num_classes > 2 or objective == "cost":
        confusion_score = _confusion_objective(objective, cost_matrix)
        assert confusion_score is not None
        return lambda t, p: confusion_score(metrics.confusion_matrix(t, p, num_classes=num_classes))
    if objective == "f1":
        return lambda t, p: metrics.f1_score(t, p, average="binary", zero_division=0)
    if objective == "balanced_accuracy":
        return lambda t, p: metrics.balanced_accuracy_score(t, p, num_classes=num_classes)
    return lambda t, p: metrics.geometric_mean_score(t, p, num_classes=num_classes)


def _confusion_objective(
    objective: str | Callable[..., float], cost_matrix: np.ndarray | None
) -> Callable[[torch.Tensor], float] | None:
    """A multiclass built-in objective as a function of the full ``(C, C)`` confusion matrix,
    through the metric functions' own helpers (macro F1 over the classes present, as
    ``f1_score`` without ``labels``); ``None`` for a user's callable. The tests check it
    against the public metric functions.
    """
    if callable(objective):
        return None
    if objective == "f1":  # macro over the classes present, as f1_score without labels

        def macro_f1(cm: torch.Tensor) -> float:
            present = (cm.sum(0) + cm.sum(1)) > 0
            tp, pred_sum, true_sum = (x[present] for x in (cm.diagonal(), cm.sum(0), cm.sum(1)))
            f1 = _fscore(tp, pred_sum, true_sum, 1.0, "macro", ("f-score",), 0, 0.0)
            return _nanaverage(f1)

        return macro_f1
    if objective == "balanced_accuracy":
        return lambda cm: _balanced_accuracy_from_cm(cm, adjusted=False)
    if objective == "g_mean":
        return lambda cm: _gmean_multiclass(cm.diagonal(), cm.sum(1), 0.0)
    costs = torch.as_tensor(cost_matrix, dtype=torch.float64)
    return lambda cm: -float((cm.double() * costs).sum()) / max(int(cm.sum()), 1)


def _counts_objective(
    objective: str | Callable[..., float], cost_matrix: np.ndarray | None
) -> Callable[..., torch.Tensor] | None:
    """A binary built-in objective of the rule ``score >= cut`` at many cuts at once, as a
    function of the float64 confusion counts ``(tn, fp, fn, tp)`` (one entry per cut), for
    truth that holds both classes; ``None`` for a user's callable. The same numbers as the
    metric functions (F1 of the positive class with ``zero_division=0``, the mean of the two
    recalls, the geometric mean of the two recalls, minus the mean cost); the tests check them
    against those functions at every cut.
    """
    if callable(objective):
        return None

    def recalls(
        tn: torch.Tensor, fp: torch.Tensor, fn: torch.Tensor, tp: torch.Tensor
    ) -> torch.Tensor:
        return torch.stack([tn / (tn + fp), tp / (tp + fn)], 1)

    if objective == "f1":
        return lambda tn, fp, fn, tp: torch.where(
            tp > 0, 2 * tp / (2 * tp + fp + fn), torch.zeros_like(tp)
        )
    if objective == "balanced_accuracy":
        return lambda tn, fp, fn, tp: recalls(tn, fp, fn, tp).mean(1)
    if objective == "g_mean":

        def g_mean(
            tn: torch.Tensor, fp: torch.Tensor, fn: torch.Tensor, tp: torch.Tensor
        ) -> torch.Tensor:
            r = recalls(tn, fp, fn, tp)
            return torch.where((r == 0).any(1), 0.0, torch.exp(torch.log(r).mean(1)))

        return g_mean
    costs = torch.as_tensor(cost_matrix, dtype=torch.float64).reshape(-1)
    return lambda tn, fp, fn, tp: -(torch.stack([tn, fp, fn, tp], 1) @ costs) / (tn + fp + fn + tp)


def _every_cut(
    scores: torch.Tensor, truth: torch.Tensor, objective: Callable[..., torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(cuts, values)``: every distinct score, ascending, then ``inf``, and the objective of
    the rule ``scores >= cut`` at each, from one sort and suffix sums of the class counts."""
    cuts, inverse = torch.unique(scores, return_inverse=True)
    k = cuts.numel()
    zero = scores.new_zeros(1, dtype=torch.float64)
    at_cut = torch.bincount(inverse, minlength=k).double()
    positives_at_cut = torch.bincount(inverse, weights=truth.double(), minlength=k)
    predicted = torch.cat([at_cut.flip(0).cumsum(0).flip(0), zero])
    tp = torch.cat([positives_at_cut.flip(0).cumsum(0).flip(0), zero])
    fp = predicted - tp
    positives = float(truth.sum())
    negatives = truth.numel() - positives
    values = objective(negatives - fp, fp, positives - tp, tp)
    return torch.cat([cuts.double(), cuts.new_tensor([math.inf], dtype=torch.float64)]), values


def _candidates(values: torch.Tensor, count: int) -> torch.Tensor:
    """At most ``count`` cut points spread over the distinct ``values`` (quantiles), plus the
    ends, so every achievable split of the sorted values is near one candidate.
    """
    unique = torch.unique(values.double())
    if unique.numel() > count:
        unique = quantile(unique, torch.linspace(0, 1, count, dtype=torch.float64))
    return torch.cat([unique, unique.new_tensor([math.inf])])


def _offset_scores(
    logp: torch.Tensor,
    offsets: torch.Tensor,
    truth: torch.Tensor,
    c: int,
    values: list[float],
    score: Callable[[torch.Tensor, torch.Tensor], float],
) -> Iterator[float]:
    """The objective with ``offsets[c]`` set to each value in turn (any objective)."""
    for value in values:
        trial = offsets.clone()
        trial[c] = value
        yield score(truth, (logp + trial).argmax(1))


def _offset_confusion_scores(
    logp: torch.Tensor,
    others: torch.Tensor,
    truth: torch.Tensor,
    c: int,
    values: list[float],
    confusion_score: Callable[[torch.Tensor], float],
) -> Iterator[float]:
    """What :func:`_offset_scores` gives for a built-in objective, from one confusion matrix
    updated as the ascending ``values`` move samples to class ``c`` (each moves once).

    ``others`` is ``logp + offsets`` with column ``c`` at ``-inf``. ``argmax(logp + trial)`` is
    ``c`` where ``logp[:, c] + value`` (the same float64 sum) beats the best other class, or
    ties it from a lower index; otherwise that other class.
    """
    num_classes = logp.shape[1]
    top, other = others.amax(1), others.argmax(1)  # argmax: the first maximum
    ahead = other > c  # wins a tie: argmax takes the first maximum
    grid = torch.tensor(values, dtype=torch.float64, device=logp.device)
    # index of the first value that moves each sample to c (len(values): none), in row chunks
    first = torch.empty_like(truth)
    rows = max(1, (1 << 20) // max(len(values), 1))
    for lo in range(0, truth.numel(), rows):
        gain = logp[lo : lo + rows, c, None] + grid
        level = top[lo : lo + rows, None]
        wins = (gain > level) | ((gain == level) & ahead[lo : lo + rows, None])
        first[lo : lo + rows] = len(values) - wins.sum(1)
    cm = torch.bincount(truth * num_classes + other, minlength=num_classes**2)
    cm = cm.reshape(num_classes, num_classes)
    order = torch.argsort(first, stable=True)
    moved_truth, moved_from = truth[order], other[order]
    stops = torch.bincount(first, minlength=len(values) + 1).cumsum(0).tolist()
    start, result = 0, math.nan
    for index in range(len(values)):
        stop = stops[index]
        if stop > start or index == 0:
            t, o = moved_truth[start:stop], moved_from[start:stop]
            cm.view(-1).index_add_(0, t * num_classes + o, torch.full_like(t, -1))
            cm[:, c] += torch.bincount(t, minlength=num_classes)
            result = confusion_score(cm)
        start = stop
        yield result


class ThresholdTuner(ParamsMixin):
    """Tune the decision threshold (binary), class offsets (multiclass) or per-label thresholds
    (multi-label) of a probabilistic classifier for an imbalance-aware objective.

    Args:
        model: Any estimator with ``fit`` and ``predict_proba`` (TorchClassifier,
            scikit-learn, imbalanced-learn, skorch). For multi-label ``y`` (an ``(n, L)`` 0/1
            matrix), ``predict_proba`` must return ``(n, L)`` per-label probabilities.
        objective: ``"f1"`` (binary: F1 of the positive class, the larger label; multiclass
            and multi-label: macro F1 / per-label F1), ``"balanced_accuracy"``, ``"g_mean"``,
            ``"cost"`` (minimise the mean of ``cost_matrix[true, predicted]``), or a callable
            ``score(y_true, y_pred) -> float`` on class codes ``0..C-1`` (higher is better).
        cost_matrix: ``(C, C)`` costs for ``objective="cost"``, rows true class, columns
            predicted, in the order of the sorted labels.
        cv: Number of stratified folds for out-of-fold probabilities, a splitter, a float in
            ``(0, 1)`` (one stratified hold-out of that fraction), or ``"prefit"`` (``model`` is
            already fitted; ``fit(X, y)`` tunes on ``(X, y)`` alone, which must be held out).
        refit: After tuning, refit ``model`` on all of ``(X, y)``. ``False`` is only for a
            float ``cv`` (keep the model trained on the hold-out's training part).
        n_thresholds: Candidate thresholds (or offsets per class) tried. A binary or
            per-label threshold with a built-in objective tries every distinct held-out
            probability instead (exactly, from one sort), so this applies there only to a
            callable objective (or a label with one class). Multiclass offsets try up to
            ``2 x 3 x n_classes x n_thresholds`` rules on the held-out predictions. A
            built-in objective scores them from one confusion matrix updated as samples
            change class (about 7 s for 30 classes and 3 000 rows on a 2-core CPU); a callable
            objective is called on each rule's predictions (about 25 s there): lower
            ``n_thresholds`` for many classes.
        generator: Int seed, ``torch.Generator`` or ``None``; seeds the folds and an
            unseeded model.

    Attributes:
        classes_: Sorted labels (binary / multiclass).
        threshold_: Binary: the tuned probability threshold of the positive class.
        offsets_: Multiclass: the tuned additive log-probability offsets, float64 ``(C,)``.
        thresholds_: Multi-label: the tuned threshold of each label, float64 ``(L,)``.
        best_score_: The objective at the tuned rule, on the held-out probabilities.
        default_score_: The objective of the default rule (0.5 / argmax) on the same data;
            the default is kept unless a candidate beats it, so ``best_score_ >=
            default_score_``.
        model_: The fitted model used by ``predict``.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> from torchbalance.datasets import make_classification
        >>> X, y = make_classification(1000, n_features=5, weights=[0.95, 0.05], generator=0)
        >>> tuner = ThresholdTuner(LogisticRegression(), objective="f1", generator=0)
        >>> tuner = tuner.fit(X.numpy(), y.numpy())
        >>> tuner.best_score_ >= tuner.default_score_
        True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "objective": [Options(("f1", "balanced_accuracy", "g_mean", "cost")), IsCallable()],
        "refit": [bool],
        "n_thresholds": [Interval(int, 2, None)],
        "generator": ["generator"],
    }

    def __init__(
        self,
        model: Any,
        *,
        objective: str | Callable[..., float] = "f1",
        cost_matrix: Any = None,
        cv: Any = 5,
        refit: bool = True,
        n_thresholds: int = 200,
        generator: GeneratorLike = None,
    ) -> None:
        self.model = model
        self.objective = objective
        self.cost_matrix = cost_matrix
        self.cv = cv
        self.refit = refit
        self.n_thresholds = n_thresholds
        self.generator = generator

    # -- checks -----------------------------------------------------------------------------------
    def _check(self, num_classes: int) -> np.ndarray | None:
        self._validate_params()
        if not hasattr(self.model, "predict_proba"):
            raise InvalidParameterError(
                f"ThresholdTuner: model {type(self.model).__name__} has no predict_proba(); "
                "threshold moving needs probabilities."
            )
        if self.objective == "cost":
            if self.cost_matrix is None:
                raise InvalidParameterError(
                    "ThresholdTuner: objective='cost' needs cost_matrix=(C, C) costs, rows the "
                    "true class and columns the predicted one."
                )
            costs = np.asarray(self.cost_matrix, dtype=np.float64)
            if costs.shape != (num_classes, num_classes) or not np.all(np.isfinite(costs)):
                raise InvalidParameterError(
                    f"ThresholdTuner: cost_matrix has shape {costs.shape}; it must be a finite "
                    f"({num_classes}, {num_classes}) matrix, one row and column per class."
                )
            return costs
        return None

    def _splits(self, X: Any, y_split: Any, seed: int, groups: Any) -> list[tuple[Any, Any]]:
        cv = self.cv
        multilabel = np.ndim(y_split) == 2
        if multilabel and isinstance(cv, float):
            raise InvalidParameterError(
                "ThresholdTuner: multi-label y needs cv=<int> folds (iterative stratification), "
                "a splitter or 'prefit'; a float hold-out is for single-label y."
            )
        if isinstance(cv, float):
            if not 0.0 < cv < 1.0:
                raise InvalidParameterError(
                    f"ThresholdTuner: cv={cv} is invalid; a hold-out fraction is in (0, 1)."
                )
            splitter: Any = StratifiedShuffleSplit(1, test_size=cv, generator=seed)
        elif isinstance(cv, numbers.Integral) and not isinstance(cv, bool):  # NumPy ints too
            kfold = MultilabelStratifiedKFold if multilabel else StratifiedKFold
            splitter = kfold(int(cv), shuffle=True, generator=seed)
        elif hasattr(cv, "split") and not isinstance(cv, str):
            splitter = cv
        else:
            raise InvalidParameterError(
                f"ThresholdTuner: cv={cv!r} is invalid; it must be a number of folds, a "
                "splitter, a hold-out fraction in (0, 1) or 'prefit'."
            )
        if not self.refit and not isinstance(cv, float):
            raise InvalidParameterError(
                "ThresholdTuner: refit=False needs cv=<float> (a single hold-out) or "
                "cv='prefit'; with several folds there is no single model to keep."
            )
        return splits_of(splitter, X, y_split, groups, "ThresholdTuner")

    # -- fitting ----------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, groups: Any = None) -> ThresholdTuner:
        """Fit ``model`` (out of fold, then on everything unless refit=False) and tune the rule;
        ``groups`` go to a group-aware splitter given as ``cv`` (e.g. patients in
        ``StratifiedGroupKFold``), so no group is on both sides of a fold."""
        raw = _as_numpy(y)
        multilabel = raw.ndim == 2
        if multilabel:
            if not np.isin(raw, (0, 1)).all():
                raise DataValidationError(
                    "ThresholdTuner: a 2-D y must be a 0/1 label matrix (multi-label)."
                )
            codes = torch.as_tensor(raw.astype(np.int64))
            num_classes = 2
            y_split: Any = raw
        else:
            self.classes_, inverse = np.unique(raw, return_inverse=True)
            codes = torch.as_tensor(inverse.reshape(-1).astype(np.int64))
            num_classes = len(self.classes_)
            if num_classes < 2:
                raise DataValidationError(
                    "ThresholdTuner: y has a single class; tuning needs at least two."
                )
            y_split = y
        costs = self._check(num_classes)
        seed = derive_seed(host_generator(self.generator, owner="ThresholdTuner"))
        probabilities = self._held_out_probabilities(X, y, y_split, codes, seed, groups)
        score = _objective(self.objective, costs, num_classes)
        if multilabel:
            self._tune_labels(
                probabilities.double(), score, _counts_objective(self.objective, costs)
            )
        elif num_classes == 2:
            counts_objective = _counts_objective(self.objective, costs)
            self._tune_binary(probabilities.double()[:, 1], score, counts_objective)
        else:
            confusion_score = _confusion_objective(self.objective, costs)
            self._tune_offsets(probabilities.double(), score, confusion_score)
        return self

    def _held_out_probabilities(
        self, X: Any, y: Any, y_split: Any, codes: torch.Tensor, seed: int, groups: Any
    ) -> torch.Tensor:
        multilabel = codes.dim() == 2
        if isinstance(self.cv, str):
            if self.cv != "prefit":
                raise InvalidParameterError(
                    f"ThresholdTuner: cv={self.cv!r} is invalid; the only string is 'prefit'."
                )
            if not multilabel:
                model_classes = classes_of(self.model, y)
                if not np.array_equal(model_classes, self.classes_):
                    # column j of predict_proba is the model's class j, not y's
                    raise DataValidationError(
                        f"ThresholdTuner: the prefit model's classes_ {model_classes.tolist()} "
                        f"differ from the classes in y {self.classes_.tolist()}; tune on "
                        "held-out data that holds every class of the model."
                    )
            self.model_ = self.model
            self._held_out_codes = codes
            return torch.as_tensor(_as_numpy(self.model.predict_proba(X)))
        splits = self._splits(X, y_split, seed, groups)
        held: list[torch.Tensor] = []
        rows_list: list[torch.Tensor] = []
        last = None
        for index, (train, test) in enumerate(splits):
            model = clone_estimator(self.model)
            seed_estimator(model, seed + 1 + index)
            y_train = take_rows(y, train)
            model.fit(take_rows(X, train), y_train)
            proba = _as_numpy(model.predict_proba(take_rows(X, test)))
            if not multilabel:  # a class absent from the training fold: probability 0
                proba, _ = with_every_class(proba, classes_of(model, y_train), self.classes_)
            held.append(torch.as_tensor(proba))
            rows_list.append(torch.as_tensor(_as_numpy(test)).long())
            last = model
        rows = torch.cat(rows_list)
        self._held_out_codes = codes[rows]
        if self.refit:
            self.model_ = clone_estimator(self.model)
            seed_estimator(self.model_, seed)
            self.model_.fit(X, y)
        else:
            self.model_ = last
        return torch.cat(held)

    def _best_cut(
        self,
        scores: torch.Tensor,
        truth: torch.Tensor,
        score: Callable,
        counts_objective: Callable[..., torch.Tensor] | None,
    ) -> tuple[float, float, float]:
        """``(threshold, best, default)`` for the rule ``scores >= threshold``. The default
        0.5 is kept unless a cut beats it. A built-in objective tries every distinct score
        (:func:`_every_cut`) when ``truth`` holds both classes; a callable one (or a label
        column with one class) tries ``n_thresholds`` quantiles of the scores."""
        default = score(truth, (scores >= 0.5).long())
        best, chosen = default, 0.5
        if counts_objective is not None and 0 < int(truth.sum()) < truth.numel():
            cuts, values = _every_cut(scores, truth, counts_objective)
            top = float(values.max())
            if top > best + _EPS:
                index = int(torch.nonzero(values == top)[0])  # the lowest such cut
                best, chosen = top, float(cuts[index])
            return chosen, best, default
        for threshold in _candidates(scores, self.n_thresholds).tolist():
            value = score(truth, (scores >= threshold).long())
            if value > best + _EPS:
                best, chosen = value, threshold
        return chosen, best, default

    def _tune_binary(
        self, scores: torch.Tensor, score: Callable, counts_objective: Callable | None
    ) -> None:
        self.threshold_, self.best_score_, self.default_score_ = self._best_cut(
            scores, self._held_out_codes, score, counts_objective
        )

    def _tune_labels(
        self, scores: torch.Tensor, score: Callable, counts_objective: Callable | None
    ) -> None:
        truth = self._held_out_codes
        cuts = [
            self._best_cut(scores[:, label], truth[:, label], score, counts_objective)
            for label in range(scores.shape[1])
        ]
        thresholds, bests, defaults = zip(*cuts, strict=True)
        self.thresholds_ = torch.tensor(thresholds, dtype=torch.float64)
        self.best_score_ = float(np.mean(bests))
        self.default_score_ = float(np.mean(defaults))

    def _tune_offsets(
        self,
        probabilities: torch.Tensor,
        score: Callable,
        confusion_score: Callable[[torch.Tensor], float] | None,
    ) -> None:
        truth = self._held_out_codes
        logp = probabilities.clamp(min=1e-12).log()
        num_classes = logp.shape[1]
        self.default_score_ = score(truth, logp.argmax(1))
        prior = torch.bincount(truth, minlength=num_classes).double().clamp(min=1)
        starts = [torch.zeros(num_classes, dtype=torch.float64), -(prior / prior.sum()).log()]
        best_offsets, best = starts[0], -math.inf
        for offsets in starts:
            offsets = offsets.clone()
            current = score(truth, (logp + offsets).argmax(1))
            for _ in range(_ROUNDS):
                improved = False
                for c in range(num_classes):
                    others = logp + offsets
                    others[:, c] = -math.inf
                    # offset at which each sample would switch to class c
                    switch = others.max(1).values - logp[:, c]
                    values = [
                        value + 1e-9
                        for value in _candidates(
                            switch[torch.isfinite(switch)], self.n_thresholds
                        ).tolist()
                        if math.isfinite(value)
                    ]
                    if confusion_score is None:
                        results = _offset_scores(logp, offsets, truth, c, values, score)
                    else:
                        results = _offset_confusion_scores(
                            logp, others, truth, c, values, confusion_score
                        )
                    for value, result in zip(values, results, strict=True):
                        if result > current + _EPS:
                            current, improved = result, True
                            offsets = offsets.clone()
                            offsets[c] = value
                if not improved:
                    break
            if current > best + _EPS:
                best, best_offsets = current, offsets
        self.offsets_ = best_offsets - best_offsets.mean()
        self.best_score_ = float(best)

    # -- prediction -------------------------------------------------------------------------------
    def predict_proba(self, X: Any) -> Any:
        """The model's probabilities (unchanged: threshold moving does not calibrate)."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This ThresholdTuner is not fitted yet; call fit(X, y) first.")
        return self.model_.predict_proba(X)

    def predict(self, X: Any) -> Any:
        """Labels under the tuned rule (a 0/1 matrix for multi-label)."""
        probabilities = torch.as_tensor(_as_numpy(self.predict_proba(X))).double()
        if hasattr(self, "thresholds_"):
            return (probabilities >= self.thresholds_).long().numpy()
        if hasattr(self, "threshold_"):
            codes = (probabilities[:, 1] >= self.threshold_).long()
        else:
            codes = (probabilities.clamp(min=1e-12).log() + self.offsets_).argmax(1)
        return self.classes_[codes.numpy()]
