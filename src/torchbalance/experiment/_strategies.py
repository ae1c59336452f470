"""Strategies: named recipes (loss, sampler, resampler, ensemble, post-processing) compared on
the same model, budget and folds.

A strategy's ``build(setting)`` returns ``(estimator, resampler)``: an estimator with
``fit``/``predict``/``predict_proba`` (usually ``setting.classifier(...)``, the shared network
with one change) and an optional resampler applied to the training folds only. Register your
own with :func:`register_strategy`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ..exceptions import InvalidParameterError
from ._setting import Setting, cosine_head

__all__ = [
    "PENDING",
    "Strategy",
    "get_strategy",
    "list_strategies",
    "register_strategy",
    "resolve_strategies",
    "unregister_strategy",
]

Recipe = tuple[Any, Any]


@dataclass(frozen=True)
class Strategy:
    """A named recipe.

    Attributes:
        name: Short identifier (``--strategies`` on the command line).
        summary: One line: what it changes, and the paper.
        kind: ``"baseline"``, ``"loss"``, ``"sampler"``, ``"resampler"``, ``"ensemble"``,
            ``"post-hoc"``, ``"anomaly"`` (a one-class detector as the model) or
            ``"reference"`` (a non-neural model for comparison).
        build: ``build(setting) -> (estimator, resampler or None)``.
        requires: Modules that must import for the strategy to run (optional pieces).
        tabular_only: Only for flat feature vectors (the SMOTE family, trees).
        binary_only: Only for two classes (a detector separates "normal" from the rest).
        synthesizes: Makes new samples between or around the originals (interpolation,
            noise, centroids): left out when the data has categorical features.
        fast: In the ``fast`` set (one model fit per fold, no kNN cleaning).
        default: In the default set.
    """

    name: str
    summary: str
    kind: str
    build: Callable[[Setting], Recipe]
    requires: tuple[str, ...] = ()
    tabular_only: bool = False
    binary_only: bool = False
    synthesizes: bool = False
    fast: bool = False
    default: bool = True

    def unavailable_reason(self, setting: Setting | None = None) -> str | None:
        """Why the strategy cannot run here, or ``None`` if it can."""
        if setting is not None and self.tabular_only and not setting.tabular:
            return "needs flat (tabular) features"
        if setting is not None and self.binary_only and setting.num_classes != 2:
            return "needs exactly two classes"
        if setting is not None and self.synthesizes and setting.categorical_features:
            return (
                "makes new samples between or around the originals, which would invent "
                "categories between the codes of the categorical features"
            )
        for module in self.requires:
            try:
                importlib.import_module(module)
            except ImportError:
                return f"needs {module}, which is not available"
        return None


_REGISTRY: dict[str, Strategy] = {}

PENDING: dict[str, str] = {}
"""Strategies the issue list asks for whose pieces do not exist yet: reported as left out,
never imitated."""


def register_strategy(strategy: Strategy, *, replace: bool = False) -> Strategy:
    """Add ``strategy`` to the registry (``replace=True`` to overwrite one of the same name).

    Example:
        >>> from torchbalance.experiment import Strategy, register_strategy, unregister_strategy
        >>> smooth = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> mine = Strategy("label_smoothing", "CE with label smoothing 0.1", "loss",
        ...                 lambda s: (s.classifier(loss=smooth), None))
        >>> register_strategy(mine).name
        'label_smoothing'
        >>> unregister_strategy("label_smoothing")
    """
    if not isinstance(strategy, Strategy):
        raise InvalidParameterError(
            f"register_strategy: {strategy!r} is not a Strategy; build one with "
            "Strategy(name, summary, kind, build)."
        )
    if strategy.name in _REGISTRY and not replace:
        raise InvalidParameterError(
            f"register_strategy: a strategy named {strategy.name!r} exists; pass replace=True "
            "or choose another name."
        )
    _REGISTRY[strategy.name] = strategy
    return strategy


def unregister_strategy(name: str) -> None:
    """Remove a strategy from the registry."""
    _REGISTRY.pop(name, None)


def list_strategies() -> dict[str, Strategy]:
    """Every registered strategy by name, in registration order."""
    return dict(_REGISTRY)


def get_strategy(name: str) -> Strategy:
    """The strategy called ``name``, or a clear error listing the known ones."""
    if name not in _REGISTRY:
        raise InvalidParameterError(
            f"unknown strategy {name!r}; known strategies: {', '.join(_REGISTRY)}."
        )
    return _REGISTRY[name]


def resolve_strategies(
    strategies: str | list[str | Strategy] | None, setting: Setting
) -> tuple[list[Strategy], dict[str, str]]:
    """The strategies to run and, for each one left out, why.

    ``None`` or ``"default"``: every default strategy that can run here; ``"all"``: every
    registered one that can run; ``"fast"``: the fast ones; or a list of names / Strategy
    objects (a named strategy that cannot run here is an error).
    """
    skipped: dict[str, str] = {}
    if strategies is None or isinstance(strategies, str):
        group = strategies or "default"
        if group not in ("default", "all", "fast"):
            names = [name.strip() for name in group.split(",") if name.strip()]
            return resolve_strategies(list(names), setting)
        if group != "fast":
            skipped.update(PENDING)
        chosen = []
        for strategy in _REGISTRY.values():
            if group == "default" and not strategy.default:
                continue
            if group == "fast" and not strategy.fast:
                continue
            reason = strategy.unavailable_reason(setting)
            if reason is None:
                chosen.append(strategy)
            else:
                skipped[strategy.name] = reason
        return chosen, skipped
    chosen = []
    for item in strategies:
        strategy = item if isinstance(item, Strategy) else get_strategy(item)
        reason = strategy.unavailable_reason(setting)
        if reason is not None:
            raise InvalidParameterError(f"strategy {strategy.name!r} cannot run here: {reason}.")
        chosen.append(strategy)
    if not chosen:
        raise InvalidParameterError("no strategy to compare; name at least one.")
    names = [strategy.name for strategy in chosen]
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"strategies are named twice: {names}.")
    return chosen, skipped


# -- the built-in strategies ----------------------------------------------------------------------


class _ScheduledLoss(nn.Module):
    """A loss whose per-class weights follow a schedule (``set_epoch`` sets them)."""

    def __init__(self, loss: nn.Module, schedule: Any) -> None:
        super().__init__()
        self.loss = loss
        self.schedule = schedule

    def set_epoch(self, epoch: int) -> None:
        self.loss.set_weight(self.schedule.weights_at(epoch))  # type: ignore[operator]

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss(logits, target)


def _switch_epoch(setting: Setting) -> int:
    """Deferred schedules switch for the last fifth of training (Cao et al.: 160 of 200)."""
    return max(1, round(0.8 * setting.epochs))


def _inner_folds(setting: Setting, preferred: int) -> int:
    """Folds of a strategy's own inner cross-validation: ``preferred``, or fewer when the
    rarest class of a training fold has fewer members (at least 2)."""
    return max(2, min(preferred, setting.min_train_count))


def _smote_neighbors(setting: Setting) -> int:
    """k for the SMOTE family: 5, or fewer when the rarest class of a training fold is tiny."""
    return max(1, min(5, setting.min_train_count - 1))


def _losses() -> Any:
    return importlib.import_module("torchbalance.losses")


def _over() -> Any:
    return importlib.import_module("torchbalance.over_sampling")


def _under() -> Any:
    return importlib.import_module("torchbalance.under_sampling")


def _combine() -> Any:
    return importlib.import_module("torchbalance.combine")


def _anomaly() -> Any:
    return importlib.import_module("torchbalance.anomaly")


def _samplers() -> Any:
    return importlib.import_module("torchbalance.samplers")


def _builtin(
    name: str, summary: str, kind: str, requires: tuple[str, ...] = (), **flags: Any
) -> Callable[[Callable[[Setting], Recipe]], Callable[[Setting], Recipe]]:
    def register(build: Callable[[Setting], Recipe]) -> Callable[[Setting], Recipe]:
        register_strategy(Strategy(name, summary, kind, build, requires, **flags))
        return build

    return register


@_builtin("baseline", "plain cross-entropy, natural sampling", "baseline", fast=True)
def _baseline(setting: Setting) -> Recipe:
    return setting.classifier(), None


@_builtin(
    "class_weighted", "cross-entropy weighted N/(C n_c) (King & Zeng 2001)", "loss", fast=True
)
def _class_weighted(setting: Setting) -> Recipe:
    from ..weights import class_weights

    def loss(counts: torch.Tensor) -> nn.Module:
        return nn.CrossEntropyLoss(weight=class_weights(counts, "balanced", from_counts=True))

    return setting.classifier(loss=loss), None


@_builtin("focal", "focal loss, gamma=2 (Lin et al. 2017)", "loss", ("torchbalance.losses",))
def _focal(setting: Setting) -> Recipe:
    return setting.classifier(loss=_losses().FocalLoss(gamma=2.0)), None


@_builtin(
    "cb_focal",
    "class-balanced focal loss, effective number beta=0.999 (Cui et al. 2019)",
    "loss",
    ("torchbalance.losses",),
)
def _cb_focal(setting: Setting) -> Recipe:
    def loss(counts: torch.Tensor) -> nn.Module:
        return _losses().ClassBalancedLoss(counts, base="focal", beta=0.999, gamma=2.0)

    return setting.classifier(loss=loss), None


@_builtin(
    "ldam_drw",
    "LDAM margins on a cosine classifier + deferred re-weighting (Cao et al. 2019)",
    "loss",
    ("torchbalance.losses",),
)
def _ldam_drw(setting: Setting) -> Recipe:
    losses = _losses()

    def loss(counts: torch.Tensor) -> nn.Module:
        schedule = losses.DeferredReweighting(
            counts, switch_epoch=_switch_epoch(setting), beta=0.999
        )
        return _ScheduledLoss(losses.LDAMLoss(counts, max_margin=0.5, scale=30.0), schedule)

    return setting.classifier(module_fn=cosine_head(setting.module_fn()), loss=loss), None


@_builtin(
    "logit_adjusted",
    "logit-adjusted loss, tau=1 (Menon et al. 2021)",
    "loss",
    ("torchbalance.losses",),
    fast=True,
)
def _logit_adjusted(setting: Setting) -> Recipe:
    return setting.classifier(
        loss=lambda counts: _losses().LogitAdjustedLoss(counts, tau=1.0)
    ), None


@_builtin(
    "balanced_softmax",
    "balanced softmax (Ren et al. 2020)",
    "loss",
    ("torchbalance.losses",),
    fast=True,
)
def _balanced_softmax(setting: Setting) -> Recipe:
    return setting.classifier(loss=lambda counts: _losses().BalancedSoftmaxLoss(counts)), None


@_builtin(
    "vs_loss",
    "vector-scaling loss, gamma=0.2, tau=1 (Kini et al. 2021)",
    "loss",
    ("torchbalance.losses",),
    default=False,
)
def _vs_loss(setting: Setting) -> Recipe:
    return setting.classifier(
        loss=lambda counts: _losses().VSLoss(counts, gamma=0.2, tau=1.0)
    ), None


@_builtin(
    "cost_sensitive",
    "expected cost under the softmax, cost max(n_j/n_i, 1) (Elkan 2001)",
    "loss",
    ("torchbalance.losses",),
    default=False,
)
def _cost_sensitive(setting: Setting) -> Recipe:
    losses = _losses()

    def loss(counts: torch.Tensor) -> nn.Module:
        return losses.CostSensitiveLoss(losses.cost_matrix_from_counts(counts))

    return setting.classifier(loss=loss), None


@_builtin(
    "posthoc_adjustment",
    "plain training, then post-hoc logit adjustment to uniform priors (Menon et al. 2021)",
    "post-hoc",
    fast=True,
)
def _posthoc(setting: Setting) -> Recipe:
    from ..model_selection import PriorCorrectedClassifier

    return PriorCorrectedClassifier(setting.classifier()), None


@_builtin("balanced_sampler", "class-balanced sampling, p_c equal", "sampler", fast=True)
def _balanced_sampler(setting: Setting) -> Recipe:
    return setting.classifier(sampler=functools.partial(_samplers().ClassBalancedSampler)), None


@_builtin("sqrt_sampler", "square-root sampling, p_c ∝ sqrt(n_c) (Mahajan et al. 2018)", "sampler")
def _sqrt_sampler(setting: Setting) -> Recipe:
    sampler = functools.partial(_samplers().ClassBalancedSampler, power=0.5)
    return setting.classifier(sampler=sampler), None


def _deferred_sampler(labels: torch.Tensor, *, generator: Any, switch_epoch: int) -> Any:
    samplers = _samplers()
    schedule = samplers.DeferredPower(switch_epoch=switch_epoch)
    return samplers.ScheduledSampler(labels, schedule=schedule, generator=generator)


@_builtin(
    "deferred_resampling",
    "natural sampling, class-balanced for the last fifth of training (DRS, Cao et al. 2019)",
    "sampler",
)
def _drs(setting: Setting) -> Recipe:
    sampler = functools.partial(_deferred_sampler, switch_epoch=_switch_epoch(setting))
    return setting.classifier(sampler=sampler), None


@_builtin(
    "threshold_tuning",
    "plain training, class offsets tuned for balanced accuracy on held-out folds",
    "post-hoc",
)
def _threshold(setting: Setting) -> Recipe:
    from ..model_selection import ThresholdTuner

    folds = _inner_folds(setting, 3)
    return ThresholdTuner(setting.classifier(), objective="balanced_accuracy", cv=folds), None


@_builtin(
    "random_over",
    "random over-sampling of every minority class to the majority",
    "resampler",
    ("torchbalance.over_sampling",),
    fast=True,
)
def _random_over(setting: Setting) -> Recipe:
    return setting.classifier(), _over().RandomOverSampler()


@_builtin(
    "minority_augmentation",
    "jittered copies of minority samples, noise 0.25 x per-class std (augmentation)",
    "resampler",
    ("torchbalance.augment",),
    fast=True,
    synthesizes=True,
)
def _minority_augmentation(setting: Setting) -> Recipe:
    augment = importlib.import_module("torchbalance.augment")
    # 0.25: at or above 0.1 and random over-sampling on the digits and a 100 000-row table,
    # where 0.5 already let the network tell synthetic rows by their spread (README).
    return setting.classifier(), augment.GaussianNoiseOverSampler(noise_scale=0.25)


@_builtin(
    "smote",
    "SMOTE (Chawla et al. 2002)",
    "resampler",
    ("torchbalance.over_sampling",),
    tabular_only=True,
    synthesizes=True,
)
def _smote(setting: Setting) -> Recipe:
    return setting.classifier(), _over().SMOTE(k_neighbors=_smote_neighbors(setting))


@_builtin(
    "borderline_smote",
    "Borderline-SMOTE 1 (Han et al. 2005)",
    "resampler",
    ("torchbalance.over_sampling",),
    tabular_only=True,
    synthesizes=True,
)
def _borderline(setting: Setting) -> Recipe:
    k = _smote_neighbors(setting)
    return setting.classifier(), _over().BorderlineSMOTE(k_neighbors=k)


@_builtin(
    "adasyn",
    "ADASYN (He et al. 2008)",
    "resampler",
    ("torchbalance.over_sampling",),
    tabular_only=True,
    synthesizes=True,
)
def _adasyn(setting: Setting) -> Recipe:
    return setting.classifier(), _over().ADASYN(n_neighbors=_smote_neighbors(setting))


@_builtin(
    "random_under",
    "random under-sampling of every class to the minority",
    "resampler",
    ("torchbalance.under_sampling",),
    fast=True,
)
def _random_under(setting: Setting) -> Recipe:
    return setting.classifier(), _under().RandomUnderSampler()


def _near_miss_neighbors(setting: Setting) -> int:
    """k for NearMiss: 3 (imbalanced-learn's default), or fewer for a tiny rarest class."""
    return max(1, min(3, setting.min_train_count))


@_builtin(
    "near_miss",
    "NearMiss-1: keep the samples nearest to the minority (Mani & Zhang 2003)",
    "resampler",
    ("torchbalance.under_sampling",),
    tabular_only=True,
)
def _near_miss(setting: Setting) -> Recipe:
    k = _near_miss_neighbors(setting)
    return setting.classifier(), _under().NearMiss(version=1, n_neighbors=k)


# The other under-samplers, with imbalanced-learn's defaults: (name, class, summary, default).
_UNDER_SAMPLERS = [
    ("tomek_links", "TomekLinks", "remove the majority end of every Tomek link (Tomek 1976)", True),
    (
        "enn",
        "EditedNearestNeighbours",
        "edited nearest neighbours: drop samples their 3 neighbours disagree with (Wilson 1972)",
        True,
    ),
    ("ncr", "NeighbourhoodCleaningRule", "neighbourhood cleaning rule (Laurikkala 2001)", True),
    (
        "renn",
        "RepeatedEditedNearestNeighbours",
        "repeated edited nearest neighbours, until nothing changes (Tomek 1976)",
        False,
    ),
    (
        "all_knn",
        "AllKNN",
        "AllKNN: edited nearest neighbours with 1, 2, 3 neighbours in turn (Tomek 1976)",
        False,
    ),
    (
        "one_sided_selection",
        "OneSidedSelection",
        "one-sided selection: condense the majority, then drop Tomek links (Kubat & Matwin 1997)",
        False,
    ),
    (
        "condensed_nn",
        "CondensedNearestNeighbour",
        "condensed nearest neighbour: keep a 1-NN consistent subset (Hart 1968)",
        False,
    ),
    (
        "cluster_centroids",
        "ClusterCentroids",
        "replace every larger class by the k-means centroids of its samples",
        False,
    ),
]


def _register_under_samplers() -> None:
    def recipe(class_name: str) -> Callable[[Setting], Recipe]:
        return lambda setting: (setting.classifier(), getattr(_under(), class_name)())

    for name, class_name, summary, default in _UNDER_SAMPLERS:
        requires = ("torchbalance.under_sampling",)
        # soft-voting ClusterCentroids keeps centroids: means of samples, not samples
        synthesizes = name == "cluster_centroids"
        _builtin(
            name,
            summary,
            "resampler",
            requires,
            tabular_only=True,
            synthesizes=synthesizes,
            default=default,
        )(recipe(class_name))


_register_under_samplers()


@_builtin(
    "instance_hardness",
    "drop the majority samples a cross-validated model finds hardest (Smith et al. 2014)",
    "resampler",
    ("torchbalance.under_sampling",),
    tabular_only=True,
    default=False,
)
def _instance_hardness(setting: Setting) -> Recipe:
    cv = _inner_folds(setting, 5)
    return setting.classifier(), _under().InstanceHardnessThreshold(cv=cv)


@_builtin(
    "smote_tomek",
    "SMOTE, then removal of Tomek links (Batista et al. 2004)",
    "resampler",
    ("torchbalance.combine",),
    tabular_only=True,
    synthesizes=True,
)
def _smote_tomek(setting: Setting) -> Recipe:
    smote = _over().SMOTE(k_neighbors=_smote_neighbors(setting))
    return setting.classifier(), _combine().SMOTETomek(smote=smote)


@_builtin(
    "smote_enn",
    "SMOTE, then edited nearest neighbours (Batista et al. 2004)",
    "resampler",
    ("torchbalance.combine",),
    tabular_only=True,
    synthesizes=True,
)
def _smote_enn(setting: Setting) -> Recipe:
    smote = _over().SMOTE(k_neighbors=_smote_neighbors(setting))
    return setting.classifier(), _combine().SMOTEENN(smote=smote)


@_builtin(
    "balanced_bagging",
    "10 networks, each on a balanced bootstrap, soft voting",
    "ensemble",
    ("torchbalance.ensemble",),
)
def _balanced_bagging(setting: Setting) -> Recipe:
    ensemble = importlib.import_module("torchbalance.ensemble")
    return ensemble.BalancedBaggingClassifier(setting.classifier(), n_estimators=10), None


@_builtin(
    "easy_ensemble",
    "EasyEnsemble: 10 networks on independent balanced under-samples (Liu et al. 2009)",
    "ensemble",
    ("torchbalance.ensemble",),
)
def _easy_ensemble(setting: Setting) -> Recipe:
    ensemble = importlib.import_module("torchbalance.ensemble")
    return ensemble.EasyEnsembleClassifier(setting.classifier(), n_estimators=10), None


@_builtin(
    "anomaly_cleaning",
    "drop the 5% most anomalous majority samples (autoencoder reconstruction error)",
    "resampler",
    ("torchbalance.anomaly",),
    default=False,
)
def _anomaly_cleaning(setting: Setting) -> Recipe:
    anomaly = _anomaly()
    detector = anomaly.AutoencoderDetector(
        epochs=setting.epochs, batch_size=setting.batch_size, device=setting.device
    )
    return setting.classifier(), anomaly.AnomalyCleaner(detector=detector, contamination=0.05)


def _detector_recipe(name: str, setting: Setting) -> Recipe:
    from ..model_selection import ThresholdTuner

    detector = getattr(_anomaly(), name)(
        epochs=setting.epochs, batch_size=setting.batch_size, device=setting.device
    )
    return ThresholdTuner(detector, objective="balanced_accuracy", cv=3), None


@_builtin(
    "deep_svdd",
    "Deep SVDD on the majority class, threshold tuned on held-out folds (Ruff et al. 2018)",
    "anomaly",
    ("torchbalance.anomaly",),
    binary_only=True,
    default=False,
)
def _deep_svdd(setting: Setting) -> Recipe:
    return _detector_recipe("DeepSVDD", setting)


@_builtin(
    "autoencoder_detector",
    "autoencoder reconstruction error on the majority class, threshold tuned on held-out folds",
    "anomaly",
    ("torchbalance.anomaly",),
    binary_only=True,
    default=False,
)
def _autoencoder_detector(setting: Setting) -> Recipe:
    return _detector_recipe("AutoencoderDetector", setting)


@_builtin(
    "hist_gradient_boosting",
    "reference: scikit-learn HistGradientBoosting, class_weight='balanced'",
    "reference",
    ("sklearn",),
    tabular_only=True,
)
def _hgb(setting: Setting) -> Recipe:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(class_weight="balanced", max_iter=100), None


@_builtin(
    "balanced_random_forest",
    "reference: imbalanced-learn BalancedRandomForest (Chen et al. 2004)",
    "reference",
    ("imblearn",),
    tabular_only=True,
)
def _brf(setting: Setting) -> Recipe:
    from imblearn.ensemble import BalancedRandomForestClassifier

    forest = BalancedRandomForestClassifier(
        n_estimators=100, sampling_strategy="all", replacement=True, bootstrap=False
    )
    return forest, None
