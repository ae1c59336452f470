"""Estimator-style configuration and the resampler template.

``ParamsMixin`` gives ``get_params``/``set_params``/``clone``/``repr`` from the ``__init__``
signature, so objects work in scikit-learn's model selection and imbalanced-learn's
``Pipeline``. ``BaseResampler`` validates data and ``sampling_strategy`` once, in
``fit_resample``, then hands tensors to the subclass's ``_fit_resample``.
"""

from __future__ import annotations

import copy
import inspect
import math
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np
import torch

from .exceptions import DataValidationError, InvalidParameterError
from .utils import (
    OutputConverter,
    check_sample_weight,
    check_sampling_strategy,
    check_X_y,
    remember_feature_names,
    validate_params,
)

__all__ = ["BaseResampler", "ClassifierMixin", "FunctionResampler", "ParamsMixin", "clone"]

T = TypeVar("T", bound="ParamsMixin")


class ParamsMixin:
    """``get_params``, ``set_params``, ``clone`` and a readable ``repr``.

    Subclasses take keyword-only parameters in ``__init__`` and store each one unchanged under
    its own name; validation happens later (at fit or iteration time), against
    ``_parameter_constraints``.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}

    @classmethod
    def _param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        parameters = inspect.signature(init).parameters.values()
        for p in parameters:
            if p.kind is p.VAR_POSITIONAL:
                raise TypeError(f"{cls.__name__}.__init__ must not take *args.")
        return sorted(p.name for p in parameters if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this object (and of nested objects as ``name__param`` when ``deep``)."""
        params: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            params[name] = value
        return params

    def set_params(self: T, **params: Any) -> T:
        """Set parameters (``name__param`` reaches into nested objects); returns ``self``."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"{type(self).__name__}: invalid parameter {name!r}; "
                    f"valid parameters are {valid}."
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def _validate_params(self) -> None:
        validate_params(
            type(self).__name__, self.get_params(deep=False), self._parameter_constraints
        )

    def __repr__(self) -> str:
        signature = inspect.signature(type(self).__init__)
        shown = []
        for name in self._param_names():
            value = getattr(self, name)
            default = signature.parameters[name].default
            if default is inspect.Parameter.empty or not _same(value, default):
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except (RuntimeError, ValueError, TypeError):  # tensors, arrays: compare by identity only
        return False


def clone(estimator: T) -> T:
    """A new unfitted object with the same parameters (nested objects cloned, others deep-copied).

    Example:
        >>> resampler = FunctionResampler(kw_args={"scale": 2})
        >>> twin = clone(resampler)
        >>> twin.kw_args == resampler.kw_args and twin.kw_args is not resampler.kw_args
        True
    """
    if hasattr(type(estimator), "__sklearn_clone__"):  # a Pipeline clones its steps
        return estimator.__sklearn_clone__()  # type: ignore[attr-defined]
    params = {name: clone_value(value) for name, value in estimator.get_params(deep=False).items()}
    twin = type(estimator)(**params)
    if "_sklearn_output_config" in estimator.__dict__:  # set_output's choice, kept as sklearn does
        twin.__dict__["_sklearn_output_config"] = copy.deepcopy(
            estimator.__dict__["_sklearn_output_config"]
        )
    return twin


def clone_value(value: Any) -> Any:
    """One parameter value for a clone: an estimator unfitted (torchbalance's, or any with
    ``__sklearn_clone__`` / ``get_params``, as :func:`sklearn.base.clone` does), anything else
    deep-copied."""
    if isinstance(value, type):
        return value
    if isinstance(value, ParamsMixin):
        return clone(value)
    if hasattr(value, "__sklearn_clone__"):
        return value.__sklearn_clone__()
    if hasattr(value, "get_params"):
        params = {k: clone_value(v) for k, v in value.get_params(deep=False).items()}
        return type(value)(**params)
    return copy.deepcopy(value)


class ClassifierMixin:
    """What scikit-learn asks of a classifier beyond ``fit``/``predict``: its estimator type,
    its tags, and ``score`` (accuracy, as scikit-learn's classifiers; prefer balanced metrics).
    """

    _estimator_type = "classifier"
    predict: Callable[[Any], Any]  # defined by every classifier

    def __sklearn_tags__(self) -> Any:  # called by scikit-learn only, which is then installed
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(),
        )

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy on ``(X, y)``, weighted by ``sample_weight`` when given (as scikit-learn's
        classifiers; prefer balanced metrics)."""
        predicted = self.predict(X)
        if isinstance(predicted, torch.Tensor):
            predicted = predicted.cpu().numpy()
        truth = y.cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
        correct = np.asarray(predicted) == truth
        if sample_weight is None:
            return float(np.mean(correct))
        owner = f"{type(self).__name__}.score"
        weights = check_sample_weight(sample_weight, correct.shape[0], owner=owner)[0]
        total = float(weights.sum())
        if total == 0:
            raise DataValidationError(f"{owner}: sample_weight sums to 0; no sample counts.")
        return float((weights.double().cpu() * torch.from_numpy(correct)).sum()) / total


class BaseResampler(ParamsMixin, ABC):
    """Template for every resampler: ``fit_resample`` validates, ``_fit_resample`` computes.

    Subclasses set ``_sampling_type`` (``"over-sampling"``, ``"under-sampling"``,
    ``"clean-sampling"`` or ``"bypass"``), declare ``_parameter_constraints`` and implement
    ``_fit_resample(X, y) -> (X_res, y_res)`` on tensors, delegating math to ``functional/``.
    After ``fit_resample`` the object has ``sampling_strategy_`` (the resolved
    ``{class: n}`` dict, in the caller's label values) and, for selection-based
    resamplers, ``sample_indices_``.
    """

    _sampling_type: ClassVar[str] = "bypass"
    _allow_nan: ClassVar[bool] = False

    sampling_strategy: Any

    def fit(self: Any, X: Any, y: Any) -> Any:
        """Check the inputs and resolve ``sampling_strategy``; returns ``self``."""
        self._validate_params()
        X_tensor, y_tensor, converter = check_X_y(
            X, y, owner=type(self).__name__, allow_nan=self._allow_nan, allow_nd=True
        )
        self._remember_features(X, X_tensor)
        self._resolve_strategy(y_tensor, converter)
        return self

    def _remember_features(self, X: Any, X_tensor: torch.Tensor) -> None:
        """``n_features_in_`` and, for a DataFrame, ``feature_names_in_`` (as imbalanced-learn)."""
        self.n_features_in_ = math.prod(X_tensor.shape[1:])
        remember_feature_names(self, X)

    def __sklearn_tags__(self) -> Any:  # called by scikit-learn only, which is then installed
        from sklearn.utils import InputTags, Tags, TargetTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=True),
            input_tags=InputTags(allow_nan=self._allow_nan),
        )

    def fit_resample(self, X: Any, y: Any, *, sample_weight: Any = None) -> tuple[Any, ...]:
        """Resample ``X`` and ``y`` (and, if given, the per-sample weights).

        Args:
            X: Features ``(n_samples, n_features)``: tensor, NumPy array or DataFrame; tensors
                and arrays may also be ``(n_samples, *sample_shape)`` (images, sequences).
            y: Labels ``(n_samples,)``: tensor, NumPy array, Series or list.
            sample_weight: Optional ``(n_samples,)`` non-negative weights. A selected row keeps
                its weight; a synthetic row gets its parents' weights interpolated with the
                same step as its features (see :meth:`_resampled_weight`).

        Returns:
            ``(X_resampled, y_resampled)`` in the same types (and, for tensors, the same
            device and dtype) as the inputs; with ``sample_weight``,
            ``(X_resampled, y_resampled, sample_weight_resampled)``.

        Raises:
            DataValidationError: Malformed ``X``, ``y`` or ``sample_weight``.
            InvalidParameterError: Bad parameters; ``sample_weight`` given to a resampler
                whose output rows have no parents among the input rows (ClusterCentroids'
                centroids).
        """
        self._validate_params()
        owner = type(self).__name__
        X_tensor, y_tensor, converter = check_X_y(
            X, y, owner=owner, allow_nan=self._allow_nan, allow_nd=True
        )
        self._remember_features(X, X_tensor)
        weight = None
        if sample_weight is not None:
            weight, give_back = check_sample_weight(sample_weight, y_tensor.shape[0], owner=owner)
        strategy = self._resolve_strategy(y_tensor, converter)
        # resampling is data preparation, not a differentiable step: X is used detached
        X_res, y_res = self._fit_resample(X_tensor.detach(), y_tensor, strategy)
        X_out = self._features_out(X, X_res, converter)
        if weight is None:
            return X_out, converter.to_y(y_res)
        weight_res = self._resampled_weight(weight)
        if weight_res.shape[0] != y_res.shape[0]:  # pragma: no cover - a subclass bug
            raise RuntimeError(
                f"{owner}: {weight_res.shape[0]} weights for {y_res.shape[0]} resampled rows."
            )
        return X_out, converter.to_y(y_res), give_back(weight_res)

    def _features_out(self, X: Any, X_res: torch.Tensor, converter: OutputConverter) -> Any:
        """``X_res`` in the caller's type. A DataFrame's selected rows are taken from the
        DataFrame itself (``X.iloc[sample_indices_]``, index reset): its values and dtypes
        exactly, where the way through one common dtype rounds int64 above 2**53."""
        indices = getattr(self, "sample_indices_", None)
        features = converter.features
        if indices is not None and features is not None and features.kind == "pandas":
            return X.iloc[indices.cpu().numpy()].reset_index(drop=True)
        return converter.to_X(X_res)

    def _resampled_weight(self, weight: torch.Tensor) -> torch.Tensor:
        """The weights of the rows the last ``fit_resample`` returned, from the input's.

        Selection-based resamplers give each kept row its own weight
        (``weight[sample_indices_]``); over-samplers override this to interpolate.
        """
        indices = getattr(self, "sample_indices_", None)
        if indices is None:
            raise InvalidParameterError(
                f"{type(self).__name__}: sample_weight is not supported here: its output rows "
                "are not rows of the input (nor interpolations of them), so they have no "
                "weights to inherit. Resample without sample_weight."
            )
        return weight.index_select(0, indices.to(weight.device))

    def _resolve_strategy(
        self, y: torch.Tensor, converter: OutputConverter
    ) -> OrderedDict[Any, int]:
        # Resolved in the caller's own labels (a callable sees them, errors name them), then
        # mapped to the integer codes the math works on.
        strategy = getattr(self, "sampling_strategy", "auto")
        labels = y if converter.labels.kind == "tensor" else converter.to_y(y)
        resolved = check_sampling_strategy(
            strategy, labels, self._sampling_type, owner=type(self).__name__
        )
        self.sampling_strategy_ = resolved
        if converter.classes is None or self._sampling_type in ("bypass", "ensemble"):
            return resolved
        return OrderedDict((converter.encode_label(k), n) for k, n in resolved.items())

    @abstractmethod
    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Resample validated tensors; ``strategy`` is the resolved ``{class code: n}``."""


class FunctionResampler(BaseResampler):
    """Wrap any function ``func(X, y, **kw_args) -> (X_res, y_res)`` as a resampler.

    The counterpart of imbalanced-learn's ``FunctionSampler``: use it for one-off rules inside
    a pipeline. With ``validate=True`` the function receives validated tensors and its
    results are given back in the caller's types; with ``validate=False`` it receives the
    inputs untouched and its results are returned as they are.

    Args:
        func: The function; ``None`` returns the data unchanged.
        kw_args: Extra keyword arguments for ``func``.
        validate: Validate and convert inputs (see above).

    Example:
        >>> import torch
        >>> keep_first = FunctionResampler(func=lambda X, y, n: (X[:n], y[:n]), kw_args={"n": 2})
        >>> X_res, y_res = keep_first.fit_resample(torch.ones(4, 3), torch.tensor([0, 1, 0, 1]))
        >>> tuple(X_res.shape), y_res.tolist()
        ((2, 3), [0, 1])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "func": [callable, None],
        "kw_args": [dict, None],
        "validate": [bool],
    }

    def __init__(
        self,
        *,
        func: Callable[..., tuple[Any, Any]] | None = None,
        kw_args: dict[str, Any] | None = None,
        validate: bool = True,
    ) -> None:
        self.func = func
        self.kw_args = kw_args
        self.validate = validate

    def fit_resample(self, X: Any, y: Any, *, sample_weight: Any = None) -> tuple[Any, ...]:
        """Apply ``func`` to ``(X, y)`` (validated and converted when ``validate``).

        ``sample_weight`` is refused: the rows ``func`` returns have no known parents.
        """
        if sample_weight is not None:
            raise InvalidParameterError(
                "FunctionResampler: sample_weight is not supported, since the rows func "
                "returns have no known parents; resample the weights inside func instead."
            )
        if self.validate:
            return super().fit_resample(X, y)
        self._validate_params()
        return self._apply(X, y)

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        X_res, y_res = self._apply(X, y)
        return torch.as_tensor(X_res), torch.as_tensor(y_res)

    def _apply(self, X: Any, y: Any) -> tuple[Any, Any]:
        if self.func is None:
            return X, y
        result = self.func(X, y, **(self.kw_args or {}))
        return result[0], result[1]
