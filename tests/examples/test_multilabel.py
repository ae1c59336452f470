"""examples/multilabel.py on small synthetic multi-label data."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
import torch


def test_data_have_the_requested_label_shares(example: Callable[[str], ModuleType]) -> None:
    module = example("multilabel")
    X, Y = module.make_multilabel(1000, rates=(0.5, 0.1, 0.02))
    assert X.shape == (1000, 20) and Y.shape == (1000, 3) and Y.dtype == torch.long
    assert Y.sum(0).tolist() == pytest.approx([500, 100, 20], abs=1)


def test_runs_and_reports_per_label_metrics(example: Callable[[str], ModuleType]) -> None:
    results = example("multilabel").main(["--n-samples", "600", "--folds", "2", "--epochs", "20"])
    assert set(results) == {"bce_shuffle", "asl_balanced"}
    for row in results.values():
        assert len(row["f1"]) == len(row["average_precision"]) == 8
        assert all(0.0 <= v <= 1.0 for v in row["f1"] + row["average_precision"])
        assert row["macro_f1"] == pytest.approx(sum(row["f1"]) / 8)
        # far above the AP of random scores (the positive rate: 0.02 to 0.4, mean ~0.13)
        assert row["macro_average_precision"] > 0.3
