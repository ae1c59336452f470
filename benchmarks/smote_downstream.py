"""Downstream equivalence: logistic regression after torchbalance SMOTE vs after imbalanced-learn's.

Run:  python benchmarks/smote_downstream.py [--data ../shared/data/keel] [--seeds 5] [--folds 5]

For every KEEL dataset (binary CSVs with a ``label`` column, 1 = minority) with at least 13
minority samples: for each seed, stratified ``--folds``-fold CV; in each fold the training part
is standardised, over-sampled by ``torchbalance.over_sampling.SMOTE(generator=seed)`` and by
``imblearn.over_sampling.SMOTE(random_state=seed)``, and the same
``LogisticRegression(max_iter=2000)`` is fitted on each and scored on the untouched test
part (ROC-AUC, and G-mean at the 0.5 threshold). The differences are paired (same seed, same
fold). As a yardstick for "noise", imbalanced-learn is also run with a second seed
(``seed + 1000``): the spread of ``imblearn(seed) - imblearn(seed')`` is what SMOTE's own
randomness alone produces.

Columns: mean score of each; mean paired difference ``tb - imb`` with its standard error over
the ``seeds x folds`` pairs; the standard deviation of the paired differences ``tb - imb`` and
of the noise yardstick ``imb - imb'``. "within noise" when ``|mean diff| <= 2 SE`` or the
difference is no larger than the yardstick's mean absolute difference.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "keel"


def _load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    frame = pd.read_csv(path)
    y = frame.pop("label").to_numpy().astype(np.int64)
    return frame.to_numpy(dtype=np.float64), y


def _scores(model, X_test: np.ndarray, y_test: np.ndarray) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    from sklearn.metrics import roc_auc_score

    proba = model.predict_proba(X_test)[:, 1]
    pred = proba >= 0.5
    tpr = float(pred[y_test == 1].mean())
    tnr = float((~pred)[y_test == 0].mean())
    return float(roc_auc_score(y_test, proba)), math.sqrt(tpr * tnr)


def _fit_score(X_tr, y_tr, X_te, y_te) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=2000).fit(X_tr, y_tr)
    return _scores(model, X_te, y_te)


def run_dataset(
    X: np.ndarray, y: np.ndarray, seeds: int, folds: int, first_seed: int = 0
) -> np.ndarray:
    """``(seeds * folds, 3, 2)``: [tb, imb, imb'] x [auc, gmean] per paired run."""
    from imblearn.over_sampling import SMOTE as ImbSMOTE
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from torchbalance.over_sampling import SMOTE

    results = []
    for seed in range(first_seed, first_seed + seeds):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train, test in splitter.split(X, y):
            scaler = StandardScaler().fit(X[train])
            X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
            y_tr, y_te = y[train], y[test]
            X_tb, y_tb = SMOTE(generator=seed).fit_resample(
                torch.from_numpy(X_tr), torch.from_numpy(y_tr)
            )
            X_imb, y_imb = ImbSMOTE(random_state=seed).fit_resample(X_tr, y_tr)
            X_imb2, y_imb2 = ImbSMOTE(random_state=seed + 1000).fit_resample(X_tr, y_tr)
            results.append(
                [
                    _fit_score(X_tb.numpy(), y_tb.numpy(), X_te, y_te),
                    _fit_score(X_imb, y_imb, X_te, y_te),
                    _fit_score(X_imb2, y_imb2, X_te, y_te),
                ]
            )
    return np.asarray(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--min-minority", type=int, default=13)
    parser.add_argument("--only", nargs="*", default=None, help="dataset names (file stems)")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"no KEEL data at {args.data}; pass --data")

    import imblearn
    import sklearn

    files = sorted(args.data.glob("*.csv"))
    print(
        f"# torch {torch.__version__}, imbalanced-learn {imblearn.__version__}, scikit-learn "
        f"{sklearn.__version__}; {args.seeds} seeds x {args.folds} folds per dataset"
    )
    print(
        "| dataset | n | minority | AUC tb | AUC imb | AUC diff (SE) | sd diff / noise | "
        "G-mean tb | G-mean imb | G-mean diff (SE) | sd diff / noise | within noise |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    start = time.perf_counter()
    n_within, n_total = 0, 0
    for path in files:
        X, y = _load(path)
        if int(y.sum()) < args.min_minority or (args.only and path.stem not in args.only):
            continue
        res = run_dataset(X, y, args.seeds, args.folds, args.first_seed)
        cells = []
        verdict = True
        for metric in (0, 1):
            tb, imb, imb2 = res[:, 0, metric], res[:, 1, metric], res[:, 2, metric]
            diff, noise = tb - imb, imb - imb2
            se = diff.std(ddof=1) / math.sqrt(len(diff))
            ok = abs(diff.mean()) <= 2 * se + 1e-12 or abs(diff.mean()) <= np.abs(noise).mean()
            verdict &= bool(ok)
            cells += [
                f"{tb.mean():.4f}",
                f"{imb.mean():.4f}",
                f"{diff.mean():+.4f} ({se:.4f})",
                f"{diff.std(ddof=1):.4f} / {noise.std(ddof=1):.4f}",
            ]
        n_within += verdict
        n_total += 1
        print(
            f"| {path.stem} | {len(y)} | {int(y.sum())} | "
            + " | ".join(cells)
            + f" | {'yes' if verdict else 'NO'} |",
            flush=True,
        )
    print(
        f"\n{n_within}/{n_total} datasets within noise on both metrics "
        f"({time.perf_counter() - start:.0f} s)."
    )


if __name__ == "__main__":
    main()
