"""Benchmark torchbalance.neighbors.kneighbors against scikit-learn's brute force.

Both libraries answer the same question on the same float32 data, side by side in one run:
the k nearest neighbours of every point of an ``(n, d)`` uniform random matrix. Two modes,
each compared like for like:

* ``exclude_self``: ours with ``exclude_self=True`` vs ``NearestNeighbors.kneighbors()``
  (``X=None``), the form kNN resamplers use;
* ``query``: ours with ``query=X`` vs ``NearestNeighbors.kneighbors(X)`` (each point is its own
  first neighbour).

With ``--levels L`` the features are integer codes ``0 .. L-1`` instead (one-hot or categorical
data: most rows are exact duplicates, so most distances tie). scikit-learn's order among equal
distances is unspecified, so the agreement column then compares the distance lists.

Runs are interleaved (ours, sklearn, ours, sklearn, ...) so background noise on a shared
machine hits both; the table reports the best and the median of ``--repeats`` runs, the ratio
of best times and of median times (sklearn / ours, > 1 means we are faster) and the fraction
of rows whose index lists are identical. The scikit-learn timing includes ``fit`` (a no-op
copy for brute force), ours includes validation and every working copy.

Usage::

    python benchmarks/bench_neighbors.py                       # n=100000, d=20, k=1 and 3
    python benchmarks/bench_neighbors.py --n 20000 --repeats 1  # quick look
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.neighbors import NearestNeighbors

from torchbalance.neighbors import kneighbors

RESULTS = Path(__file__).parent / "results" / "neighbors.md"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(device: str) -> list[str]:
    blas_env = {
        key: value
        for key, value in sorted(os.environ.items())
        if key.startswith(("OPENBLAS", "MKL_", "OMP_", "NVPL_", "BLIS_", "GOTO"))
    }
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores "
        f"(torch intra-op threads: {torch.get_num_threads()})",
        f"- Python {platform.python_version()}, torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        f"- BLAS/threading environment: {blas_env or 'none set'}",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        *(
            [f"- GPU: {torch.cuda.get_device_name(torch.device(device))}"]
            if device.startswith("cuda")
            else []
        ),
    ]


def timed(
    fn: Callable[[], tuple[np.ndarray, np.ndarray]],
) -> tuple[float, tuple[np.ndarray, np.ndarray]]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(
    n: int,
    d: int,
    ks: list[int],
    modes: list[str],
    repeats: int,
    seed: int,
    *,
    device: str = "cpu",
    memory_budget: int | None = None,
    with_sklearn: bool = True,
    levels: int | None = None,
) -> list[str]:
    rng = np.random.default_rng(seed)
    if levels is None:
        X_np = rng.random((n, d), dtype=np.float32)
    else:
        X_np = rng.integers(0, levels, size=(n, d)).astype(np.float32)
    X = torch.from_numpy(X_np).to(device)
    budget = {} if memory_budget is None else {"memory_budget": memory_budget}

    # warm-up (library loading, thread pools, CUDA context) on a small problem
    kneighbors(X[:2000], 3, exclude_self=True, **budget)
    if with_sklearn:
        NearestNeighbors(n_neighbors=3, algorithm="brute").fit(X_np[:2000]).kneighbors()

    rows = []
    for mode in modes:
        for k in ks:

            def ours(k: int = k, mode: str = mode) -> tuple[np.ndarray, np.ndarray]:
                if mode == "exclude_self":
                    dist, idx = kneighbors(X, k, exclude_self=True, **budget)
                else:
                    dist, idx = kneighbors(X, k, query=X, **budget)
                return dist.cpu().numpy(), idx.cpu().numpy()  # (synchronises a GPU)

            def theirs(k: int = k, mode: str = mode) -> tuple[np.ndarray, np.ndarray]:
                nn = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X_np)
                return nn.kneighbors() if mode == "exclude_self" else nn.kneighbors(X_np)

            t_ours, t_sk = [], []
            res_ours = res_sk = None
            for _ in range(repeats):
                t, res_ours = timed(ours)
                t_ours.append(t)
                if with_sklearn:
                    t, res_sk = timed(theirs)
                    t_sk.append(t)
                sk = f", sklearn {t_sk[-1]:.2f}s" if t_sk else ""
                print(f"  {mode} k={k}: ours {t_ours[-1]:.2f}s{sk}", flush=True)
            ours_cell = f"{min(t_ours):.2f} ({statistics.median(t_ours):.2f})"
            if res_ours is not None and res_sk is not None:
                # with ties (levels) the order among equal distances is unspecified: compare
                # the distances instead of the indices
                which = 0 if levels is not None else 1
                a, b = res_ours[which], res_sk[which]
                same = np.isclose(a, b, rtol=1e-5, atol=1e-6) if levels is not None else a == b
                rows_agree = float(np.mean(np.all(same, axis=1)))
                elem_agree = float(np.mean(same))
                sk_cells = (
                    f"{min(t_sk):.2f} ({statistics.median(t_sk):.2f}) | "
                    f"**{min(t_sk) / min(t_ours):.2f}x** "
                    f"({statistics.median(t_sk) / statistics.median(t_ours):.2f}x) | "
                    f"{rows_agree:.6f} ({elem_agree:.6f})"
                )
            else:
                sk_cells = "not run | - | -"
            data = f"{n} x {d}" + ("" if levels is None else f", codes 0-{levels - 1}")
            rows.append(f"| {data} | {k} | {mode} | {device} | {ours_cell} | {sk_cells} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of points (default 100000)")
    parser.add_argument("--d", type=int, default=20, help="number of features (default 20)")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 3], help="n_neighbors values")
    parser.add_argument(
        "--mode",
        choices=["exclude_self", "query", "both"],
        default="both",
        help="exclude_self: kneighbors() without X on both sides; query: query=X on both",
    )
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS, help="markdown file to write")
    parser.add_argument("--device", default="cpu", help="device for ours (sklearn: always CPU)")
    parser.add_argument("--memory-budget", type=int, default=None, help="bytes (default: ours)")
    parser.add_argument("--no-sklearn", action="store_true", help="time ours only")
    parser.add_argument(
        "--levels", type=int, default=None, help="integer codes 0..L-1 (duplicate-heavy data)"
    )
    args = parser.parse_args()
    modes = ["exclude_self", "query"] if args.mode == "both" else [args.mode]

    rows = run(
        args.n,
        args.d,
        args.k,
        modes,
        args.repeats,
        args.seed,
        device=args.device,
        memory_budget=args.memory_budget,
        with_sklearn=not args.no_sklearn,
        levels=args.levels,
    )
    table = [
        "| data (float32) | k | mode | ours on | ours: best (median) s | scikit-learn brute "
        "(CPU): best (median) s | speed-up sklearn / ours: best (median) | identical "
        + ("index" if args.levels is None else "distance")
        + " rows (elements) |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    text = "\n".join(
        [
            "## Exact k-nearest neighbours: `torchbalance.neighbors.kneighbors` vs "
            'scikit-learn `NearestNeighbors(algorithm="brute")`',
            "",
            f"All {args.n} points queried, {args.repeats} interleaved runs each. `exclude_self`: "
            "ours `exclude_self=True` vs sklearn `kneighbors()` (no X); `query`: both given "
            "`X` as the query (self included). Speed-up: ratio of the best times (of the "
            "medians).",
            "",
            *table,
            "",
            "Machine:",
            "",
            *machine_info(args.device),
            "",
            f"Reproduce: `python benchmarks/bench_neighbors.py --n {args.n} --d {args.d} "
            f"--repeats {args.repeats}"
            + (f" --device {args.device}" if args.device != "cpu" else "")
            + (f" --levels {args.levels}" if args.levels is not None else "")
            + "`",
            "",
        ]
    )
    print()
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
