"""examples/imblearn_migration.py: same counts as imbalanced-learn, comparable scores."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType


def test_same_counts_and_comparable_scores(example: Callable[[str], ModuleType]) -> None:
    results = example("imblearn_migration").main(["--n-samples", "2000", "--device", "cpu"])
    assert list(results) == [
        "imblearn",
        "torchbalance (numpy)",
        "torchbalance (tensors, cpu)",
    ]
    reference = results["imblearn"]
    assert reference["counts"] == [1425, 1425]
    for name, row in results.items():
        assert row["counts"] == reference["counts"], name
        for metric in ("balanced_accuracy", "g_mean", "macro_f1"):
            assert abs(row[metric] - reference[metric]) < 0.05, (name, metric)
        assert row["balanced_accuracy"] > 0.6, name  # chance is 0.5
