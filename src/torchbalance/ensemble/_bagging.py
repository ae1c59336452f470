"""Balanced bagging and EasyEnsemble, with a vectorised fast path for torch members."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch

from ..base import ClassifierMixin, ParamsMixin, clone_value
from ..exceptions import DataValidationError, InvalidParameterError, NotFittedError
from ..model_selection._validation import seed_estimator
from ..models import TorchClassifier
from ..pipeline import check_resampler_param
from ..under_sampling._base import UNDER_STRATEGY_CONSTRAINTS
from ..utils import (
    InstanceOf,
    Interval,
    Options,
    available_if,
    check_feature_names,
    check_features,
    check_X_y,
    derive_seed,
    host_generator,
    remember_feature_names,
)
from ._vectorized import MemberPlan, fast_path_blocker, train_stacked

__all__ = ["BalancedBaggingClassifier", "EasyEnsembleClassifier"]

_COUNT_OR_FRACTION = [Interval(int, 1, None), Interval(float, 0, 1, closed="right")]


def _host_index(values: Any) -> torch.Tensor:
    """An int64 CPU tensor of ``values``: a tensor on any device, a NumPy array or a list."""
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.int64)
    return torch.as_tensor(np.asarray(values), dtype=torch.int64)


def _seeded_copy(obj: Any, seed: int) -> Any:
    """A fresh copy of ``obj`` whose ``generator`` (or ``random_state``) is ``seed``."""
    twin = clone_value(obj)
    seed_estimator(twin, seed, overwrite=True)
    return twin


def _members_lack(method: str) -> Callable[[Any], str | None]:
    """Why an ensemble has no ``method``: its members (fitted, else the configured estimator,
    a TorchClassifier by default) lack one. scikit-learn's scorers then use another."""

    def reason(ensemble: Any) -> str | None:
        members = getattr(ensemble, "estimators_", None)
        probe = members[0] if members else ensemble.estimator
        if probe is None:
            probe = TorchClassifier
        if hasattr(probe, method):
            return None
        return (
            f"{type(ensemble).__name__} has no {method}: its estimator "
            f"{getattr(probe, '__name__', type(probe).__name__)} lacks it; use predict_proba."
        )

    return reason


