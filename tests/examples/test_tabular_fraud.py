"""examples/tabular_fraud.py: CSV in, comparison report out."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd

from torchbalance.datasets import make_classification


def test_csv_in_report_out(tmp_path: Path, example: Callable[[str], ModuleType]) -> None:
    X, y = make_classification(600, 6, n_informative=3, weights=[0.9, 0.1], generator=1)
    frame = pd.DataFrame(X.numpy(), columns=[f"amount_{i}" for i in range(6)])
    frame["merchant"] = ["shop" if i % 3 else "online" for i in range(600)]  # one-hot encoded
    frame["label"] = y.numpy()
    csv = tmp_path / "transactions.csv"
    frame.to_csv(csv, index=False)
    out = tmp_path / "report"
    argv = ["--csv", str(csv), "--target", "label", "--out", str(out), "--cv", "3"]
    argv += ["--epochs", "3", "--strategies", "baseline,class_weighted,threshold_tuning"]
    assert example("tabular_fraud").main(argv) == 0
    assert {p.name for p in out.iterdir()} == {"report.html", "report.md", "results.json"}
    results = json.loads((out / "results.json").read_text())
    assert results["primary"] == "average_precision"
    assert results["class_labels"] == [0, 1]
    assert results["protocol"] == "3-fold stratified cross-validation"
    names = {s["name"] for s in results["strategies"]}
    assert names == {"baseline", "class_weighted", "threshold_tuning"}
    assert all(len(s["folds"]) == 3 for s in results["strategies"])
    markdown = (out / "report.md").read_text()
    assert all(name in markdown for name in names)
    assert (out / "report.html").read_text().lstrip().lower().startswith("<!doctype html")


def test_without_a_csv_it_writes_a_synthetic_one(
    tmp_path: Path, example: Callable[[str], ModuleType]
) -> None:
    out = tmp_path / "demo"
    argv = ["--out", str(out), "--cv", "2", "--epochs", "1", "--strategies", "baseline"]
    assert example("tabular_fraud").main(argv) == 0
    table = pd.read_csv(out / "transactions.csv")
    assert table.shape == (2000, 9)
    assert table["is_fraud"].value_counts().to_dict() == {0: 1960, 1: 40}
    assert (out / "results.json").exists()
