"""SMOTE, BorderlineSMOTE and ADASYN side by side: torchbalance vs imbalanced-learn, one run.

Run:  python benchmarks/bench_over_sampling.py [--n 1000000] [--d 32] [--device cpu]

Data: ``n x d`` float32 Gaussian blobs, 5% minority (binary), ``sampling_strategy="auto"``
(the minority is brought to the majority's size: 900 000 new rows at n = 1M). Each method is
timed once per library on the same data in the same process (the imbalanced-learn runs are
long, so one run each; torchbalance runs are the best of ``--repeats``). imbalanced-learn
always runs on CPU NumPy arrays; torchbalance on ``--device`` tensors (synchronised).
``--skip-imblearn METHOD`` leaves out an imbalanced-learn run that would be too slow.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from torchbalance.over_sampling import ADASYN, SMOTE, BorderlineSMOTE


def _data(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    n_min = n // 20
    y = torch.zeros(n, dtype=torch.int64)
    y[:n_min] = 1
    X = torch.randn(n, d, generator=g)
    X[:n_min] += 0.75  # overlapping classes: Borderline finds danger samples, ADASYN ratios > 0
    return X, y


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def _time(run: Callable[[], Any], device: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        run()
        _sync(device)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=["SMOTE", "BorderlineSMOTE", "ADASYN"])
    parser.add_argument("--skip-imblearn", nargs="*", default=[])
    args = parser.parse_args()

    import imblearn
    from imblearn import over_sampling as imb

    X, y = _data(args.n, args.d, args.seed)
    X_np, y_np = X.numpy(), y.numpy()
    Xd, yd = X.to(args.device), y.to(args.device)
    ours = {
        "SMOTE": SMOTE(generator=0),
        "BorderlineSMOTE": BorderlineSMOTE(generator=0),
        "ADASYN": ADASYN(generator=0),
    }
    theirs = {
        "SMOTE": imb.SMOTE(random_state=0),
        "BorderlineSMOTE": imb.BorderlineSMOTE(random_state=0),
        "ADASYN": imb.ADASYN(random_state=0),
    }
    print(
        f"# n={args.n} d={args.d} float32, 5% minority; torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), imbalanced-learn {imblearn.__version__}; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"device={args.device}; load average {os.getloadavg()[0]:.1f} at start"
    )
    print("| method | torchbalance (s) | imbalanced-learn (s) | speed-up | rows out |")
    print("|---|---:|---:|---:|---:|")
    for model in ours.values():  # warm-up: first-call costs of torch kernels
        type(model)(generator=0).fit_resample(Xd[::500], yd[::500])
    for name in args.methods:
        out: dict[str, Any] = {}

        def run_ours(name: str = name, out: dict[str, Any] = out) -> None:
            out["ours"] = ours[name].fit_resample(Xd, yd)

        t_ours = _time(run_ours, args.device, args.repeats)
        rows = out["ours"][0].shape[0]
        if name in args.skip_imblearn:
            print(f"| {name} | {t_ours:.2f} | (skipped) | | {rows} |", flush=True)
            continue
        start = time.perf_counter()
        X_imb, _ = theirs[name].fit_resample(X_np, y_np)
        t_imb = time.perf_counter() - start
        assert isinstance(X_imb, np.ndarray)
        print(
            f"| {name} | {t_ours:.2f} | {t_imb:.2f} | {t_imb / t_ours:.1f}x | "
            f"{rows} (imblearn {X_imb.shape[0]}) |",
            flush=True,
        )
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
