"""Scale: kNN-based resamplers on 1 000 000 x 64 rows, and `compare` on a 1 000 000-row table.

Run:  python benchmarks/scale.py [--n 1000000] [--d 64] [--methods SMOTE NearMiss ...]
      python benchmarks/scale.py --compare [--n 1000000]

Every method runs in its own process on the same float32 data (5% minority shifted by 0.75),
so its peak resident memory (``VmHWM``) is its own. "extra peak" is that peak minus the
process's memory once the data exist, i.e. what resampling needed on top of its input,
output included. The kNN engine works within ``memory_budget`` bytes (256 MiB by default on
CPU) whatever the data size; the rest is the output and per-class index tensors.

``--compare`` writes an ``n``-row CSV (20 features, 3 classes at 95/4/1 %) to a temporary
folder and times ``torchbalance compare PATH --strategies fast --cv 3 --epochs 3
--batch-size 1024`` on it as a child process: wall time (reading the CSV included) and the
child's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from _proc_status import status_mib

METHODS = {
    "SMOTE": "from torchbalance.over_sampling import SMOTE as M; kw = {'generator': 0}",
    "ADASYN": "from torchbalance.over_sampling import ADASYN as M; kw = {'generator': 0}",
    "NearMiss-1": "from torchbalance.under_sampling import NearMiss as M; kw = {'version': 1}",
    "RandomUnderSampler": (
        "from torchbalance.under_sampling import RandomUnderSampler as M; kw = {'generator': 0}"
    ),
}


def one(method: str, n: int, d: int) -> None:
    """Run one method in this process and print a JSON line."""
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, d, generator=g)
    y = torch.zeros(n, dtype=torch.int64)
    y[: n // 20] = 1
    X[: n // 20] += 0.75
    namespace: dict[str, object] = {}
    exec(METHODS[method], namespace)
    before = status_mib("VmRSS")
    start = time.perf_counter()
    X_res, y_res = namespace["M"](**namespace["kw"]).fit_resample(X, y)  # type: ignore[operator]
    seconds = time.perf_counter() - start
    peak = status_mib("VmHWM")
    print(
        json.dumps(
            {
                "method": method,
                "seconds": seconds,
                "rows_out": int(y_res.shape[0]),
                "input_mib": n * d * 4 / 2**20,
                "output_mib": X_res.numel() * X_res.element_size() / 2**20,
                "extra_peak_mib": peak - before,
            }
        )
    )


def compare(n: int) -> None:
    """Time ``torchbalance compare --strategies fast`` on an ``n``-row CSV; print one row."""
    import pandas as pd

    from torchbalance.datasets import make_classification

    X, y = make_classification(
        n, 20, n_informative=5, n_classes=3, weights=[0.95, 0.04, 0.01], generator=0
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        table = pd.DataFrame(X.numpy(), columns=[f"f{i}" for i in range(X.shape[1])])
        table["label"] = y.numpy()
        table.to_csv(path, index=False)
        cli = Path(sys.executable).with_name("torchbalance")
        cmd = [str(cli), "compare", str(path), "--target", "label", "--strategies", "fast"]
        cmd += ["--cv", "3", "--epochs", "3", "--batch-size", "1024", "--quiet"]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    # the child's ru_maxrss: an upper bound, since Linux counts the forking parent's resident
    # memory at the fork in it too (this parent holds the table, far less than compare needs)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        raise SystemExit(f"compare failed:\n{done.stderr}")
    print(f"# {platform.machine()}, torch {torch.__version__}; {n} rows x 20 features, 3 classes")
    print(f"# {' '.join(cmd[1:])}\n")
    print("| rows | wall time (s) | peak RSS of compare (MiB) |")
    print("|---:|---:|---:|")
    print(f"| {n} | {seconds:.0f} | {peak:.0f} |\n")
    print(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=64)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--compare", action="store_true", help="time `compare` instead")
    parser.add_argument("--_one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        compare(args.n)
        return
    if args._one:
        one(args._one, args.n, args.d)
        return
    print(
        f"# {platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}; "
        f"{args.n} x {args.d} float32, 5% minority\n"
    )
    print("| method | rows out | time (s) | input MiB | output MiB | extra peak MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for method in args.methods:
        cmd = [sys.executable, __file__, "--n", str(args.n), "--d", str(args.d), "--_one", method]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"| {method} | failed: {done.stderr.strip().splitlines()[-1]} | | | | |")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {method} | {r['rows_out']} | {r['seconds']:.1f} | {r['input_mib']:.0f} | "
            f"{r['output_mib']:.0f} | {r['extra_peak_mib']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
