"""Fraud-style binary classification from a CSV file: which imbalance technique works here?

Reads a table (``--csv``, label column ``--target``), runs
:func:`torchbalance.experiment.compare` (every strategy on the same stratified folds, the same
network and budget, resampling inside the training folds only) and writes the report
(``report.html``, ``report.md``, ``results.json``) to ``--out``.

Run::

    python examples/tabular_fraud.py --csv transactions.csv --target is_fraud --out report/
    python examples/tabular_fraud.py --out report/      # on a synthetic 2%-fraud table

Without ``--csv`` it writes a synthetic table first (``make_classification`` with 2% positives,
saved as ``<out>/transactions.csv``), so the whole path, CSV in and report out, runs as is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from torchbalance.datasets import load_table, make_classification
from torchbalance.experiment import compare, render_report, write_report


def make_demo_csv(path: Path, n_samples: int = 2000, fraud_rate: float = 0.02) -> Path:
    """A synthetic transactions table: 8 numeric features and a 0/1 ``is_fraud`` column."""
    import pandas as pd

    X, y = make_classification(
        n_samples,
        8,
        n_informative=4,
        weights=[1 - fraud_rate, fraud_rate],
        class_sep=1.0,
        generator=0,
    )
    frame = pd.DataFrame(X.numpy(), columns=[f"feature_{i}" for i in range(8)])
    frame["is_fraud"] = y.numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=None, help="input table (.csv, .parquet)")
    parser.add_argument("--target", default="is_fraud", help="label column")
    parser.add_argument("--out", type=Path, default=Path("fraud_report"), help="report folder")
    parser.add_argument(
        "--strategies",
        default="baseline,class_weighted,logit_adjusted,balanced_sampler,threshold_tuning,smote",
        help='comma-separated names, or "fast", "default", "all"',
    )
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--primary", default="average_precision", help="metric that ranks")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    csv = args.csv or make_demo_csv(args.out / "transactions.csv")
    table = load_table(csv, target=args.target, encode="onehot")
    X, y = table.X.astype("float32"), table.y
    counts = y.value_counts().to_dict()
    print(f"{csv}: {len(y)} rows, {X.shape[1]} features, class counts {counts}")

    result = compare(
        X,
        y,
        strategies=args.strategies,
        cv=args.cv,
        epochs=args.epochs,
        primary=args.primary,
        device=args.device,
        progress=False,
    )
    print(render_report(result, "table"))
    paths = write_report(result, args.out)
    print(f"report written: {', '.join(str(p) for p in paths.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
