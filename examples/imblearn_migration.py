"""Migrating from imbalanced-learn: the same pipeline, the import changed, then tensors on GPU.

Three columns, one data set, one train/test split:

1. ``imblearn``: ``imblearn.pipeline.make_pipeline(SMOTE(random_state=0),
   LogisticRegression())`` on NumPy arrays, as an imbalanced-learn user writes it;
2. ``torchbalance (numpy)``: the same code with the imports changed to
   ``torchbalance.pipeline.make_pipeline`` and ``torchbalance.over_sampling.SMOTE``
   (``random_state=`` becomes ``generator=``); same arrays, same scikit-learn model;
3. ``torchbalance (tensors)``: the data as tensors on the GPU when there is one (else the
   CPU), SMOTE running there, and a torch logistic regression
   (:class:`~torchbalance.models.TorchClassifier` with no hidden layer) as the last step.

It prints the class counts SMOTE produced and the balanced accuracy, G-mean and macro F1 of
each on the untouched test split. The counts are identical (the same ``sampling_strategy``
grammar); the synthetic points differ (another random stream), so scores are close, not equal.

Run::

    python examples/imblearn_migration.py
    python examples/imblearn_migration.py --device cuda --n-samples 200000
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from torchbalance.datasets import make_classification
from torchbalance.metrics import balanced_accuracy_score, f1_score, geometric_mean_score
from torchbalance.model_selection import stratified_split


def scores(y_true: Any, y_pred: Any) -> dict[str, float]:
    y_true, y_pred = torch.as_tensor(np.asarray(y_true)), torch.as_tensor(np.asarray(y_pred))
    return {
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "g_mean": float(geometric_mean_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
    }


def run_imblearn(X_tr: np.ndarray, y_tr: np.ndarray, X_te: np.ndarray) -> tuple[Any, Any]:
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=1000))
    pipe.fit(X_tr, y_tr)
    _, y_res = pipe.steps[0][1].fit_resample(X_tr, y_tr)
    return np.bincount(y_res).tolist(), pipe.predict(X_te)


def run_torchbalance_numpy(X_tr: np.ndarray, y_tr: np.ndarray, X_te: np.ndarray) -> tuple[Any, Any]:
    from sklearn.linear_model import LogisticRegression

    from torchbalance.over_sampling import SMOTE  # was: from imblearn.over_sampling import SMOTE
    from torchbalance.pipeline import make_pipeline  # was: from imblearn.pipeline import ...

    pipe = make_pipeline(SMOTE(generator=0), LogisticRegression(max_iter=1000))
    pipe.fit(X_tr, y_tr)
    _, y_res = pipe.steps[0][1].fit_resample(X_tr, y_tr)
    return np.bincount(np.asarray(y_res)).tolist(), pipe.predict(X_te)


def run_torchbalance_tensors(
    X_tr: torch.Tensor, y_tr: torch.Tensor, X_te: torch.Tensor, device: str
) -> tuple[Any, Any]:
    from torchbalance.models import TorchClassifier
    from torchbalance.over_sampling import SMOTE
    from torchbalance.pipeline import make_pipeline

    X_tr, y_tr, X_te = X_tr.to(device), y_tr.to(device), X_te.to(device)
    # full-batch training of a linear model: the counterpart of LogisticRegression's L-BFGS
    logistic = TorchClassifier(
        hidden_sizes=(), epochs=300, batch_size=1 << 16, lr=0.05, weight_decay=0.0,
        device=device, standardize=True, generator=0,
    )  # fmt: skip
    pipe = make_pipeline(SMOTE(generator=0), logistic)
    pipe.fit(X_tr, y_tr)
    _, y_res = pipe.steps[0][1].fit_resample(X_tr, y_tr)  # tensors in, tensors out, on device
    assert y_res.device.type == torch.device(device).type
    return torch.bincount(y_res).tolist(), pipe.predict(X_te).cpu()


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--minority", type=float, default=0.05, help="share of class 1")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args(argv)

    X, y = make_classification(
        args.n_samples, 10, n_informative=4, weights=[1 - args.minority, args.minority],
        class_sep=0.8, generator=0,
    )  # fmt: skip
    train, test = stratified_split(y, (0.75, 0.25), generator=0)
    X_tr, y_tr, X_te, y_te = X[train], y[train], X[test], y[test]
    print(
        f"train counts {torch.bincount(y_tr).tolist()}, test counts {torch.bincount(y_te).tolist()}"
    )

    results: dict[str, dict[str, Any]] = {}
    runs: list[tuple[str, Any]] = []
    try:
        import imblearn  # noqa: F401
    except ImportError:
        print("imbalanced-learn is not installed: its column is left out")
    else:
        runs.append(("imblearn", lambda: run_imblearn(X_tr.numpy(), y_tr.numpy(), X_te.numpy())))
    runs.append(
        (
            "torchbalance (numpy)",
            lambda: run_torchbalance_numpy(X_tr.numpy(), y_tr.numpy(), X_te.numpy()),
        )
    )
    runs.append(
        (
            f"torchbalance (tensors, {args.device})",
            lambda: run_torchbalance_tensors(X_tr, y_tr, X_te, args.device),
        )
    )
    print(f"{'pipeline':<32} {'counts after SMOTE':<20} bal_acc  g_mean  macro_f1")
    for name, run in runs:
        counts, pred = run()
        results[name] = {"counts": counts, **scores(y_te, pred)}
        row = results[name]
        print(
            f"{name:<32} {counts!s:<20} {row['balanced_accuracy']:.3f}    {row['g_mean']:.3f}"
            f"   {row['macro_f1']:.3f}"
        )
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
