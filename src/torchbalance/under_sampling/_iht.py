"""InstanceHardnessThreshold: drop the samples a cross-validated classifier finds hardest."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError, TorchBalanceWarning
from ..utils import InstanceOf, Interval, check_generator, derive_seed, quantile, warn_user
from ._base import UNDER_STRATEGY_CONSTRAINTS, BaseUnderSampler

__all__ = ["InstanceHardnessThreshold"]


def _clone(estimator: Any) -> Any:
    from ..model_selection._validation import clone_estimator

    return clone_estimator(estimator)


class InstanceHardnessThreshold(BaseUnderSampler):
    """Under-sample by instance hardness (Smith, Martinez & Giraud-Carrier 2014).

    Out-of-fold probabilities of each sample's own class are estimated by stratified
    ``cv``-fold cross-validation of ``estimator`` (shuffled folds from
    :class:`torchbalance.model_selection.StratifiedKFold`); in each targeted class the samples
    whose probability is at least the ``1 - n_keep / n_class`` quantile (linear interpolation,
    as ``numpy.percentile``) are kept — so ties can keep a few more than asked, as in
    imbalanced-learn.

    Any object with ``fit(X, y)`` and ``predict_proba(X)`` works. torchbalance estimators get
    tensors; any other estimator (scikit-learn, ...) gets 2-D NumPy arrays (N-D samples
    flattened, bfloat16 as float32). The columns of
    ``predict_proba`` follow the estimator's ``classes_`` when it has one, else the sorted
    labels of the training fold.

    Args:
        estimator: The classifier; ``None`` uses a torch logistic regression
            (:class:`torchbalance.models.TorchClassifier` with no hidden layer, 20 epochs of
            batches of 512, learning rate 0.05, standardised inputs).
        sampling_strategy: imbalanced-learn's grammar (see :class:`RandomUnderSampler`).
        cv: Number of folds (``>= 2``), or a splitter with ``split(X, y)`` whose test folds
            partition the rows. A row tested by a model that never saw its class gets
            probability 0 (with a warning), as in scikit-learn's ``cross_val_predict``.
        generator: An int seed, a ``torch.Generator`` or ``None``: shuffles the folds and seeds
            an unseeded estimator.

    Attributes:
        sampling_strategy_: ``{class: samples asked}``.
        probabilities_: ``(n_samples,)`` float64 out-of-fold probability of each sample's
            class.
        sample_indices_: ``(n_out,)`` int64 rows of the input, class by class.

    Raises:
        InvalidParameterError: ``estimator`` lacks ``fit`` or ``predict_proba``.
        DataValidationError: A class smaller than ``cv``; bad input data.

    References:
        M. Smith, T. Martinez, C. Giraud-Carrier, "An instance level analysis of data
        complexity", Machine Learning 95(2), 2014.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> y = torch.tensor([0] * 30 + [1] * 10)
        >>> X = torch.randn(40, 2, generator=g) + 2.0 * y[:, None]
        >>> iht = InstanceHardnessThreshold(cv=3, generator=0)
        >>> X_res, y_res = iht.fit_resample(X, y)
        >>> int((y_res == 0).sum()) >= 10, int((y_res == 1).sum())
        (True, 10)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [InstanceOf((object,), name="a classifier with fit and predict_proba"), None],
        "sampling_strategy": UNDER_STRATEGY_CONSTRAINTS,
        "cv": [Interval(int, 2, None), InstanceOf((object,), name="a splitter with split()")],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        estimator: Any = None,
        sampling_strategy: Any = "auto",
        cv: Any = 5,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.cv = cv
        self.generator = generator

    def _make_estimator(self, seed: int) -> Any:
        from ..model_selection._validation import seed_estimator

        if self.estimator is None:
            from ..models import TorchClassifier

            return TorchClassifier(
                hidden_sizes=(),
                epochs=20,
                batch_size=512,
                lr=0.05,
                standardize=True,
                generator=seed,
            )
        for method in ("fit", "predict_proba"):
            if not callable(getattr(self.estimator, method, None)):
                raise InvalidParameterError(
                    f"{type(self).__name__}: estimator={self.estimator!r} is invalid; it must "
                    f"have fit(X, y) and predict_proba(X), it lacks {method}."
                )
        estimator = _clone(self.estimator)
        seed_estimator(estimator, seed)
        return estimator

    def _check_folds(self, y: torch.Tensor, folds: int) -> None:
        """Every class needs ``folds`` samples for the stratified folds: say which does not,
        by the caller's label."""
        counts = torch.bincount(y.cpu())
        present = torch.nonzero(counts).reshape(-1)
        rarest = int(present[counts[present].argmin()])
        if int(counts[rarest]) < folds:
            raise DataValidationError(
                f"{type(self).__name__}: cv={folds} stratified folds need at least {folds} "
                f"samples of every class, but class {self._label(rarest)!r} has "
                f"{int(counts[rarest])}. Lower cv, or merge or drop that class."
            )

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        from ..model_selection import StratifiedKFold

        if isinstance(self.cv, numbers.Integral):
            self._check_folds(y, int(self.cv))
        generator = check_generator(self.generator, X.device, owner=type(self).__name__)
        fold_seed = derive_seed(generator)
        model_seed = derive_seed(generator)
        splitter = (
            StratifiedKFold(n_splits=int(self.cv), shuffle=True, generator=fold_seed)
            if isinstance(self.cv, numbers.Integral)
            else self.cv
        )
        probe = self._make_estimator(model_seed)
        native = type(probe).__module__.startswith("torchbalance")
        X_fit: Any = X if native else _as_numpy_rows(X)
        y_fit: Any = y if native else y.detach().cpu().numpy()
        proba = torch.zeros(y.numel(), dtype=torch.float64, device=y.device)
        y_cpu = y.cpu()
        times_tested = torch.zeros(y.numel(), dtype=torch.int64)
        for train, test in splitter.split(X_fit, y_fit):
            train_t = torch.as_tensor(
                np.asarray(train.cpu() if isinstance(train, torch.Tensor) else train)
            )
            test_t = torch.as_tensor(
                np.asarray(test.cpu() if isinstance(test, torch.Tensor) else test)
            )
            model = self._make_estimator(model_seed)
            rows_tr = train_t.to(X.device) if native else train_t.numpy()
            rows_te = test_t.to(X.device) if native else test_t.numpy()
            model.fit(X_fit[rows_tr], y_fit[rows_tr])
            p = torch.as_tensor(
                np.asarray(_cpu(model.predict_proba(X_fit[rows_te]))), dtype=torch.float64
            )
            classes = getattr(model, "classes_", None)
            classes_t = (
                torch.as_tensor(np.asarray(_cpu(classes))).to(torch.int64)
                if classes is not None
                else torch.unique(y_cpu[train_t])
            )
            times_tested[test_t] += 1
            proba[test_t.to(y.device)] = _own_class_probability(p, classes_t, y_cpu[test_t]).to(
                y.device
            )
        self._check_partition(times_tested)
        self.probabilities_ = proba
        parts = []
        for label in torch.unique(y).tolist():
            members = torch.nonzero(y == label).reshape(-1)
            if label in strategy:
                p = proba.index_select(0, members)
                q = 1.0 - int(strategy[label]) / members.numel()
                threshold = quantile(p, q)
                members = members[p >= threshold]
            parts.append(members)
        return self._select(X, y, torch.cat(parts), strategy)

    def _check_partition(self, times_tested: torch.Tensor) -> None:
        # as scikit-learn's cross_val_predict: each row needs exactly one out-of-fold estimate
        missing = int((times_tested == 0).sum())
        repeated = int((times_tested > 1).sum())
        if missing or repeated:
            raise InvalidParameterError(
                f"{type(self).__name__}: cv={self.cv!r} is invalid; its test folds must cover "
                f"every row exactly once (a partition, e.g. KFold or StratifiedKFold), but "
                f"{missing} rows are in no test fold and {repeated} in several."
            )


def _as_numpy_rows(X: torch.Tensor) -> np.ndarray:
    """``X`` as a 2-D NumPy array for a foreign estimator (N-D samples flattened; bfloat16,
    which NumPy lacks, as float32)."""
    rows = X.detach().reshape(X.shape[0], -1).cpu()
    return (rows.float() if rows.dtype == torch.bfloat16 else rows).numpy()


def _own_class_probability(
    proba: torch.Tensor, classes: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """Each row's probability of its own class; 0 for a class the training fold lacked (the
    model cannot predict it), as scikit-learn's ``cross_val_predict`` does."""
    column = torch.searchsorted(classes, y).clamp(max=classes.numel() - 1)
    known = classes[column] == y
    if not bool(known.all()):
        warn_user(
            f"InstanceHardnessThreshold: {int((~known).sum())} rows were tested by a model "
            "whose training fold had none of their class; their probability counts as 0. "
            "Use stratified folds (an int cv) or fewer folds.",
            TorchBalanceWarning,
        )
    own = proba.gather(1, column[:, None])[:, 0]
    return torch.where(known, own, torch.zeros_like(own))


def _cpu(value: Any) -> Any:
    return value.detach().cpu() if isinstance(value, torch.Tensor) else value
