"""The GPU check in one script: torchbalance on CUDA against its CPU peers, one table.

Run on a lent GPU machine:  python benchmarks/gpu.py [--output benchmarks/results/gpu.md]
Without CUDA it runs the same rows on the CPU (``--quick`` shrinks every size; the test suite
runs it that way so the script cannot rot between GPU sessions).

Rows (ours on ``--device``; the peers always on CPU NumPy/torch, as users run them today):
- exact kNN (``neighbors.kneighbors``) vs scikit-learn's brute-force ``NearestNeighbors``;
- SMOTE and TomekLinks vs imbalanced-learn;
- one epoch of ``ClassBalancedSampler`` indices vs ``WeightedRandomSampler``;
- LDAM / logit-adjusted / focal forward+backward vs ``F.cross_entropy`` on the same device;
- the imbalanced report (``classification_report_imbalanced`` + balanced accuracy + G-mean +
  MCC) vs scikit-learn + imbalanced-learn.
A peer that is not installed leaves its cells empty; nothing is estimated.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _best(fn: Callable[[], Any], device: str, repeats: int) -> float:
    fn()  # warm-up (CUDA context, kernels, allocator)
    _sync(device)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        _sync(device)
        best = min(best, time.perf_counter() - start)
    return best


def _peer(fn: Callable[[], Any], quick: bool, repeats: int) -> float | None:
    """CPU time of a peer, or ``None`` when it is not installed. Its imports happen in an
    untimed first call when ``quick`` (then best of ``repeats``); at full size the peers take
    seconds to minutes, so they are imported first and timed once."""
    try:
        if quick:
            return _best(fn, "cpu", repeats)
        _import_peers()
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    except ImportError:
        return None


def _import_peers() -> None:
    import imblearn.metrics
    import imblearn.over_sampling
    import imblearn.under_sampling  # noqa: F401
    import sklearn.neighbors  # noqa: F401


def _blobs(n: int, d: int, device: str, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.zeros(n, dtype=torch.int64)
    y[: n // 20] = 1
    X = torch.randn(n, d, generator=g)
    X[: n // 20] += 0.75
    return X.to(device), y.to(device)


def _rows(
    device: str, quick: bool, repeats: int
) -> list[tuple[str, str, float, str, float | None]]:
    from torchbalance.metrics import (
        balanced_accuracy_score,
        classification_report_imbalanced,
        geometric_mean_score,
        matthews_corrcoef,
    )
    from torchbalance.neighbors import kneighbors
    from torchbalance.over_sampling import SMOTE
    from torchbalance.samplers import ClassBalancedSampler
    from torchbalance.under_sampling import TomekLinks

    rows: list[tuple[str, str, float, str, float | None]] = []
    n_knn, n_smote, n_tomek = (5_000, 20_000, 5_000) if quick else (100_000, 1_000_000, 100_000)
    n_labels, n_preds = (200_000, 200_000) if quick else (10_000_000, 10_000_000)

    X, _ = _blobs(n_knn, 20, device)
    X_np = X.cpu().numpy()

    def sklearn_knn() -> None:
        from sklearn.neighbors import NearestNeighbors

        NearestNeighbors(n_neighbors=3, algorithm="brute").fit(X_np).kneighbors()

    ours = _best(lambda: kneighbors(X, 3, exclude_self=True), device, repeats)
    rows.append(
        (
            "kneighbors k=3",
            f"{n_knn} x 20",
            ours,
            "scikit-learn brute",
            _peer(sklearn_knn, quick, repeats),
        )
    )

    X, y = _blobs(n_smote, 32, device)
    X_np, y_np = X.cpu().numpy(), y.cpu().numpy()

    def imblearn_smote() -> None:
        from imblearn.over_sampling import SMOTE as ImbSMOTE

        ImbSMOTE(random_state=0).fit_resample(X_np, y_np)

    ours = _best(lambda: SMOTE(generator=0).fit_resample(X, y), device, repeats)
    rows.append(
        (
            "SMOTE",
            f"{n_smote} x 32",
            ours,
            "imbalanced-learn",
            _peer(imblearn_smote, quick, repeats),
        )
    )

    X, y = _blobs(n_tomek, 20, device)
    X_np, y_np = X.cpu().numpy(), y.cpu().numpy()

    def imblearn_tomek() -> None:
        from imblearn.under_sampling import TomekLinks as ImbTomek

        ImbTomek().fit_resample(X_np, y_np)

    ours = _best(lambda: TomekLinks().fit_resample(X, y), device, repeats)
    rows.append(
        (
            "TomekLinks",
            f"{n_tomek} x 20",
            ours,
            "imbalanced-learn",
            _peer(imblearn_tomek, quick, repeats),
        )
    )

    labels = (torch.rand(n_labels, generator=torch.Generator().manual_seed(0)) < 0.01).long()
    sampler = ClassBalancedSampler(labels.to(device), generator=0)
    weights = torch.where(labels == 1, 1.0 / labels.sum(), 1.0 / (labels == 0).sum()).double()

    def wrs_epoch() -> None:
        for _ in torch.utils.data.WeightedRandomSampler(weights, n_labels):
            pass

    def cbs_epoch() -> None:
        for _ in sampler:
            pass

    ours = _best(cbs_epoch, device, 1)
    rows.append(
        (
            "ClassBalancedSampler epoch",
            f"{n_labels} labels",
            ours,
            "WeightedRandomSampler",
            _peer(wrs_epoch, quick, 1),
        )
    )

    from torchbalance.losses import FocalLoss, LDAMLoss, LogitAdjustedLoss

    batch, classes = (512, 100) if quick else (4096, 1000)
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(batch, classes, generator=g).tanh().to(device).requires_grad_()
    target = torch.randint(0, classes, (batch,), generator=g).to(device)
    counts = torch.arange(classes, 0, -1).to(device)

    def step(loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Callable[[], None]:
        def run() -> None:
            logits.grad = None
            loss_fn(logits, target).backward()

        return run

    baseline = _best(step(F.cross_entropy), device, repeats)
    for name, loss in (
        ("LDAMLoss", LDAMLoss(counts).to(device)),
        ("LogitAdjustedLoss", LogitAdjustedLoss(counts).to(device)),
        ("FocalLoss", FocalLoss(gamma=2.0).to(device)),
    ):
        ours = _best(step(loss), device, repeats)
        rows.append(
            (
                f"{name} fwd+bwd",
                f"{batch} x {classes}",
                ours,
                "F.cross_entropy (same device)",
                baseline,
            )
        )

    g = torch.Generator().manual_seed(1)
    y_true = torch.multinomial(0.6 ** torch.arange(10.0), n_preds, replacement=True, generator=g)
    y_pred = torch.where(
        torch.rand(n_preds, generator=g) < 0.7,
        y_true,
        torch.randint(0, 10, (n_preds,), generator=g),
    )
    t_true, t_pred = y_true.to(device), y_pred.to(device)
    np_true, np_pred = y_true.numpy(), y_pred.numpy()

    def ours_report() -> None:
        classification_report_imbalanced(t_true, t_pred)
        balanced_accuracy_score(t_true, t_pred)
        geometric_mean_score(t_true, t_pred)
        matthews_corrcoef(t_true, t_pred)

    def peer_report() -> None:
        from imblearn.metrics import classification_report_imbalanced as imb_report
        from imblearn.metrics import geometric_mean_score as imb_gmean
        from sklearn.metrics import balanced_accuracy_score as sk_bacc
        from sklearn.metrics import matthews_corrcoef as sk_mcc

        imb_report(np_true, np_pred)
        sk_bacc(np_true, np_pred)
        imb_gmean(np_true, np_pred)
        sk_mcc(np_true, np_pred)

    ours = _best(ours_report, device, repeats)
    rows.append(
        (
            "imbalanced report",
            f"{n_preds} predictions",
            ours,
            "scikit-learn + imbalanced-learn",
            _peer(peer_report, quick, repeats),
        )
    )
    return rows


def _table(rows: list[tuple[str, str, float, str, float | None]], device: str) -> str:
    lines = [
        f"| piece | size | torchbalance on {device} (s) | peer | peer (s) | peer / ours |",
        "|---|---|---:|---|---:|---:|",
    ]
    for piece, size, ours, peer, theirs in rows:
        speedup = None if theirs is None else theirs / ours
        ratio = "–" if speedup is None else f"**{speedup:.{0 if speedup >= 100 else 2}f}x**"
        peer_s = "not installed" if theirs is None else f"{theirs:.4g}"
        lines.append(f"| {piece} | {size} | {ours:.4g} | {peer} | {peer_s} | {ratio} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = "cuda" if torch.cuda.is_available() else "cpu"
    parser.add_argument("--device", default=default)
    parser.add_argument("--quick", action="store_true", help="small sizes (CPU smoke run)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, help="also write the table here (Markdown)")
    args = parser.parse_args(argv)
    card = (
        torch.cuda.get_device_name()
        if args.device.startswith("cuda")
        else platform.processor() or platform.machine()
    )
    header = (
        f"# {card}; torch {torch.__version__}; peers on CPU ({torch.get_num_threads()} torch "
        f"threads); {'quick sizes' if args.quick else 'full sizes'}"
    )
    table = header + "\n\n" + _table(_rows(args.device, args.quick, args.repeats), args.device)
    print(table)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(table + "\n")
    return table


if __name__ == "__main__":
    main()
