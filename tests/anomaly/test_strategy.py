"""The anomaly strategies of ``torchbalance compare``: anomaly_cleaning, deep_svdd and
autoencoder_detector."""

from __future__ import annotations

import pytest

from torchbalance.datasets import make_classification
from torchbalance.exceptions import InvalidParameterError
from torchbalance.experiment import Setting, compare, resolve_strategies

NAMES = ["anomaly_cleaning", "deep_svdd", "autoencoder_detector"]


def test_strategies_run_in_compare_on_a_binary_task():
    X, y = make_classification(600, n_features=6, weights=[0.95, 0.05], class_sep=1.5, generator=0)
    result = compare(X, y, strategies=["baseline", *NAMES], cv=3, epochs=5, progress=False)
    board = {row["strategy"]: row for row in result.leaderboard()}
    assert set(board) == {"baseline", *NAMES} and not result.skipped
    for name in ("deep_svdd", "autoencoder_detector"):
        # a detector trained on the majority alone ranks the minority better than chance
        assert board[name]["mean"] > 0.5, board[name]
    sizes = {r.strategy.name: [f["n_train_resampled"] for f in r.cv.folds] for r in result.results}
    trained = [f["n_train"] for f in result.results[0].cv.folds]
    majority = [int(n * 0.95) for n in trained]  # about 95% of each training fold
    assert all(
        abs((t - c) - 0.05 * m) <= 2
        for t, c, m in zip(trained, sizes["anomaly_cleaning"], majority, strict=True)
    )


def test_detector_strategies_need_two_classes():
    three = Setting(input_shape=(5,), class_counts=(60, 30, 10), min_train_count=6)
    chosen, skipped = resolve_strategies("all", three)
    names = {s.name for s in chosen}
    assert "anomaly_cleaning" in names
    for name in ("deep_svdd", "autoencoder_detector"):
        assert name not in names and skipped[name] == "needs exactly two classes"
    with pytest.raises(InvalidParameterError, match="cannot run here"):
        resolve_strategies(["deep_svdd"], three)
    two = Setting(input_shape=(5,), class_counts=(90, 10), min_train_count=6)
    assert {"deep_svdd", "autoencoder_detector"} <= {
        s.name for s in resolve_strategies("all", two)[0]
    }
