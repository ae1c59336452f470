"""What the deep one-class detectors share: validation, standardisation, the training loop,
the threshold, labels, and the conversions at the boundary.

Convention of the whole subpackage: an **anomaly score is higher for more anomalous samples**
(scikit-learn's ``IsolationForest.score_samples`` uses the opposite sign).
"""

from __future__ import annotations

import itertools
import math
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from ..base import ClassifierMixin, ParamsMixin
from ..exceptions import DataValidationError, InvalidParameterError, NotFittedError
from ..models import TRAINING_CONSTRAINTS
from ..utils import (
    InstanceOf,
    Interval,
    check_feature_names,
    check_features,
    check_labels,
    derive_seed,
    host_generator,
    print_epoch,
    quantile,
    remember_feature_names,
    resolve_device,
)

__all__ = ["BaseDetector"]

_PREDICT_BATCH = 8192


def check_sizes(owner: str, name: str, sizes: Any, *, allow_empty: bool) -> None:
    ok = isinstance(sizes, (tuple, list)) and (allow_empty or len(sizes) > 0)
    if ok and not all(Interval(int, 1, None).is_satisfied_by(h) for h in sizes):
        ok = False
    if not ok:
        empty = "" if allow_empty else "non-empty "
        raise InvalidParameterError(
            f"{owner}: {name}={sizes!r} is invalid; it must be a {empty}tuple of ints >= 1 "
            "(e.g. (64, 16))."
        )


