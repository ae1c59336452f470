from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from _toy_resamplers import KeepFirstUnderSampler
from torchbalance.datasets import make_classification
from torchbalance.exceptions import InvalidParameterError
from torchbalance.model_selection._tune import FloatRange, IntRange, _draw, tune

X, Y = make_classification(300, n_features=4, weights=[0.9, 0.1], generator=0)
X_NP, Y_NP = X.double().numpy(), Y.numpy()


def _model(params):
    return LogisticRegression(C=params["C"], class_weight=params["weights"], max_iter=500)


SPACE = {"C": FloatRange(1e-3, 10.0, log=True), "weights": [None, "balanced"]}


@settings(max_examples=50, deadline=None)
@given(low=st.floats(-5, 5), width=st.floats(0.01, 10), seed=st.integers(0, 1000))
def test_draws_stay_in_their_space(low, width, seed):
    generator = torch.Generator().manual_seed(seed)
    assert low <= _draw(FloatRange(low, low + width), generator) <= low + width
    value = _draw(IntRange(int(low), int(low) + 3), generator)
    assert isinstance(value, int) and int(low) <= value <= int(low) + 3
    assert _draw(["a", "b"], generator) in ("a", "b")


def test_random_search_is_reproducible_and_returns_the_best_trial():
    first = tune(_model, SPACE, X_NP, Y_NP, cv=3, n_trials=4, backend="random", generator=1)
    again = tune(_model, SPACE, X_NP, Y_NP, cv=3, n_trials=4, backend="random", generator=1)
    assert first.trials == again.trials and first.backend == "random"
    assert first.best_score == max(trial["score"] for trial in first.trials)
    assert all(trial["low"] <= trial["score"] <= trial["high"] for trial in first.trials)


def test_optuna_backend_and_resampler_in_the_build():
    pytest.importorskip("optuna")
    result = tune(
        lambda p: (_model(p), KeepFirstUnderSampler()),
        SPACE,
        X_NP,
        Y_NP,
        cv=3,
        n_trials=3,
        generator=0,
    )
    assert result.backend == "optuna" and len(result.trials) == 3
    assert result.best_params["weights"] in (None, "balanced")


def test_balanced_weights_win_on_balanced_accuracy():
    result = tune(
        lambda p: LogisticRegression(class_weight=p["weights"], max_iter=500),
        {"weights": [None, "balanced"]},
        X_NP,
        Y_NP,
        cv=3,
        n_trials=6,
        backend="random",
        generator=0,
    )
    scores = {str(t["params"]["weights"]): t["score"] for t in result.trials}
    assert result.best_params["weights"] == "balanced" and len(scores) == 2
    assert np.isclose(result.best_score, scores["balanced"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"search_space": {}}, "non-empty dict"),
        ({"search_space": {"C": "big"}}, "search_space\\['C'\\]"),
        ({"metric": "auc"}, "metric='auc'"),
        ({"n_trials": 0}, "n_trials=0"),
        ({"backend": "grid"}, "backend='grid'"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {"search_space": SPACE, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        tune(_model, arguments.pop("search_space"), X_NP, Y_NP, **arguments)
    with pytest.raises(InvalidParameterError, match="low < high"):
        FloatRange(2.0, 1.0)


def test_a_lower_is_better_metric_is_minimised():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + rng.normal(size=400) > 1.3).astype(int)
    result = tune(
        lambda p: LogisticRegression(C=p["C"]),
        {"C": [1e-4, 1.0]},
        X,
        y,
        metric="ece",
        cv=3,
        n_trials=6,
        backend="random",
        generator=0,
    )
    by_c = {trial["params"]["C"]: trial["score"] for trial in result.trials}
    assert result.best_params["C"] == min(by_c, key=by_c.get)
    assert result.best_score == min(by_c.values())


def test_every_trial_sees_the_same_folds_of_a_splitter_object():
    from torchbalance.model_selection import StratifiedShuffleSplit

    X, y = make_classification(300, n_features=4, weights=[0.8, 0.2], generator=0)
    result = tune(
        lambda p: LogisticRegression(C=1.0),
        {"C": [1.0]},
        X.numpy(),
        y.numpy(),
        cv=StratifiedShuffleSplit(3, test_size=0.3),
        n_trials=3,
        backend="random",
        generator=0,
    )
    assert len({trial["score"] for trial in result.trials}) == 1


def test_tune_passes_groups_to_a_group_aware_splitter():
    from torchbalance.model_selection import StratifiedGroupKFold, StratifiedKFold

    rng = np.random.default_rng(0)
    y = np.array([0, 0, 0, 1] * 30)
    X = rng.normal(size=(120, 3)) + y[:, None]
    groups = np.repeat(np.arange(30), 4)

    def run(cv, n_trials):
        build = lambda p: LogisticRegression(C=p["C"])  # noqa: E731
        space = {"C": FloatRange(0.1, 1.0)}
        options = {"groups": groups, "n_trials": n_trials, "backend": "random", "generator": 0}
        return tune(build, space, X, y, cv=cv, **options)

    assert len(run(StratifiedGroupKFold(3), 2).trials) == 2
    with pytest.raises(InvalidParameterError, match="StratifiedKFold ignores groups"):
        run(StratifiedKFold(3), 1)


def test_int_range_refuses_non_integers():
    # IntRange(0.5, 2.5) let random search draw 1.5 and 2.5
    with pytest.raises(InvalidParameterError, match="IntRange: low=0.5 is invalid"):
        IntRange(0.5, 2)
    assert IntRange(np.int64(1), 3).high == 3
