"""Tuning imbalance knobs (sampling ratio, focal gamma, LDAM margin, ...) by cross-validation.

Optuna's TPE sampler when Optuna is installed (the ``tune`` extra), plain random search
otherwise; both draw from the same search-space description and score every trial with
:func:`cross_validate` on the same folds.
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from .._types import GeneratorLike
from ..exceptions import InvalidParameterError
from ..utils import derive_seed, host_generator, optional_import
from ._scoring import LOWER_IS_BETTER, SCORES
from ._validation import FixedSplits, cross_validate, splits_of, splitter_for

__all__ = ["FloatRange", "IntRange", "TuneResult", "tune"]


@dataclass(frozen=True)
class FloatRange:
    """A float in ``[low, high]``, uniform or (``log=True``) log-uniform."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise InvalidParameterError(
                f"FloatRange: low={self.low} and high={self.high} must be finite with low < high."
            )
        if self.log and self.low <= 0:
            raise InvalidParameterError(f"FloatRange: log=True needs low > 0, got {self.low}.")


@dataclass(frozen=True)
class IntRange:
    """An int in ``[low, high]`` (both included)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise InvalidParameterError(
                    f"IntRange: {name}={value!r} is invalid; it must be an int (use FloatRange "
                    "for real numbers)."
                )
        if self.low > self.high:
            raise InvalidParameterError(f"IntRange: low={self.low} is above high={self.high}.")


Space = FloatRange | IntRange | Sequence[Any]


@dataclass
class TuneResult:
    """Outcome of :func:`tune`.

    Attributes:
        best_params: The parameters of the best trial.
        best_score: Its mean cross-validated ``metric``.
        trials: Every trial, ``{"params": ..., "score": ..., "low": ..., "high": ...}``, in order.
        backend: ``"optuna"`` or ``"random"``.
    """

    best_params: dict[str, Any]
    best_score: float
    trials: list[dict[str, Any]]
    backend: str


def _check_space(search_space: Mapping[str, Space]) -> None:
    if not isinstance(search_space, Mapping) or not search_space:
        raise InvalidParameterError(
            "tune: search_space must be a non-empty dict {name: FloatRange | IntRange | list}."
        )
    for name, space in search_space.items():
        if isinstance(space, FloatRange | IntRange):
            continue
        if isinstance(space, str) or not isinstance(space, Sequence) or len(space) == 0:
            raise InvalidParameterError(
                f"tune: search_space[{name!r}]={space!r} is invalid; it must be a FloatRange, an "
                "IntRange or a non-empty list of choices."
            )


def _draw(space: Space, generator: torch.Generator) -> Any:
    u = float(torch.rand((), dtype=torch.float64, generator=generator))
    if isinstance(space, FloatRange):
        if space.log:
            return math.exp(math.log(space.low) + u * (math.log(space.high) - math.log(space.low)))
        return space.low + u * (space.high - space.low)
    if isinstance(space, IntRange):
        return space.low + min(int(u * (space.high - space.low + 1)), space.high - space.low)
    return space[min(int(u * len(space)), len(space) - 1)]


def _suggest(trial: Any, name: str, space: Space) -> Any:
    if isinstance(space, FloatRange):
        return trial.suggest_float(name, space.low, space.high, log=space.log)
    if isinstance(space, IntRange):
        return trial.suggest_int(name, space.low, space.high)
    index = trial.suggest_categorical(f"{name}__index", list(range(len(space))))
    return space[index]  # by index: choices need not be hashable or plain values


def tune(
    build: Callable[[dict[str, Any]], Any],
    search_space: Mapping[str, Space],
    X: Any,
    y: Any,
    *,
    metric: str = "balanced_accuracy",
    cv: Any = 5,
    n_trials: int = 20,
    backend: str = "auto",
    generator: GeneratorLike = None,
    progress: bool = False,
    groups: Any = None,
) -> TuneResult:
    """Search ``search_space`` for the parameters whose model scores best in cross-validation.

    Args:
        build: ``build(params) -> model`` or ``-> (model, resampler)``; e.g.
            ``lambda p: TorchClassifier(loss=FocalLoss(gamma=p["gamma"]))``.
        search_space: ``{name: FloatRange(...) | IntRange(...) | [choices]}``.
        X, y: The data; every trial is cross-validated on the same folds.
        metric: Name of the score to maximise (see :data:`SCORES`).
        cv: Folds or splitter for :func:`cross_validate`.
        n_trials: Number of parameter settings tried.
        backend: ``"auto"`` (Optuna if installed, else random), ``"optuna"`` or ``"random"``.
        generator: Int seed, ``torch.Generator`` or ``None``: seeds the folds, the models and
            the search.
        progress: One line per trial on stderr.
        groups: Group ids ``(n_samples,)`` for a group-aware splitter given as ``cv`` (e.g.
            patients in ``StratifiedGroupKFold``), so no group is on both sides of a fold.

    Returns:
        :class:`TuneResult`.

    Raises:
        InvalidParameterError: Bad search space, unknown metric or backend, ``n_trials < 1``.
        ImportError: ``backend="optuna"`` without Optuna (``pip install torchbalance[tune]``).

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> from torchbalance.datasets import make_classification
        >>> X, y = make_classification(300, n_features=4, weights=[0.9, 0.1], generator=0)
        >>> space = {"C": FloatRange(0.01, 10, log=True)}
        >>> result = tune(lambda p: LogisticRegression(C=p["C"]), space, X.numpy(), y.numpy(),
        ...               cv=3, n_trials=3, backend="random", generator=0)
        >>> len(result.trials), 0.01 <= result.best_params["C"] <= 10
        (3, True)
    """
    _check_space(search_space)
    if metric not in SCORES:
        raise InvalidParameterError(
            f"tune: metric={metric!r} is invalid; it must be one of {sorted(SCORES)}."
        )
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise InvalidParameterError(
            f"tune: n_trials={n_trials!r} is invalid; it must be an int >= 1."
        )
    if backend not in ("auto", "optuna", "random"):
        raise InvalidParameterError(
            f"tune: backend={backend!r} is invalid; it must be 'auto', 'optuna' or 'random'."
        )
    rng = host_generator(generator, owner="tune")
    cv_seed = derive_seed(rng)
    # the folds are drawn once: a splitter object would draw new ones at every trial otherwise
    splitter = splitter_for(cv, 1, cv_seed)
    folds = FixedSplits(
        splits_of(splitter, X, y, groups, "tune"), int(getattr(splitter, "n_repeats", 1))
    )
    maximize = metric not in LOWER_IS_BETTER
    trials: list[dict[str, Any]] = []

    def evaluate(params: dict[str, Any]) -> float:
        built = build(params)
        model, resampler = built if isinstance(built, tuple) else (built, None)
        result = cross_validate(
            model, X, y, resampler=resampler, cv=folds, metrics=[metric], generator=cv_seed
        )
        interval = result.summary[metric]
        trials.append(
            {"params": params, "score": interval.mean, "low": interval.low, "high": interval.high}
        )
        if progress:
            print(
                f"tune: trial {len(trials)}/{n_trials}: {metric}={interval.mean:.4f} {params}",
                file=sys.stderr,
            )
        return interval.mean

    use_optuna = backend == "optuna" or (
        backend == "auto" and importlib.util.find_spec("optuna") is not None
    )
    if use_optuna:
        optuna = optional_import("optuna", extra="tune", purpose="tune(backend='optuna')")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            direction="maximize" if maximize else "minimize",
            sampler=optuna.samplers.TPESampler(seed=derive_seed(rng) % 2**32),
        )
        study.optimize(
            lambda trial: evaluate(
                {name: _suggest(trial, name, space) for name, space in search_space.items()}
            ),
            n_trials=n_trials,
        )
    else:
        for _ in range(n_trials):
            evaluate({name: _draw(space, rng) for name, space in search_space.items()})
    pick = max if maximize else min  # ece: lower is better
    best = pick(trials, key=lambda trial: trial["score"])
    return TuneResult(
        dict(best["params"]), float(best["score"]), trials, "optuna" if use_optuna else "random"
    )
