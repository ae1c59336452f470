"""Balanced bagging of torch MLPs: the vectorised fast path against the per-member loop.

Run:  python benchmarks/ensemble.py [--n 100000] [--features 32] [--members 10] [--epochs 5]

One run, both paths on the same data with the same hyperparameters and seeds: 10 MLP members
(one hidden layer of 64, AdamW, batch 64) in a ``BalancedBaggingClassifier`` (bootstrap, then
random under-sampling to balance), trained once with ``vectorize=True`` and once with
``vectorize=False``. Data: synthetic, 10% minority (``torchbalance.datasets.make_classification``),
split 80/20 stratified; balanced accuracy is measured on the held-out 20%. The speed-up is the
ratio of the two ``fit`` times (best of ``--repeats`` interleaved runs); a third row times
one member alone for scale. ``--profile`` prints the top of a cProfile of the vectorised fit.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import time

import torch

from torchbalance.datasets import make_classification
from torchbalance.ensemble import BalancedBaggingClassifier
from torchbalance.metrics import balanced_accuracy_score
from torchbalance.model_selection import stratified_split
from torchbalance.models import TorchClassifier


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:  # pragma: no cover - not Linux
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, load average {load:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved runs; best kept")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    X, y = make_classification(
        args.n,
        n_features=args.features,
        n_informative=8,
        n_redundant=4,
        weights=[0.9, 0.1],
        class_sep=0.8,
        generator=0,
    )
    train, test = stratified_split(y, (0.8, 0.2), generator=0)
    X_train, X_test, y_train, y_test = X[train], X[test], y[train], y[test]
    member = TorchClassifier(
        hidden_sizes=(64,),
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=3e-3,
        device=args.device,
    )

    def ensemble(vectorize: bool) -> BalancedBaggingClassifier:
        return BalancedBaggingClassifier(
            member, n_estimators=args.members, vectorize=vectorize, generator=0
        )

    print(f"machine: {_machine()}")
    print(
        f"data: {args.n} x {args.features}, 10% minority, train {len(y_train)} / test "
        f"{len(y_test)}; {args.members} members, MLP (64,), {args.epochs} epochs, batch "
        f"{args.batch_size}, AdamW lr 3e-3, device {args.device}"
    )
    paths = (("vectorised (fast path)", True), ("loop over members", False))
    best = {name: float("inf") for name, _ in paths}
    fitted = {}
    for _ in range(args.repeats):  # interleaved, so a burst of load hits both paths alike
        for name, vectorize in paths:
            start = time.perf_counter()
            model = ensemble(vectorize).fit(X_train, y_train)
            best[name] = min(best[name], time.perf_counter() - start)
            assert model.vectorized_ is vectorize
            fitted[name] = model
    rows = [
        (name, best[name], float(balanced_accuracy_score(y_test, fitted[name].predict(X_test))))
        for name, _ in paths
    ]
    single = TorchClassifier(**{**member.get_params(deep=False), "generator": 0})
    samples = fitted["loop over members"].estimators_samples_[0]
    start = time.perf_counter()
    single.fit(X_train[samples], y_train[samples])
    one = time.perf_counter() - start

    sizes = [int(s.numel()) for s in fitted["loop over members"].estimators_samples_]
    print(f"rows per member after balancing: min {min(sizes)}, max {max(sizes)}")
    print()
    print(f"| path | fit (s, best of {args.repeats}) | balanced accuracy (test) |")
    print("|---|---:|---:|")
    for name, seconds, score in rows:
        print(f"| {name} | {seconds:.2f} | {score:.4f} |")
    print(f"| one member alone (for scale) | {one:.2f} | |")
    vec, loop = rows[0][1], rows[1][1]
    print()
    print(f"speed-up (loop / vectorised): {loop / vec:.1f}x (target >= 3x)")
    a, b = fitted["vectorised (fast path)"], fitted["loop over members"]
    same_rows = all(
        torch.equal(i, j) for i, j in zip(a.estimators_samples_, b.estimators_samples_, strict=True)
    )
    gap = max(
        float((ma.predict_proba(X_test) - mb.predict_proba(X_test)).abs().max())
        for ma, mb in zip(a.estimators_, b.estimators_, strict=True)
    )
    print(f"same training rows: {same_rows}; max |member proba difference| on test: {gap:.2e}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        ensemble(True).fit(X_train, y_train)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