class BalancedBaggingClassifier(ClassifierMixin, ParamsMixin):
    """Bagging in which every member is trained on a balanced bootstrap sample.

    For each of the ``n_estimators`` members: draw ``max_samples`` rows (with replacement when
    ``bootstrap``) and ``max_features`` columns (without replacement), balance the drawn rows
    with ``resampler`` (default: random under-sampling of every class but the minority to the
    minority's size), and fit a copy of ``estimator`` on the result. This is the order of
    imbalanced-learn's ``BalancedBaggingClassifier``, which fits a ``Pipeline(sampler,
    estimator)`` on each bootstrap sample. Predictions average the members' probabilities
    (``voting="soft"``) or count their votes (``voting="hard"``).

    Members get their own seed (drawn from ``generator``) as ``generator`` (torchbalance
    estimators) or ``random_state`` (scikit-learn estimators), replacing the estimator's own,
    as scikit-learn's bagging does; the resampler's copy gets another.

    Each member sees a random subset of ``max_features`` columns when ``max_features < 1.0``
    (the random-subspace half of a balanced random forest, drawn once per member rather than
    per tree split), kept in ``estimators_features_`` and applied again at prediction.

    **Fast path.** When ``estimator`` is a :class:`~torchbalance.models.TorchClassifier` with
    the default epoch order, no inner resampler, ``optimizer="adamw"`` or ``"sgd"``, a
    cross-entropy loss and a module without batch norm or dropout, all members are trained at
    once as one vectorised model (stacked weights, ``torch.func.vmap``), with the same seeds,
    batches and per-member optimiser state as the loop; ``vectorize="auto"`` takes it whenever
    it applies (``vectorized_`` says whether it did and ``vectorize_blocker_`` why not).
    Members trained either way are ordinary fitted ``TorchClassifier`` objects. Anything else
    (a custom sampler, loss or optimiser; scikit-learn or skorch estimators) is trained by a
    Python loop over members.

    Args:
        estimator: Any classifier with ``fit`` and ``predict`` (and ``predict_proba`` for soft
            voting): a :class:`~torchbalance.models.TorchClassifier` (fed tensors), a
            scikit-learn or skorch classifier (fed NumPy arrays). ``None``:
            ``TorchClassifier()``. Members are trained on the class codes ``0..C-1``.
        n_estimators: Number of members.
        resampler: Anything with ``fit_resample(X, y)`` (torchbalance or imbalanced-learn),
            cloned and re-seeded per member; ``None``:
            :class:`~torchbalance.under_sampling.RandomUnderSampler` ``()``;
            ``"passthrough"``: no resampling (plain bagging).
        max_samples: Rows drawn per member before resampling: an int, or a float fraction of
            ``n_samples``.
        max_features: Columns per member: an int, or a float fraction of ``n_features``
            (2-D ``X`` only when below all columns).
        bootstrap: Draw rows with replacement.
        voting: ``"soft"`` (average the members' ``predict_proba``) or ``"hard"`` (majority of
            their ``predict``; ties go to the class first in ``classes_``).
        vectorize: ``"auto"`` (the fast path when it applies), ``True`` (the fast path, or an
            error saying why it does not apply) or ``False`` (always the loop).
        generator: An int seed, a ``torch.Generator`` or ``None``; an int makes ``fit``
            reproducible.

    Attributes:
        classes_: The class labels, sorted (NumPy array).
        estimators_: The fitted members (trained on class codes ``0..C-1``).
        estimators_samples_: Per member, the ``(n_m,)`` int64 rows of ``X`` it was trained
            on, after bootstrap and resampling (so their class counts show the balance). For a
            resampler that creates rows (no ``sample_indices_``, e.g. SMOTE), the bootstrap
            rows it was given, as imbalanced-learn reports.
        estimators_features_: Per member, the ``(k,)`` int64 columns it sees.
        n_features_in_: Number of features.
        vectorized_: Whether the members were trained by the fast path.
        vectorize_blocker_: Why the fast path was not taken (``None`` when it was).

    Raises:
        InvalidParameterError: For an invalid parameter (at ``fit``).
        DataValidationError: For malformed data or fewer than two classes.

    References:
        Wallace, Small, Brodley and Trikalinos, "Class imbalance, redux", ICDM 2011.
        Hido, Kashima and Takahashi, "Roughly balanced bagging for imbalanced data", 2009.

    Example:
        >>> from torchbalance.datasets import make_classification
        >>> from torchbalance.models import TorchClassifier
        >>> X, y = make_classification(400, n_features=6, weights=[0.9, 0.1], generator=0)
        >>> bagging = BalancedBaggingClassifier(
        ...     TorchClassifier(epochs=3), n_estimators=4, generator=0
        ... ).fit(X, y)
        >>> bagging.vectorized_, bagging.predict_proba(X).shape
        (True, torch.Size([400, 2]))
        >>> counts = [torch.bincount(y[rows]) for rows in bagging.estimators_samples_]
        >>> all(int(c[0]) == int(c[1]) for c in counts)  # every member's sample is balanced
        True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [InstanceOf((object,), name="a classifier with fit and predict"), None],
        "n_estimators": [Interval(int, 1, None)],
        "resampler": [
            Options(("passthrough",)),
            InstanceOf((object,), name="an object with fit_resample"),
            None,
        ],
        "max_samples": _COUNT_OR_FRACTION,
        "max_features": _COUNT_OR_FRACTION,
        "bootstrap": [bool],
        "voting": [Options(("soft", "hard"))],
        "vectorize": [Options(("auto",)), bool],
        "generator": ["generator"],
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_estimators: int = 10,
        resampler: Any = None,
        max_samples: int | float = 1.0,
        max_features: int | float = 1.0,
        bootstrap: bool = True,
        voting: str = "soft",
        vectorize: str | bool = "auto",
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.resampler = resampler
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.voting = voting
        self.vectorize = vectorize
        self.generator = generator

    # -- what a subclass changes ------------------------------------------------------------------
    def _sampling(self) -> tuple[Any, int | float, int | float, bool]:
        """``(resampler or None, max_samples, max_features, bootstrap)``."""
        if self.resampler == "passthrough":
            resampler = None
        elif self.resampler is None:
            from ..under_sampling import RandomUnderSampler

            resampler = RandomUnderSampler()
        else:
            resampler = self.resampler
        return resampler, self.max_samples, self.max_features, self.bootstrap

    # -- checks -----------------------------------------------------------------------------------
    def _owner(self) -> str:
        return type(self).__name__

    def _check_params(self) -> Any:
        self._validate_params()
        owner = self._owner()
        estimator = TorchClassifier() if self.estimator is None else self.estimator
        needed = ["fit", "predict"] + (["predict_proba"] if self.voting == "soft" else [])
        missing = [name for name in needed if not hasattr(estimator, name)]
        if missing:
            fix = (
                "; use voting='hard' or a probabilistic classifier"
                if missing == ["predict_proba"]
                else ""
            )
            raise InvalidParameterError(
                f"{owner}: estimator={estimator!r} is invalid; it must have "
                f"{', '.join(needed)} (missing {', '.join(missing)}){fix}."
            )
        resampler = self.resampler
        if resampler is not None and not (
            isinstance(resampler, str) and resampler == "passthrough"
        ):
            check_resampler_param(owner, resampler, none="None or 'passthrough'")
        return estimator

    @staticmethod
    def _count(value: int | float, total: int, owner: str, name: str, what: str) -> int:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            if value > total:
                raise DataValidationError(
                    f"{owner}: {name}={value} is larger than the {total} {what} of X; use at "
                    f"most {total} or a fraction in (0, 1]."
                )
            return int(value)
        return max(1, int(float(value) * total))

    # -- fitting ----------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> BalancedBaggingClassifier:
        """Fit ``n_estimators`` members on balanced samples of ``X`` and ``y``.

        Args:
            X: Features ``(n_samples, n_features)`` (or ``(n_samples, *sample_shape)`` with
                ``max_features`` at all columns): tensor, NumPy array or DataFrame.
            y: Labels ``(n_samples,)``.

        Returns:
            ``self``.

        Raises:
            InvalidParameterError: For an invalid parameter, or ``vectorize=True`` where the
                fast path does not apply (the message says why).
            DataValidationError: For malformed data, fewer than two classes, or
                ``max_samples`` / ``max_features`` larger than the data.
        """
        estimator = self._check_params()
        owner = self._owner()
        X_t, y_t, converter = check_X_y(X, y, owner=owner, allow_nd=True)
        classes, codes = torch.unique(y_t, return_inverse=True)
        if classes.numel() < 2:
            raise DataValidationError(
                f"{owner}: y has 1 class ({converter.to_y(classes)!r}); a classifier needs "
                "samples of at least 2 classes."
            )
        self.classes_ = converter.label_array(classes)  # the caller's values and dtype

        def decode(member_codes: Any) -> Any:  # members' codes 0..C-1 -> the caller's labels
            return converter.to_y(classes[_host_index(member_codes)])

        n_classes = classes.numel()
        n_samples = X_t.shape[0]
        self.input_shape_ = tuple(X_t.shape[1:])
        self.n_features_in_ = math.prod(self.input_shape_)
        remember_feature_names(self, X)
        resampler, max_samples, max_features, bootstrap = self._sampling()
        n_draw = self._count(max_samples, n_samples, owner, "max_samples", "samples")
        n_columns = X_t.shape[1]
        n_keep = self._count(max_features, n_columns, owner, "max_features", "features")
        if n_keep < n_columns and X_t.dim() != 2:
            raise InvalidParameterError(
                f"{owner}: max_features={max_features!r} is invalid for X of shape "
                f"{tuple(X_t.shape)}; feature sub-sampling needs 2-D X, so use max_features=1.0."
            )

        generator = host_generator(self.generator, owner=owner)
        plans, pooled = self._draw_plans(
            X_t, codes, generator, resampler, n_draw, n_keep, bootstrap, decode
        )
        pool, pool_codes = pooled if pooled is not None else (X_t, codes)
        self.estimators_samples_ = [plan.sample_rows for plan in plans]
        self.estimators_features_ = [
            plan.features if plan.features is not None else torch.arange(n_columns)
            for plan in plans
        ]
        member_plans = [plan.member for plan in plans]

        first = member_plans[0].features
        sample_shape = (int(first.numel()),) if first is not None else tuple(pool.shape[1:])
        blocker = self._fast_path_blocker(
            estimator, member_plans, pool_codes, n_classes, sample_shape
        )
        if self._vectorize() is True and blocker is not None:
            raise InvalidParameterError(
                f"{owner}: vectorize=True is invalid here: {blocker}; use vectorize='auto' or "
                "False to train the members one by one."
            )
        self.vectorized_ = self._vectorize() is not False and blocker is None
        self.vectorize_blocker_ = (
            "vectorize=False" if self._vectorize() is False and blocker is None else blocker
        )
        if self.vectorized_:
            assert isinstance(estimator, TorchClassifier)
            device = estimator._resolve_device()
            self.estimators_ = train_stacked(
                estimator, pool, pool_codes, member_plans, n_classes, device
            )
        else:
            self.estimators_ = [
                self._fit_member(estimator, pool, pool_codes, plan) for plan in member_plans
            ]
        return self

    def _draw_plans(
        self,
        X: torch.Tensor,
        codes: torch.Tensor,
        generator: torch.Generator,
        resampler: Any,
        n_draw: int,
        n_keep: int,
        bootstrap: bool,
        decode: Callable[[Any], Any],
    ) -> tuple[list[_Plan], tuple[torch.Tensor, torch.Tensor] | None]:
        n_samples, n_columns = X.shape[0], X.shape[1]
        plans: list[_Plan] = []
        created_X: list[torch.Tensor] = []
        created_y: list[torch.Tensor] = []
        offset = 0
        for _ in range(self.n_estimators):
            member_seed = derive_seed(generator)
            local = torch.Generator().manual_seed(derive_seed(generator))
            resampler_seed = derive_seed(generator)
            features = (
                torch.randperm(n_columns, generator=local)[:n_keep].sort().values
                if n_keep < n_columns
                else None
            )
            if bootstrap:
                rows = torch.randint(0, n_samples, (n_draw,), generator=local)
            elif n_draw < n_samples:
                rows = torch.randperm(n_samples, generator=local)[:n_draw]
            else:
                rows = torch.arange(n_samples)
            rows = rows.to(X.device)
            if torch.unique(codes[rows]).numel() < 2:
                raise DataValidationError(
                    f"{self._owner()}: member {len(plans)} would train on a sample of one class "
                    f"({n_draw} of {n_samples} rows drawn); raise max_samples or use "
                    "bootstrap=False."
                )
            if resampler is None:
                plans.append(_Plan(rows, MemberPlan(rows, features, member_seed)))
                continue
            X_drawn = X.index_select(0, rows)
            if features is not None:
                X_drawn = X_drawn.index_select(1, features.to(X.device))
            sampler = self._encode_strategy(_seeded_copy(resampler, resampler_seed), decode)
            y_drawn = codes.index_select(0, rows)
            on_tensors = isinstance(sampler, ParamsMixin)  # torchbalance's own: no NumPy trip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # imbalanced-learn's deprecations
                if on_tensors:
                    X_res, y_res = sampler.fit_resample(X_drawn, y_drawn)
                else:  # imbalanced-learn and other NumPy resamplers
                    X_res, y_res = sampler.fit_resample(
                        X_drawn.cpu().numpy(), y_drawn.cpu().numpy()
                    )
            indices = getattr(sampler, "sample_indices_", None)
            if indices is not None:
                kept = rows[_host_index(indices).to(X.device)]
                plans.append(_Plan(kept, MemberPlan(kept, features, member_seed)))
                continue
            X_new = torch.as_tensor(np.asarray(X_res) if not torch.is_tensor(X_res) else X_res)
            y_new = torch.as_tensor(np.asarray(y_res) if not torch.is_tensor(y_res) else y_res)
            created_X.append(X_new.to(device=X.device, dtype=X.dtype))
            created_y.append(y_new.to(device=X.device, dtype=torch.int64))
            own = torch.arange(offset, offset + y_new.shape[0], device=X.device)
            offset += y_new.shape[0]
            plans.append(_Plan(rows, MemberPlan(own, None, member_seed), features))
        if not created_X:
            return plans, None
        if len(created_X) != len(plans):  # pragma: no cover - a resampler that sometimes selects
            raise InvalidParameterError(
                f"{self._owner()}: resampler={resampler!r} returned sample_indices_ for some "
                "members only; use a resampler that either always or never selects rows."
            )
        return plans, (torch.cat(created_X), torch.cat(created_y))

    def _vectorize(self) -> str | bool:
        """``vectorize`` as ``"auto"``, ``True`` or ``False`` (a NumPy boolean as a bool)."""
        return self.vectorize if isinstance(self.vectorize, str) else bool(self.vectorize)

    def _encode_strategy(self, sampler: Any, decode: Callable[[Any], Any]) -> Any:
        """Members are trained on class codes ``0..C-1``: a ``sampling_strategy`` given as a
        dict or list of the caller's labels is rewritten in codes, and a callable is called on
        the caller's labels (``decode``) with its answer rewritten in codes. A pipeline of
        resamplers has each of its steps rewritten (in place: ``sampler`` is a copy)."""
        steps = getattr(sampler, "steps", None)
        if isinstance(steps, list):
            for _, step in steps:
                if step is not None and not isinstance(step, str):  # not "passthrough"
                    self._encode_strategy(step, decode)
            return sampler
        params = sampler.get_params(deep=False) if hasattr(sampler, "get_params") else {}
        strategy = params.get("sampling_strategy")
        known = {_plain(label): code for code, label in enumerate(self.classes_)}
        if isinstance(strategy, dict):
            encoded: Any = {known.get(_plain(k), k): v for k, v in strategy.items()}
        elif isinstance(strategy, list):
            encoded = [known.get(_plain(k), k) for k in strategy]
        elif callable(strategy):

            def encoded(member_y: Any, strategy: Callable[[Any], Any] = strategy) -> Any:
                answer = strategy(decode(member_y))
                return {known.get(_plain(k), k): v for k, v in answer.items()}

        else:
            return sampler
        return sampler.set_params(sampling_strategy=encoded)

    def _fast_path_blocker(
        self,
        estimator: Any,
        plans: Sequence[MemberPlan],
        codes: torch.Tensor,
        n_classes: int,
        sample_shape: tuple[int, ...],
    ) -> str | None:
        if self._vectorize() is False:
            return None
        if type(estimator) is not TorchClassifier:
            return f"the estimator is a {type(estimator).__name__}, not a TorchClassifier"
        for index, plan in enumerate(plans):
            present = torch.unique(codes[plan.rows]).numel()
            if present < n_classes:
                return (
                    f"member {index}'s sample holds {present} of the {n_classes} classes "
                    "(the stacked model needs every class in every member's sample)"
                )
        return fast_path_blocker(estimator, sample_shape, n_classes, estimator._resolve_device())

    def _fit_member(
        self, estimator: Any, pool: torch.Tensor, codes: torch.Tensor, plan: MemberPlan
    ) -> Any:
        member = _seeded_copy(estimator, plan.seed)
        X_m = pool.index_select(0, plan.rows)
        if plan.features is not None:
            X_m = X_m.index_select(1, plan.features.to(X_m.device))
        y_m = codes.index_select(0, plan.rows)
        if isinstance(member, TorchClassifier):
            return member.fit(X_m, y_m)
        return member.fit(X_m.cpu().numpy(), y_m.cpu().numpy())

    # -- prediction -------------------------------------------------------------------------------
    def _member_inputs(self, X: Any) -> tuple[torch.Tensor, bool]:
        if not hasattr(self, "estimators_"):
            raise NotFittedError(
                f"This {self._owner()} is not fitted yet; call fit(X, y) before predicting."
            )
        X_t, info = check_features(X, owner=self._owner(), allow_nd=True)
        check_feature_names(self, X, owner=self._owner())
        if tuple(X_t.shape[1:]) != self.input_shape_:
            raise DataValidationError(
                f"{self._owner()}: X has {math.prod(X_t.shape[1:])} features, but "
                f"{self._owner()} is expecting {self.n_features_in_} features as input (samples "
                f"of shape {self.input_shape_}, got {tuple(X_t.shape[1:])})."
            )
        return X_t, info.kind == "tensor"

    def _each_member(self, X_t: torch.Tensor) -> list[tuple[Any, Any]]:
        """``(member, its input)`` pairs: the member's columns, a tensor for a TorchClassifier
        and a NumPy array for any other estimator."""
        n_columns = X_t.shape[1]
        pairs = []
        for member, features in zip(self.estimators_, self.estimators_features_, strict=True):
            X_m = X_t
            if features.numel() < n_columns:
                X_m = X_t.index_select(1, features.to(X_t.device))
            pairs.append(
                (member, X_m if isinstance(member, TorchClassifier) else X_m.cpu().numpy())
            )
        return pairs

    @staticmethod
    def _as_tensor(values: Any) -> torch.Tensor:
        if torch.is_tensor(values):
            return values.detach().cpu()
        return torch.as_tensor(np.asarray(values))

    def _member_classes(self, member: Any) -> torch.Tensor:
        return torch.as_tensor(np.asarray(member.classes_, dtype=np.int64))

    def _soft(self, X_t: torch.Tensor) -> torch.Tensor:
        n_classes = len(self.classes_)
        total = torch.zeros((X_t.shape[0], n_classes), dtype=torch.float64)
        for member, X_m in self._each_member(X_t):
            proba = self._as_tensor(member.predict_proba(X_m)).to(torch.float64)
            total[:, self._member_classes(member)] += proba
        return total / len(self.estimators_)

    def _votes(self, X_t: torch.Tensor) -> torch.Tensor:
        n_classes = len(self.classes_)
        votes = torch.zeros((X_t.shape[0], n_classes), dtype=torch.float64)
        for member, X_m in self._each_member(X_t):
            predicted = self._as_tensor(member.predict(X_m)).to(torch.int64).reshape(-1)
            votes.scatter_add_(1, predicted[:, None], torch.ones((X_t.shape[0], 1)).double())
        return votes

    def _out_dtype(self) -> torch.dtype:
        return torch.float32 if isinstance(self.estimators_[0], TorchClassifier) else torch.float64

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities ``(n_samples, n_classes)``, columns in the order of ``classes_``.

        Soft voting: the mean of the members' ``predict_proba`` (a member that never saw a
        class gives it 0). Hard voting: the share of members voting for each class. A tensor
        (on ``X``'s device) for tensor input, else a NumPy array.
        """
        X_t, as_tensor = self._member_inputs(X)
        total = (
            self._soft(X_t) if self.voting == "soft" else self._votes(X_t) / len(self.estimators_)
        )
        result = total.to(self._out_dtype())
        return result.to(X_t.device) if as_tensor else result.numpy()

    def predict(self, X: Any) -> Any:
        """The predicted label of each sample (``classes_`` values): the class of highest mean
        probability (soft voting) or with the most votes (hard voting; ties go to the class
        first in ``classes_``)."""
        X_t, as_tensor = self._member_inputs(X)
        scores = self._soft(X_t) if self.voting == "soft" else self._votes(X_t)
        predicted = self.classes_[scores.argmax(dim=1).numpy()]
        if as_tensor and predicted.dtype.kind in "biuf":
            return torch.as_tensor(predicted, device=X_t.device)
        return predicted

    @available_if(_members_lack("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """The mean of the members' ``decision_function``: ``(n_samples, n_classes)``, or
        ``(n_samples,)`` for two classes as in scikit-learn. Only an attribute when the
        estimator has one.

        Raises:
            InvalidParameterError: When a member was trained without some class.
        """
        X_t, as_tensor = self._member_inputs(X)
        n_classes = len(self.classes_)
        total: torch.Tensor | None = None
        for member, X_m in self._each_member(X_t):
            if self._member_classes(member).numel() != n_classes:
                raise InvalidParameterError(
                    f"{self._owner()}: a member was trained without some class, so the "
                    "decision functions cannot be averaged; use predict_proba."
                )
            value = self._as_tensor(member.decision_function(X_m)).to(torch.float64)
            total = value if total is None else total + value
        assert total is not None
        result = (total / len(self.estimators_)).to(self._out_dtype())
        return result.to(X_t.device) if as_tensor else result.numpy()


def _plain(label: Any) -> Any:
    """A label as a hashable Python value (NumPy scalars unwrapped)."""
    return label.item() if hasattr(label, "item") else label


class _Plan:
    """A member's plan plus what is reported about it."""

    def __init__(
        self,
        sample_rows: torch.Tensor,
        member: MemberPlan,
        features: torch.Tensor | None = None,
    ) -> None:
        self.sample_rows = sample_rows
        self.member = member
        self.features = member.features if features is None else features


class EasyEnsembleClassifier(BalancedBaggingClassifier):
    """EasyEnsemble: members trained on independent random under-samples of the majority.

    Each member sees every minority sample and an independent random subset of each other
    class, down to ``sampling_strategy`` (Liu, Wu and Zhou 2009); no bootstrap, all features.
    Equivalent to ``BalancedBaggingClassifier(estimator, resampler=RandomUnderSampler(
    sampling_strategy=..., replacement=...), bootstrap=False, max_samples=1.0)``.
    imbalanced-learn's ``EasyEnsembleClassifier`` uses AdaBoost members by default (the
    paper's choice); this one takes any estimator and defaults to a
    :class:`~torchbalance.models.TorchClassifier`, so torch members get the vectorised fast
    path (see :class:`BalancedBaggingClassifier`).

    Args:
        estimator: Any classifier with ``fit``/``predict`` (and ``predict_proba`` for soft
            voting); ``None``: ``TorchClassifier()``.
        n_estimators: Number of members.
        sampling_strategy: The under-sampling target, in imbalanced-learn's grammar
            (``"auto"``: every class down to the minority's size).
        replacement: Under-sample with replacement.
        voting: ``"soft"`` or ``"hard"``.
        vectorize: ``"auto"``, ``True`` or ``False`` (see :class:`BalancedBaggingClassifier`).
        generator: An int seed, a ``torch.Generator`` or ``None``.

    Attributes:
        classes_, estimators_, estimators_samples_, estimators_features_: As in
            :class:`BalancedBaggingClassifier`.
        vectorized_, vectorize_blocker_: As in :class:`BalancedBaggingClassifier`.

    Raises:
        InvalidParameterError: For an invalid parameter (at ``fit``).
        DataValidationError: For malformed data or fewer than two classes.

    References:
        Liu, Wu and Zhou, "Exploratory undersampling for class-imbalance learning", IEEE
        Transactions on Systems, Man, and Cybernetics B 39(2), 2009.

    Example:
        >>> from torchbalance.datasets import make_classification
        >>> from torchbalance.models import TorchClassifier
        >>> X, y = make_classification(300, n_features=5, weights=[0.8, 0.2], generator=1)
        >>> easy = EasyEnsembleClassifier(TorchClassifier(epochs=2), n_estimators=3, generator=0)
        >>> easy.fit(X, y).predict(X).shape
        torch.Size([300])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [InstanceOf((object,), name="a classifier with fit and predict"), None],
        "n_estimators": [Interval(int, 1, None)],
        "sampling_strategy": UNDER_STRATEGY_CONSTRAINTS,
        "replacement": [bool],
        "voting": [Options(("soft", "hard"))],
        "vectorize": [Options(("auto",)), bool],
        "generator": ["generator"],
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_estimators: int = 10,
        sampling_strategy: Any = "auto",
        replacement: bool = False,
        voting: str = "soft",
        vectorize: str | bool = "auto",
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.voting = voting
        self.vectorize = vectorize
        self.generator = generator

    resampler: Any = None  # the class attribute read by _check_params

    def _sampling(self) -> tuple[Any, int | float, int | float, bool]:
        from ..under_sampling import RandomUnderSampler

        resampler = RandomUnderSampler(
            sampling_strategy=self.sampling_strategy, replacement=self.replacement
        )
        return resampler, 1.0, 1.0, False
