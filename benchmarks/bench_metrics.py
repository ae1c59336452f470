"""Metrics side by side: torchbalance vs scikit-learn + imbalanced-learn vs torchmetrics.

Run:  python benchmarks/bench_metrics.py [--n 10000000] [--classes 10] [--repeats 5]
                                         [--score-n 1000000]

"Full report" = classification_report_imbalanced + balanced_accuracy_score +
geometric_mean_score + matthews_corrcoef + macro F1 + confusion_matrix, each called on its own
(as a user would) on the same predictions: int64 tensors for torchbalance and torchmetrics,
NumPy int64 arrays for scikit-learn / imbalanced-learn (their native input). Labels follow a
long tail (class k has weight 0.6**k); predictions are right 70% of the time. Times are the best
of ``--repeats`` runs (one run for scikit-learn + imbalanced-learn, which is slow); torchbalance
and torchmetrics run alternately so a change of machine load hits both alike.
torchmetrics rows use the metrics it has (no G-mean, IBA or imbalanced report), with
``validate_args=False`` so its input checks do not count against it; torchbalance always
validates its inputs.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from torchbalance import metrics as M


def _best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _best_pair(
    first: Callable[[], Any], second: Callable[[], Any], repeats: int
) -> tuple[float, float]:
    """Best times of two functions run alternately, so load changes hit both alike."""
    a = b = float("inf")
    for _ in range(repeats):
        a = min(a, _best(first, 1))
        b = min(b, _best(second, 1))
    return a, b


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or platform.machine()


def _data(n: int, c: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    weights = 0.6 ** torch.arange(c, dtype=torch.float64)
    y = torch.multinomial(weights / weights.sum(), n, replacement=True, generator=gen)
    noise = torch.randint(0, c, (n,), generator=gen)
    pred = torch.where(torch.rand(n, generator=gen) < 0.7, y, noise)
    return y, pred


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--score-n", type=int, default=1_000_000)
    args = parser.parse_args()
    n, c = args.n, args.classes
    y, pred = _data(n, c)
    y_np, pred_np = y.numpy().copy(), pred.numpy().copy()
    print(f"# {_cpu_model()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}")
    print(f"# {n:,} predictions x {c} classes")

    tb = {
        "classification_report_imbalanced": lambda: M.classification_report_imbalanced(y, pred),
        "balanced_accuracy_score": lambda: M.balanced_accuracy_score(y, pred),
        "geometric_mean_score": lambda: M.geometric_mean_score(y, pred),
        "matthews_corrcoef": lambda: M.matthews_corrcoef(y, pred),
        "f1_score (macro)": lambda: M.f1_score(y, pred, average="macro"),
        "confusion_matrix": lambda: M.confusion_matrix(y, pred),
    }
    import imblearn.metrics as imm
    import sklearn.metrics as skm

    sk = {
        "classification_report_imbalanced": lambda: imm.classification_report_imbalanced(
            y_np, pred_np
        ),
        "balanced_accuracy_score": lambda: skm.balanced_accuracy_score(y_np, pred_np),
        "geometric_mean_score": lambda: imm.geometric_mean_score(y_np, pred_np),
        "matthews_corrcoef": lambda: skm.matthews_corrcoef(y_np, pred_np),
        "f1_score (macro)": lambda: skm.f1_score(y_np, pred_np, average="macro"),
        "confusion_matrix": lambda: skm.confusion_matrix(y_np, pred_np),
    }
    # same numbers first
    assert M.classification_report_imbalanced(y, pred) == imm.classification_report_imbalanced(
        y_np, pred_np
    )
    for name in ("balanced_accuracy_score", "geometric_mean_score", "matthews_corrcoef"):
        assert abs(float(tb[name]()) - float(sk[name]())) < 1e-9, name
    assert np.array_equal(M.confusion_matrix(y, pred).numpy(), skm.confusion_matrix(y_np, pred_np))

    rows = []
    total_tb = total_sk = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in tb:
            t_tb = _best(tb[name], args.repeats)
            t_sk = _best(sk[name], 1)
            total_tb += t_tb
            total_sk += t_sk
            rows.append((name, t_tb, t_sk))
    print("\n| metric | torchbalance (s) | scikit-learn + imbalanced-learn (s) | speed-up |")
    print("|---|---:|---:|---:|")
    for name, a, b in rows:
        print(f"| {name} | {a:.3f} | {b:.2f} | {b / a:.0f}x |")
    print(f"| **full report (sum)** | **{total_tb:.3f}** | **{total_sk:.2f}** | "
          f"**{total_sk / total_tb:.0f}x** |")  # fmt: skip

    try:
        import torchmetrics.functional.classification as tmf
    except ImportError:
        print(
            "\ntorchmetrics is not installed; skipping its rows "
            "(pip install 'torchbalance[bench]')."
        )
        return
    kw = dict(num_classes=c, validate_args=False)
    pairs = {
        "confusion_matrix": (
            lambda: M.confusion_matrix(y, pred, num_classes=c),
            lambda: tmf.multiclass_confusion_matrix(pred, y, **kw),
        ),
        "f1_score (macro)": (
            lambda: M.f1_score(y, pred, average="macro", num_classes=c),
            lambda: tmf.multiclass_f1_score(pred, y, average="macro", **kw),
        ),
        "recall per class": (
            lambda: M.recall_score(y, pred, average=None, num_classes=c),
            lambda: tmf.multiclass_recall(pred, y, average="none", **kw),
        ),
        "specificity per class": (
            lambda: M.specificity_score(y, pred, average=None, num_classes=c),
            lambda: tmf.multiclass_specificity(pred, y, average="none", **kw),
        ),
        "balanced accuracy (= macro recall)": (
            lambda: M.balanced_accuracy_score(y, pred, num_classes=c),
            lambda: tmf.multiclass_recall(pred, y, average="macro", **kw),
        ),
        "matthews_corrcoef": (
            lambda: M.matthews_corrcoef(y, pred, num_classes=c),
            lambda: tmf.multiclass_matthews_corrcoef(pred, y, **kw),
        ),
        "cohen_kappa_score": (
            lambda: M.cohen_kappa_score(y, pred, num_classes=c),
            lambda: tmf.multiclass_cohen_kappa(pred, y, **kw),
        ),
    }
    for name, (ours, theirs) in pairs.items():
        a, b = ours(), theirs()
        a = a if isinstance(a, torch.Tensor) else torch.tensor(a)
        assert torch.allclose(a.double().cpu(), b.double().cpu(), atol=1e-5), name
    print("\n| metric (num_classes given) | torchbalance (s) | torchmetrics (s) | ratio |")
    print("|---|---:|---:|---:|")
    total_a = total_b = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (ours, theirs) in pairs.items():
            a, b = _best_pair(ours, theirs, args.repeats)
            total_a += a
            total_b += b
            print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.1f}x |")
    print(f"| **sum** | **{total_a:.3f}** | **{total_b:.3f}** | **{total_b / total_a:.1f}x** |")
    _score_metrics(args.score_n, c, args.repeats, tmf)


def _score_metrics(n: int, c: int, repeats: int, tmf: Any) -> None:
    """Exact ROC AUC (one-vs-rest, macro) and average precision (macro) on probabilities."""
    import sklearn.metrics as skm

    gen = torch.Generator().manual_seed(1)
    y = torch.randint(0, c, (n,), generator=gen)
    logits = torch.randn(n, c, generator=gen) + torch.nn.functional.one_hot(y, c)
    probs = logits.softmax(1)
    y_np, probs_np = y.numpy().copy(), probs.numpy().copy()
    kw = dict(num_classes=c, validate_args=False)
    rows = {
        "roc_auc_score (ovr, macro)": (
            lambda: M.roc_auc_score(y, probs, multi_class="ovr"),
            lambda: skm.roc_auc_score(y_np, probs_np, multi_class="ovr"),
            lambda: tmf.multiclass_auroc(probs, y, average="macro", **kw),
        ),
        "average_precision_score (macro)": (
            lambda: M.average_precision_score(y, probs),
            lambda: skm.average_precision_score(y_np, probs_np),
            lambda: tmf.multiclass_average_precision(probs, y, average="macro", **kw),
        ),
    }
    print(f"\n# exact score metrics, {n:,} samples x {c} classes (float32 probabilities)")
    print(
        "\n| metric | torchbalance (s) | scikit-learn (s) | torchmetrics (s) | vs sklearn | vs tm |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, (ours, sk, tm) in rows.items():
        assert abs(float(ours()) - float(sk())) < 1e-6, name
        a, t = _best_pair(ours, tm, repeats)
        b = _best(sk, 1)
        print(f"| {name} | {a:.3f} | {b:.3f} | {t:.3f} | {b / a:.1f}x | {t / a:.1f}x |")


if __name__ == "__main__":
    main()
