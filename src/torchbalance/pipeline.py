"""Pipelines that resample during ``fit`` only: chain resamplers, transformers and a model.

``Pipeline`` is imbalanced-learn's pipeline on torchbalance's terms: every step but the last is
a resampler (``fit_resample``) or a transformer (``fit_transform``/``transform``); the last may
also be an estimator. Resamplers act while fitting and are skipped at prediction, so test data
is never resampled. A pipeline whose steps are all resamplers is itself a resampler:
``fit_resample`` runs them in turn, so it can sit inside another pipeline, a
:class:`~torchbalance.models.TorchClassifier` or cross-validation. A pipeline with a
transformer has no ``fit_resample``: a host skips resamplers at prediction, so it would skip
the transformer there too and predict on untransformed features.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .base import ParamsMixin, clone_value
from .exceptions import InvalidParameterError, NotFittedError
from .utils import available_if

__all__ = ["Pipeline", "make_pipeline"]


def _is_resampler(step: Any) -> bool:
    return hasattr(step, "fit_resample")


def _is_transformer(step: Any) -> bool:
    return hasattr(step, "transform") and (hasattr(step, "fit_transform") or hasattr(step, "fit"))


def _skipped(step: Any) -> bool:
    """``None`` or ``"passthrough"``: a step that does nothing."""
    return step is None or (isinstance(step, str) and step == "passthrough")


def _clone_step(step: Any) -> Any:
    return step if _skipped(step) else clone_value(step)


def _last_step_lacks(method: str) -> Callable[[Any], str | None]:
    def reason(pipeline: Any) -> str | None:
        name, final = pipeline.steps[-1]
        if hasattr(final, method):
            return None
        return (
            f"Pipeline has no {method}: the last step {name!r} ({type(final).__name__}) lacks it."
        )

    return reason


def _not_a_resampler(pipeline: Any) -> str | None:
    """Why ``fit_resample`` is not offered: a step that transforms the features, or a model."""
    for name, step in pipeline.steps:
        if _skipped(step) or _is_resampler(step):
            continue
        if not _is_transformer(step):
            return (
                f"Pipeline has no fit_resample: the last step {name!r} "
                f"({type(step).__name__}) is a model, not a resampler."
            )
        return (
            f"Pipeline has no fit_resample: step {name!r} ({type(step).__name__}) transforms the "
            "features, and whatever hosts a resampler (another pipeline, TorchClassifier, an "
            "ensemble, imbalanced-learn) skips it at prediction, so the model would predict on "
            "untransformed features. Put the transformers in the host pipeline itself."
        )
    return None


def mixed_pipeline_reason(step: Any) -> str | None:
    """Why a pipeline (ours, imbalanced-learn's: anything with ``steps``) cannot be hosted as
    one resampler or transformer: it both resamples and transforms. A host skips a resampler
    at prediction, its transformers with it, and a transformer's resampled rows would no
    longer match ``y``. ``None`` when it does not mix the two."""
    inner = getattr(step, "steps", None)
    if not isinstance(inner, (list, tuple)):
        return None
    parts = [s for _, s in inner if not _skipped(s)]
    transformers = [type(s).__name__ for s in parts if _is_transformer(s) and not _is_resampler(s)]
    if not transformers or not any(_is_resampler(s) for s in parts):
        return None
    return (
        f"it is a pipeline that both resamples and transforms ({', '.join(transformers)}): "
        "hosted as one step, its transformers would be skipped with its resamplers at "
        "prediction, or its resampled rows would no longer match y. Put its steps in the host "
        "pipeline itself."
    )


def check_resampler_param(owner: str, resampler: Any, *, none: str) -> None:
    """Refuse a ``resampler=`` that has no ``fit_resample`` or is a pipeline that also
    transforms; ``none`` ends the message with the other values the parameter takes."""
    mixed = mixed_pipeline_reason(resampler)
    if mixed is not None:
        raise InvalidParameterError(f"{owner}: resampler={resampler!r} is invalid; {mixed}")
    if not hasattr(resampler, "fit_resample"):
        reason = _not_a_resampler(resampler) if isinstance(resampler, Pipeline) else None
        raise InvalidParameterError(
            f"{owner}: resampler={resampler!r} is invalid; it must have fit_resample(X, y) "
            f"(a torchbalance or imbalanced-learn resampler) or be {none}."
            + (f" {reason}" if reason else "")
        )


def _last_step_not_transformer(method: str) -> Callable[[Any], str | None]:
    def reason(pipeline: Any) -> str | None:
        name, final = pipeline.steps[-1]
        if _skipped(final) or _is_transformer(final):
            return None
        return (
            f"Pipeline has no {method}: the last step {name!r} ({type(final).__name__}) is not "
            "a transformer."
        )

    return reason


class _NamedSteps(dict[str, Any]):
    """A dict of steps whose keys also read as attributes, as scikit-learn's ``Bunch``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Pipeline(ParamsMixin):
    """A sequence of resamplers / transformers, optionally ending in an estimator.

    ``fit(X, y)`` runs each intermediate step on the output of the previous one
    (``fit_resample`` for resamplers, ``fit_transform`` for transformers) and fits the last
    step on the result. ``predict``, ``predict_proba``, ``decision_function``,
    ``score_samples``, ``score`` and ``transform`` apply only the transformers (resamplers are
    skipped) and then the last step; each exists only when the last step has it.
    ``fit_resample`` makes a pipeline of resamplers a resampler (one with a transformer has
    none: a host would skip its transformers at prediction). A step that is itself a pipeline
    mixing resamplers and transformers is refused. Steps are used as given (fitted in place),
    as in scikit-learn; ``clone(pipeline)`` copies them. ``None`` or ``"passthrough"`` skips a
    step.

    Args:
        steps: List of ``(name, step)`` pairs; names are unique and contain no ``"__"``.

    Attributes:
        named_steps: ``{name: step}``.
        classes_: The last step's ``classes_`` (when it has one).
        n_features_in_: The first step's ``n_features_in_``.

    Raises:
        InvalidParameterError: Malformed ``steps``: duplicate or bad names, an intermediate
            step that neither resamples nor transforms, a method the last step lacks.

    Example:
        >>> import torch
        >>> from torchbalance.pipeline import make_pipeline
        >>> from torchbalance.under_sampling import RandomUnderSampler
        >>> from torchbalance.over_sampling import SMOTE
        >>> y = torch.tensor([0] * 80 + [1] * 20)
        >>> X = torch.randn(100, 3, generator=torch.Generator().manual_seed(0)) + y[:, None]
        >>> hybrid = make_pipeline(
        ...     RandomUnderSampler(sampling_strategy=0.5, generator=0), SMOTE(generator=0)
        ... )
        >>> X_res, y_res = hybrid.fit_resample(X, y)
        >>> torch.bincount(y_res).tolist()
        [40, 40]
    """

    def __init__(self, steps: list[tuple[str, Any]]) -> None:
        self.steps = steps

    # -- parameters ----------------------------------------------------------------------

    def _validate_steps(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.steps, (list, tuple)) or not self.steps:
            raise InvalidParameterError(
                f"{owner}: steps={self.steps!r} is invalid; it must be a non-empty list of "
                "(name, step) pairs."
            )
        names = []
        for item in self.steps:
            if not (
                isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
            ):
                raise InvalidParameterError(
                    f"{owner}: steps holds {item!r}; every step must be a (name, step) pair."
                )
            names.append(item[0])
        duplicated = [n for n, c in Counter(names).items() if c > 1]
        if duplicated:
            raise InvalidParameterError(
                f"{owner}: step names {duplicated} are used more than once; names must be unique."
            )
        bad = [n for n in names if "__" in n or n in self._param_names()]
        if bad:
            raise InvalidParameterError(
                f"{owner}: step names {bad} are invalid; a name must not contain '__' nor be "
                f"a parameter name ({self._param_names()})."
            )
        for name, step in self.steps[:-1]:
            if _skipped(step):
                continue
            mixed = mixed_pipeline_reason(step)
            if mixed is not None:
                raise InvalidParameterError(f"{owner}: step {name!r} is invalid; {mixed}")
            if not (_is_resampler(step) or _is_transformer(step)):
                raise InvalidParameterError(
                    f"{owner}: step {name!r} ({type(step).__name__}) is invalid; every step "
                    "but the last must have fit_resample (a resampler) or fit/transform (a "
                    "transformer)."
                )
            if _is_resampler(step) and _is_transformer(step):
                raise InvalidParameterError(
                    f"{owner}: step {name!r} ({type(step).__name__}) has both fit_resample and "
                    "transform; a step must be either a resampler or a transformer."
                )
        name, last = self.steps[-1]
        if not (_skipped(last) or _is_resampler(last) or hasattr(last, "fit")):
            raise InvalidParameterError(
                f"{owner}: the last step {name!r} ({type(last).__name__}) is invalid; it must "
                "have fit (a model or transformer) or fit_resample, or be 'passthrough'."
            )

    @property
    def named_steps(self) -> dict[str, Any]:
        """``{name: step}``, also read as attributes (``pipe.named_steps.smote``)."""
        return _NamedSteps(self.steps)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """``steps``, and with ``deep`` every step by name and its parameters as
        ``name__param``."""
        params: dict[str, Any] = {"steps": self.steps}
        if not deep:
            return params
        for name, step in self.steps:
            params[name] = step
            if hasattr(step, "get_params") and not isinstance(step, type):
                params.update((f"{name}__{k}", v) for k, v in step.get_params(deep=True).items())
        return params

    def set_params(self, **params: Any) -> Pipeline:
        """Set ``steps``, replace a step by name, or set ``name__param`` on a step."""
        if "steps" in params:
            self.steps = params.pop("steps")
        names = [name for name, _ in self.steps]
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in names:
                raise ValueError(
                    f"Pipeline: invalid parameter {name!r}; valid names are steps and {names}."
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                self.steps = [(n, value if n == name else s) for n, s in self.steps]
        for name, sub_params in nested.items():
            self.named_steps[name].set_params(**sub_params)
        return self

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int | str | slice) -> Any:
        """A step by position or name, or a sub-pipeline for a slice."""
        if isinstance(index, slice):
            sub = type(self)(list(self.steps[index]))
            sub._fitted = getattr(self, "_fitted", False)
            return sub
        if isinstance(index, str):
            return self.named_steps[index]
        return self.steps[index][1]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.steps)

    def __sklearn_clone__(self) -> Pipeline:
        return type(self)([(name, _clone_step(step)) for name, step in self.steps])

    # -- fitting -------------------------------------------------------------------------

    @property
    def _final(self) -> Any:
        return self.steps[-1][1]

    def _route(self, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """``name__param`` to the named step; an unprefixed parameter goes to the last step."""
        self._validate_steps()
        names = [name for name, _ in self.steps]
        routed: dict[str, dict[str, Any]] = {name: {} for name in names}
        for key, value in params.items():
            name, sep, param = key.partition("__")
            if not sep:
                name, param = names[-1], key
            if name not in routed or not param:
                raise InvalidParameterError(
                    f"Pipeline: fit parameter {key!r} names no step; use step__param with a "
                    f"step of {names}."
                )
            routed[name][param] = value
        return routed

    def _run_intermediate(
        self, X: Any, y: Any, routed: dict[str, dict[str, Any]], weight: Any = None
    ) -> tuple[Any, Any, Any]:
        for name, step in self.steps[:-1]:
            X, y, weight = self._fit_step(step, X, y, routed[name], weight)
        return X, y, weight

    @staticmethod
    def _fit_step(
        step: Any, X: Any, y: Any, kwargs: dict[str, Any], weight: Any
    ) -> tuple[Any, Any, Any]:
        """One step fitted on ``(X, y)``: the rows it hands on, and their weights (resamplers
        carry them through ``sample_weight``; transformers keep the rows)."""
        if _skipped(step):
            return X, y, weight
        if _is_resampler(step):
            if weight is not None:
                if "sample_weight" in kwargs:
                    raise InvalidParameterError(
                        f"Pipeline: {type(step).__name__} got its own sample_weight and the "
                        "weights that follow the rows from the pipeline's start; give one."
                    )
                kwargs = {**kwargs, "sample_weight": weight}
            try:
                resampled = step.fit_resample(X, y, **kwargs)
            except TypeError as error:
                if weight is None or "sample_weight" not in str(error):
                    raise
                raise InvalidParameterError(
                    f"Pipeline: {type(step).__name__}.fit_resample takes no sample_weight, so "
                    "the weights cannot follow the rows it keeps or makes; use a torchbalance "
                    "resampler, or fit without sample_weight."
                ) from error
            X, y = resampled[0], resampled[1]
            if "sample_weight" in kwargs:  # weights given here flow on through later steps
                weight = resampled[2]
        elif hasattr(step, "fit_transform"):
            X = step.fit_transform(X, y, **kwargs)
        else:
            X = step.fit(X, y, **kwargs).transform(X)
        return X, y, weight

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> Pipeline:
        """Resample/transform with every intermediate step, then fit the last on the result.

        ``fit_params`` named ``step__param`` go to that step's ``fit`` (``fit_resample``,
        ``fit_transform``); unprefixed ones go to the last step's ``fit``. The last step's
        ``sample_weight`` follows the rows through the resamplers before it (one weight per
        input row in, one per resampled row out), as :meth:`fit_resample` carries it.
        """
        routed = self._route(fit_params)
        last = routed[self.steps[-1][0]]
        carried = last.pop("sample_weight", None)
        X, y, weight = self._run_intermediate(X, y, routed, carried)
        if carried is not None:  # a step's own weights stay that step's
            last["sample_weight"] = weight
        final = self._final
        if not _skipped(final):
            if _is_resampler(final) and not hasattr(final, "fit"):
                final.fit_resample(X, y, **routed[self.steps[-1][0]])
            else:
                final.fit(X, y, **routed[self.steps[-1][0]])
        self._fitted = True
        return self

    @available_if(_not_a_resampler)
    def fit_resample(
        self, X: Any, y: Any, *, sample_weight: Any = None, **fit_params: Any
    ) -> tuple[Any, ...]:
        """Run every step (all resamplers) in turn and return the resampled ``(X, y)``.

        With ``sample_weight``, every resampler carries the weights along and
        ``(X, y, sample_weight)`` is returned, as for a single resampler. ``fit_params`` are
        routed as in :meth:`fit`. Only for pipelines without transformers (see the module's
        note).
        """
        return self._resample_through(X, y, sample_weight=sample_weight, **fit_params)

    def _resample_through(
        self, X: Any, y: Any, *, sample_weight: Any = None, **fit_params: Any
    ) -> tuple[Any, ...]:
        """``fit_resample``'s work with transformers allowed (steps that resample or transform
        only): what a model after these steps would be fitted on."""
        routed = self._route(fit_params)
        X, y, weight = self._run_intermediate(X, y, routed, sample_weight)
        X, y, weight = self._fit_step(self._final, X, y, routed[self.steps[-1][0]], weight)
        self._fitted = True
        return (X, y) if sample_weight is None else (X, y, weight)

    def fit_predict(self, X: Any, y: Any = None) -> Any:
        """``fit(X, y)`` then ``predict(X)`` on the *original* ``X``."""
        return self.fit(X, y).predict(X)

    # -- inference (resamplers skipped) --------------------------------------------------

    def _transform_only(self, X: Any) -> Any:
        if not getattr(self, "_fitted", False):
            raise NotFittedError("Pipeline: call fit before predicting or transforming.")
        for _, step in self.steps[:-1]:
            if _skipped(step) or _is_resampler(step):
                continue
            X = step.transform(X)
        return X

    def _call_final(self, method: str, X: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._final, method)(self._transform_only(X), *args, **kwargs)

    @available_if(_last_step_lacks("predict"))
    def predict(self, X: Any) -> Any:
        """Transformers, then the last step's ``predict`` (no resampling)."""
        return self._call_final("predict", X)

    @available_if(_last_step_lacks("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        """Transformers, then the last step's ``predict_proba`` (no resampling)."""
        return self._call_final("predict_proba", X)

    @available_if(_last_step_lacks("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        """Transformers, then the last step's ``predict_log_proba`` (no resampling)."""
        return self._call_final("predict_log_proba", X)

    @available_if(_last_step_lacks("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """Transformers, then the last step's ``decision_function`` (no resampling)."""
        return self._call_final("decision_function", X)

    @available_if(_last_step_lacks("score_samples"))
    def score_samples(self, X: Any) -> Any:
        """Transformers, then the last step's ``score_samples`` (an anomaly detector's)."""
        return self._call_final("score_samples", X)

    @available_if(_last_step_lacks("score"))
    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """Transformers, then the last step's ``score(X, y)`` (no resampling), with
        ``sample_weight`` when given."""
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self._call_final("score", X, y, **weights)

    def _first_step(self) -> Any:
        for _, step in self.steps:
            if not _skipped(step):
                return step
        raise AttributeError("Pipeline: every step is 'passthrough'; none saw the features.")

    @property
    def n_features_in_(self) -> int:
        """The first step's ``n_features_in_`` (features seen at ``fit``)."""
        return int(self._first_step().n_features_in_)

    @property
    def feature_names_in_(self) -> Any:
        """The first step's ``feature_names_in_`` (column names seen at ``fit``)."""
        return self._first_step().feature_names_in_

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """The output names of the transformers in turn (resamplers keep the columns)."""
        names = input_features
        for name, step in self.steps:
            if _skipped(step) or _is_resampler(step):
                continue
            if not hasattr(step, "get_feature_names_out"):
                raise AttributeError(
                    f"Pipeline has no get_feature_names_out: step {name!r} "
                    f"({type(step).__name__}) lacks it."
                )
            names = step.get_feature_names_out(names)
        if names is None:  # resamplers only: the columns they were fitted on
            names = getattr(self._first_step(), "feature_names_in_", None)
            if names is None:
                names = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(names, dtype=object)

    def set_output(self, *, transform: str | None = None) -> Pipeline:
        """scikit-learn's output switch, passed to every step that transforms."""
        for name, step in self.steps:
            if hasattr(step, "set_output"):
                step.set_output(transform=transform)
            elif transform is not None and _is_transformer(step):
                raise InvalidParameterError(
                    f"Pipeline: step {name!r} ({type(step).__name__}) has no set_output, so "
                    f"its output cannot be set to {transform!r}."
                )
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return bool(getattr(self, "_fitted", False))

    @available_if(_last_step_not_transformer("transform"))
    def transform(self, X: Any) -> Any:
        """Transformers only, then the last step's ``transform`` (no resampling).

        Available only when the last step is a transformer or ``"passthrough"`` (as in
        scikit-learn), so a pipeline of resamplers is a pure resampler to imbalanced-learn.
        """
        X = self._transform_only(X)
        final = self._final
        return X if _skipped(final) else final.transform(X)

    @available_if(_last_step_not_transformer("fit_transform"))
    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """``fit`` every step but the last, then the last step's ``fit_transform``: the
        resampled, transformed training rows (as imbalanced-learn's pipeline)."""
        return self._resample_through(X, y, **fit_params)[0]

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: the last step's (so a pipeline ending in a classifier is a
        classifier to ``cross_val_score``), taking sparse input only when every step does."""
        final = self._final
        if hasattr(final, "__sklearn_tags__"):
            tags = copy.deepcopy(final.__sklearn_tags__())
            steps = [step for _, step in self.steps if not _skipped(step)]
            tags.input_tags.sparse = all(
                hasattr(step, "__sklearn_tags__") and step.__sklearn_tags__().input_tags.sparse
                for step in steps
            )
            return tags
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=True))

    @property
    def classes_(self) -> Any:
        """The last step's ``classes_``."""
        return self._final.classes_


def _names(steps: tuple[Any, ...]) -> list[str]:
    names = [
        s if isinstance(s, str) else "none" if s is None else type(s).__name__.lower()
        for s in steps
    ]
    counts = Counter(names)
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        if counts[name] > 1:
            seen[name] += 1
            out.append(f"{name}-{seen[name]}")
        else:
            out.append(name)
    return out


def make_pipeline(*steps: Any) -> Pipeline:
    """A :class:`Pipeline` whose step names are the lower-cased class names (``-1``, ``-2``, ...
    for repeats), as scikit-learn's ``make_pipeline``.

    Example:
        >>> from torchbalance.under_sampling import RandomUnderSampler, TomekLinks
        >>> [name for name, _ in make_pipeline(TomekLinks(), RandomUnderSampler()).steps]
        ['tomeklinks', 'randomundersampler']
    """
    return Pipeline(list(zip(_names(steps), steps, strict=True)))