class BaseDetector(ClassifierMixin, ParamsMixin):
    """Template of a deep one-class detector trained by mini-batch AdamW.

    Subclasses build the network (``_build``), give the training loss of a batch
    (``_batch_loss``) and the anomaly score of each sample of a batch (``_batch_scores``);
    ``_after_build`` runs once before training (Deep SVDD fixes its centre there).
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_sizes": [InstanceOf((tuple, list), name="a tuple of ints")],
        "contamination": [Interval(float, 0, 0.5, closed="right")],
        "normal_class": [InstanceOf((object,), name="a class label or None")],
        **TRAINING_CONSTRAINTS,
    }

    hidden_sizes: Sequence[int] | None
    contamination: float
    normal_class: Any
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    device: str | torch.device
    generator: int | torch.Generator | None
    progress: bool

    # -- hooks ------------------------------------------------------------------------------------
    @abstractmethod
    def _build(self, n_features: int) -> nn.Module:
        """The network (built under the fit's seed)."""

    @abstractmethod
    def _batch_loss(self, batch: torch.Tensor) -> torch.Tensor:
        """The scalar training loss of a standardised ``(b, d)`` float32 batch."""

    @abstractmethod
    def _batch_scores(self, batch: torch.Tensor) -> torch.Tensor:
        """``(b,)`` anomaly scores of a standardised batch (higher = more anomalous)."""

    def _after_build(self, X: torch.Tensor, seed: int) -> None:
        """Run once after the network is built, before training (default: nothing)."""

    def _check_sizes(self) -> None:
        """Check ``hidden_sizes`` (a non-empty tuple of positive ints by default)."""
        check_sizes(self._owner, "hidden_sizes", self.hidden_sizes, allow_empty=False)

    # -- fitting ----------------------------------------------------------------------------------
    @property
    def _owner(self) -> str:
        return type(self).__name__

    def _check_param_values(self) -> torch.device:
        self._validate_params()
        self._check_sizes()
        return resolve_device(self.device, self._owner)

    def _training_rows(self, X: torch.Tensor, y: Any) -> torch.Tensor:
        """Rows to train on; sets ``classes_``, ``normal_class_``, ``outlier_class_``."""
        owner = self._owner
        if y is None:
            if self.normal_class is not None:
                raise InvalidParameterError(
                    f"{owner}: normal_class={self.normal_class!r} needs y; pass fit(X, y) or "
                    "leave normal_class=None to train on all of X."
                )
            self.classes_ = np.array([0, 1])
            self.normal_class_, self.outlier_class_ = 0, 1
            self._supervised = False
            return torch.arange(X.shape[0], device=X.device)
        codes, converter = check_labels(y, owner=owner)
        if codes.shape[0] != X.shape[0]:
            raise DataValidationError(
                f"{owner}: X has {X.shape[0]} samples but y has {codes.shape[0]}; they must "
                "have the same length."
            )
        values, dense, counts = torch.unique(codes.cpu(), return_inverse=True, return_counts=True)
        classes = converter.label_array(values)  # the caller's values and dtype
        if classes.size != 2:
            raise DataValidationError(
                f"{owner}: y has {classes.size} class(es) {classes.tolist()}; a detector given "
                "y needs exactly 2 (the normal class and the anomalies). Pass y=None to train "
                "on all of X, or map y to two classes first."
            )
        if self.normal_class is None:
            normal = int(counts.argmax())  # the most frequent class (ties: the smaller label)
        else:
            hits = [i for i, c in enumerate(classes.tolist()) if c == self.normal_class]
            if not hits:
                raise InvalidParameterError(
                    f"{owner}: normal_class={self.normal_class!r} is invalid; it must be one of "
                    f"the classes in y, {classes.tolist()}, or None (the most frequent class)."
                )
            normal = hits[0]
        self.classes_ = classes
        self.normal_class_ = _scalar(classes[normal])
        self.outlier_class_ = _scalar(classes[1 - normal])
        self._supervised = True
        return torch.nonzero(dense == normal).reshape(-1).to(X.device)

    def fit(self, X: Any, y: Any = None) -> Any:
        """Train on ``X`` (all rows), or on the normal-class rows of ``X`` when ``y`` is given.

        Args:
            X: Features ``(n_samples, n_features)`` (or ``(n_samples, *shape)``, flattened):
                tensor, NumPy array, DataFrame or nested list; numeric and finite.
            y: ``None``, or labels ``(n_samples,)`` of exactly two classes; the detector then
                trains on the ``normal_class`` rows only and ``predict`` returns labels.

        Returns:
            ``self``.

        Raises:
            InvalidParameterError: For an invalid parameter.
            DataValidationError: Malformed data; ``y`` without exactly two classes; fewer than
                two training rows.
        """
        device = self._check_param_values()
        owner = self._owner
        X_t, _ = check_features(X, owner=owner, allow_nd=True)
        rows = self._training_rows(X_t, y)
        if rows.numel() < 2:
            raise DataValidationError(
                f"{owner}: {rows.numel()} training row(s); a detector needs at least 2."
            )
        self.input_shape_ = tuple(X_t.shape[1:])
        self.n_features_in_ = math.prod(self.input_shape_)
        remember_feature_names(self, X)
        F = X_t.index_select(0, rows).reshape(rows.numel(), -1).to(device, torch.float32)
        self.mean_ = F.mean(dim=0)
        std = F.std(dim=0, unbiased=False)
        self.scale_ = torch.where(std > 0, std, torch.ones_like(std))
        F = (F - self.mean_) / self.scale_
        seed = derive_seed(host_generator(self.generator, owner=owner))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.module_ = self._build(self.n_features_in_).to(device)
        self._after_build(F, seed)
        self.history_ = self._train(F, seed)
        self.module_.eval()
        scores = self._scores_of(F).double().cpu()
        self.train_scores_ = scores
        self.threshold_ = float(quantile(scores, 1.0 - self.contamination))
        low, high = quantile(scores, torch.tensor([0.1, 0.9], dtype=torch.float64)).tolist()
        spread = high - low if high > low else float(scores.std()) if scores.numel() > 1 else 0.0
        self.spread_ = spread if spread > 0 and math.isfinite(spread) else 1.0
        return self

    def _train(self, F: torch.Tensor, seed: int) -> list[float]:
        optimizer = torch.optim.AdamW(
            self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        order_generator = torch.Generator().manual_seed(seed)
        history = []
        for epoch in range(self.epochs):
            self.module_.train()
            order = torch.randperm(F.shape[0], generator=order_generator).to(F.device)
            total, steps = 0.0, 0
            for batch in order.split(int(self.batch_size)):
                optimizer.zero_grad(set_to_none=True)
                value = self._batch_loss(F[batch])
                value.backward()
                optimizer.step()
                total += float(value.detach())
                steps += 1
            history.append(total / max(steps, 1))
            if self.progress:
                print_epoch(self._owner, epoch, self.epochs, history[-1])
        return history

    def _scores_of(self, F: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return torch.cat([self._batch_scores(chunk) for chunk in F.split(_PREDICT_BATCH)])

    # -- prediction -------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "module_"):
            raise NotFittedError(
                f"This {self._owner} is not fitted yet; call fit(X) or fit(X, y) before scoring."
            )

    def _score_tensor(self, X: Any) -> tuple[torch.Tensor, Any]:
        """float64 scores on X's device, and X's feature info."""
        self._check_fitted()
        X_t, info = check_features(X, owner=self._owner, allow_nd=True)
        check_feature_names(self, X, owner=self._owner)
        if math.prod(X_t.shape[1:]) != self.n_features_in_:
            raise DataValidationError(
                f"{self._owner}: X has {math.prod(X_t.shape[1:])} features, but {self._owner} "
                f"is expecting {self.n_features_in_} features as input."
            )
        device = self.mean_.device
        parts = []
        for chunk in X_t.reshape(X_t.shape[0], -1).split(_PREDICT_BATCH):
            F = (chunk.to(device=device, dtype=torch.float32) - self.mean_) / self.scale_
            parts.append(self._scores_of(F).double())
        return torch.cat(parts).to(X_t.device), (info, X_t)

    @staticmethod
    def _give_back(values: torch.Tensor, context: Any) -> Any:
        info, X_t = context
        if info.kind == "tensor":
            dtype = X_t.dtype if X_t.is_floating_point() else torch.float32
            return values.to(dtype)
        return values.cpu().numpy()

    def score_samples(self, X: Any) -> Any:
        """Anomaly scores: **higher means more anomalous** (the opposite of scikit-learn's
        ``IsolationForest.score_samples``, where higher means more normal).

        Args:
            X: Features ``(n_samples, n_features)``.

        Returns:
            ``(n_samples,)`` scores: a tensor on X's device (X's float dtype, else float32) for
            tensor input, else a float64 NumPy array.

        Raises:
            NotFittedError: Before ``fit``.
            DataValidationError: Malformed ``X`` or the wrong number of features.
        """
        scores, context = self._score_tensor(X)
        return self._give_back(scores, context)

    def decision_function(self, X: Any) -> Any:
        """``score_samples(X) - threshold_``, signed as a scikit-learn classifier's: positive
        for ``classes_[1]``. That is the anomaly class when its label sorts second (1 =
        anomaly, and always without ``y``), so **positive for anomalies**; when the anomaly
        label sorts first (0 = rare, "anomaly" < "normal") it is negated, so scorers such as
        ``roc_auc`` and ``CalibratedClassifierCV`` read it the right way round; a score exactly
        at ``threshold_`` (:meth:`predict`: normal) then gives the smallest positive float
        instead of 0, so ``classes_[int(decision_function(X) > 0)]`` is always
        :meth:`predict`'s answer. :meth:`score_samples` keeps one orientation. Same types as
        :meth:`score_samples`.
        """
        scores, context = self._score_tensor(X)
        margin = scores - self.threshold_
        if self.classes_[0] == self.outlier_class_:
            margin = torch.where(margin == 0, torch.finfo(margin.dtype).tiny, -margin)
        return self._give_back(margin, context)

    def __sklearn_tags__(self) -> Any:  # called by scikit-learn only, which is then installed
        """A classifier to scikit-learn (model selection, scoring), whose ``y`` is optional:
        without it every training row is taken as normal."""
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        if tags.classifier_tags is not None:  # two classes only: normal and anomaly
            tags.classifier_tags.multi_class = False
        return tags

    def _anomaly_probability(self, scores: torch.Tensor) -> torch.Tensor:
        z = (scores - self.threshold_) / self.spread_
        ratio = torch.where(z.isinf(), z.sign(), z / (1.0 + z.abs()))  # inf / inf is NaN
        return 0.5 * (1.0 + ratio)

    def predict_proba(self, X: Any) -> Any:
        """A probability-like anomaly rating, ``(n_samples, 2)``, columns in ``classes_`` order.

        The column of the anomaly class (``outlier_class_``) is
        ``p = (1 + z / (1 + |z|)) / 2`` with ``z = (score - threshold_) / spread_``: a strictly
        increasing function of :meth:`score_samples` (so rankings, ROC-AUC and PR-AUC are those
        of the scores), equal to 0.5 exactly at ``threshold_`` (so ``p > 0.5`` agrees with
        :meth:`predict`), reaching 0 or 1 only for ``|z|`` beyond about ``1e16`` (an infinite
        score gives exactly 1). ``spread_`` is the
        10%–90% inter-quantile range of the training scores. The other column is ``1 - p``.
        It is **not calibrated**: use it to rank, or tune a threshold on it with
        :class:`~torchbalance.model_selection.ThresholdTuner`.
        """
        scores, context = self._score_tensor(X)
        p = self._anomaly_probability(scores)
        columns = [1.0 - p, p] if self.classes_[1] == self.outlier_class_ else [p, 1.0 - p]
        return self._give_back(torch.stack(columns, dim=1), context)

    def predict(self, X: Any) -> Any:
        """Anomaly or not: ``score_samples(X) > threshold_``.

        Returns:
            Without ``y`` at ``fit``: int64 ``1`` for anomalies, ``0`` for inliers. With ``y``:
            the labels ``outlier_class_`` / ``normal_class_``. A tensor for tensor input (with
            integer labels), else a NumPy array.
        """
        scores, (info, X_t) = self._score_tensor(X)
        flagged = (scores > self.threshold_).cpu().numpy()
        if not self._supervised:
            codes = flagged.astype(np.int64)
            return torch.as_tensor(codes, device=X_t.device) if info.kind == "tensor" else codes
        labels = np.where(flagged, self.outlier_class_, self.normal_class_)
        labels = labels.astype(np.asarray(self.classes_).dtype)
        if info.kind == "tensor" and labels.dtype.kind in "biuf":
            return torch.as_tensor(labels, device=X_t.device)
        return labels


def _scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def make_mlp(
    widths: Sequence[int], *, bias: bool, activation: type[nn.Module], last_activation: bool
) -> nn.Sequential:
    """``Linear → activation`` for each consecutive pair of ``widths`` (the last layer without
    activation unless ``last_activation``)."""
    layers: list[nn.Module] = []
    for index, (a, b) in enumerate(itertools.pairwise(widths)):
        layers.append(nn.Linear(a, b, bias=bias))
        if last_activation or index < len(widths) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)
