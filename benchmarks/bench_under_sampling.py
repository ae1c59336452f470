"""Cleaning rules, NearMiss, ClusterCentroids and hybrids: torchbalance vs imbalanced-learn.

Run:  python benchmarks/bench_under_sampling.py [--n 100000] [--d 20] [--nearmiss-n 1000000]
      [--nearmiss-d 32] [--methods ...] [--skip-imblearn ...] [--imblearn-timeout SECONDS]
      [--repeats 1] [--device cuda]

Data: ``n x d`` float32 Gaussian classes, 5% minority shifted by 0.75 (binary). Every
(library, method) run happens in its own forked child process, one after the other, so that
its peak memory can be measured: ``/proc/self/clear_refs`` resets the peak RSS, and the table
shows ``VmHWM`` minus the RSS before the call (the data itself is not counted). For the
selection methods the table says whether ``sample_indices_`` are the same set; for
ClusterCentroids it gives the ratio of the two k-means inertias (the issue asks for ours within
1%). ``--imblearn-timeout T`` stops an imbalanced-learn run after ``T`` seconds and reports the
speed-up as a lower bound (``> T / ours``), for sizes where the peer would take hours.
``--repeats R`` runs R (ours, theirs) pairs per method, interleaved, and reports the median
times, the median of the R per-pair speed-ups and their range, and the largest peaks: on a
shared machine one pair can land in a noisy minute.

With ``--device cuda`` torchbalance gets CUDA tensors (moved, and the CUDA context created,
before the clock starts; synchronised before it stops) and its peak is the GPU's
``max_memory_allocated`` above the data; imbalanced-learn runs on the CPU as users run it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from _proc_status import status_mib


def _data(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    # NumPy only: no torch thread pool may exist in the parent before it forks
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=np.int64)
    y[: n // 20] = 1
    X = rng.standard_normal((n, d), dtype=np.float32)
    X[: n // 20] += 0.75
    return X, y


def _make(lib: str, name: str) -> Any:
    if lib == "ours":
        from torchbalance import combine
        from torchbalance import under_sampling as us

        return {
            "TomekLinks": lambda: us.TomekLinks(),
            "EditedNearestNeighbours": lambda: us.EditedNearestNeighbours(),
            "NeighbourhoodCleaningRule": lambda: us.NeighbourhoodCleaningRule(),
            "ClusterCentroids": lambda: us.ClusterCentroids(generator=0),
            "SMOTEENN": lambda: combine.SMOTEENN(generator=0),
            "SMOTETomek": lambda: combine.SMOTETomek(generator=0),
            "NearMiss-1": lambda: us.NearMiss(version=1),
        }[name]()
    from imblearn import combine as ic
    from imblearn import under_sampling as iu

    return {
        "TomekLinks": lambda: iu.TomekLinks(),
        "EditedNearestNeighbours": lambda: iu.EditedNearestNeighbours(),
        "NeighbourhoodCleaningRule": lambda: iu.NeighbourhoodCleaningRule(),
        "ClusterCentroids": lambda: iu.ClusterCentroids(random_state=0),
        "SMOTEENN": lambda: ic.SMOTEENN(random_state=0),
        "SMOTETomek": lambda: ic.SMOTETomek(random_state=0),
        "NearMiss-1": lambda: iu.NearMiss(version=1),
    }[name]()


METHODS = [
    "TomekLinks",
    "EditedNearestNeighbours",
    "NeighbourhoodCleaningRule",
    "ClusterCentroids",
    "SMOTEENN",
    "SMOTETomek",
    "NearMiss-1",
]
RESULTS = Path(__file__).parent / "results" / "under_sampling.md"


def _child(lib: str, name: str, X: np.ndarray, y: np.ndarray, device: str, conn: Any) -> None:
    model = _make(lib, name)
    cuda = lib == "ours" and device.startswith("cuda")
    if lib == "ours":
        data: tuple[Any, Any] = (torch.from_numpy(X).to(device), torch.from_numpy(y).to(device))
    else:
        data = (X, y)
    if cuda:
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
    else:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
        base = status_mib("VmRSS") * 2**20
    conn.send("started")  # the parent's timeout counts from here
    start = time.perf_counter()
    X_res, _ = model.fit_resample(*data)
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = (torch.cuda.max_memory_allocated() if cuda else status_mib("VmHWM") * 2**20) - base
    indices = getattr(model, "sample_indices_", None)
    if isinstance(indices, torch.Tensor):
        indices = indices.cpu().numpy()
    if indices is not None:
        indices = np.sort(np.asarray(indices))
    conn.send((seconds, peak, int(X_res.shape[0]), indices, _inertia(model)))


def _inertia(model: Any) -> float | None:
    """ClusterCentroids' k-means inertia, else None. imbalanced-learn keeps only the last
    class's KMeans, so the two agree only when one class is under-sampled, as on this data."""
    if hasattr(model, "inertia_"):  # torchbalance: {class: inertia}
        return float(sum(model.inertia_.values()))
    estimator = getattr(model, "estimator_", None)  # imbalanced-learn: the fitted KMeans
    return float(estimator.inertia_) if hasattr(estimator, "inertia_") else None


def _run(
    lib: str, name: str, X: np.ndarray, y: np.ndarray, device: str, timeout: float | None = None
) -> tuple[float, int, int, Any, float | None] | None:
    """One (library, method) run in a forked child; ``None`` if it was stopped at ``timeout``."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(lib, name, X, y, device, child))
    proc.start()
    child.close()  # the child's end lives in the child only: its death ends recv() with EOFError
    try:
        assert parent.recv() == "started"
        if not parent.poll(timeout):
            proc.kill()
            proc.join()
            return None
        result = parent.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(
            f"{lib} {name} failed in its child (exit code {proc.exitcode})"
        ) from None
    proc.join()
    return result


def _row(
    name: str,
    n: int,
    d: int,
    pairs: list[tuple[Any, Any]],
    skipped: bool,
    timeout: float | None,
) -> str:
    """The table row of one method from its (ours, theirs) runs: median times, the median of
    the per-pair speed-ups (with their range when there are several) and the largest peaks."""
    t_o = float(np.median([ours[0] for ours, _ in pairs]))
    m_o = max(ours[1] for ours, _ in pairs) / 2**20
    if skipped:
        return f"| {name} | {n} x {d} | {t_o:.2f} | (skipped) | | {m_o:.0f} / | |"
    if any(theirs is None for _, theirs in pairs):
        return (
            f"| {name} | {n} x {d} | {t_o:.2f} | > {timeout:g} (stopped) | "
            f"> {timeout / t_o:.1f}x | {m_o:.0f} / | |"
        )
    ratios = [theirs[0] / ours[0] for ours, theirs in pairs]
    speed_up = f"{np.median(ratios):.1f}x"
    if len(pairs) > 1:
        speed_up += f" ({min(ratios):.1f}-{max(ratios):.1f})"
    t_i = float(np.median([theirs[0] for _, theirs in pairs]))
    m_i = max(theirs[1] for _, theirs in pairs) / 2**20
    same = sorted({_same_output(ours, theirs) for ours, theirs in pairs})
    return (
        f"| {name} | {n} x {d} | {t_o:.2f} | {t_i:.2f} | {speed_up} | "
        f"{m_o:.0f} / {m_i:.0f} | {'; '.join(same)} |"
    )


def _same_output(ours: Any, theirs: Any) -> str:
    _, _, rows_o, idx_o, inertia_o = ours
    _, _, rows_i, idx_i, inertia_i = theirs
    if idx_o is not None and idx_i is not None:
        same = "yes" if np.array_equal(idx_o, idx_i) else "no"
    else:
        same = f"rows {rows_o} / {rows_i}"
    if inertia_o is not None and inertia_i is not None:
        same += f", k-means inertia {inertia_o / inertia_i:.4f} x imblearn's"
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--d", type=int, default=20)
    parser.add_argument("--nearmiss-n", type=int, default=1_000_000)
    parser.add_argument("--nearmiss-d", type=int, default=32)
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS,
        default=METHODS,
    )
    parser.add_argument("--skip-imblearn", nargs="*", default=[])
    parser.add_argument(
        "--imblearn-timeout",
        type=float,
        default=None,
        help="stop an imbalanced-learn run after this many seconds and report the speed-up as "
        "a lower bound (> timeout / ours)",
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="interleaved (ours, theirs) pairs per method"
    )
    parser.add_argument("--device", default="cpu", help="torchbalance's device (cpu, cuda)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    import imblearn

    lines: list[str] = []

    def emit(line: str) -> None:  # to stdout as it comes, and to RESULTS at the end
        print(line, flush=True)
        lines.append(line)

    emit(
        f"# torch {torch.__version__}, imbalanced-learn "
        f"{imblearn.__version__}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at start; "
        f"torchbalance on {args.device}"
    )
    emit(
        "| method | rows x d | torchbalance (s) | imbalanced-learn (s) | speed-up | "
        "peak MiB ours / imblearn | same output |"
    )
    emit("|---|---|---:|---:|---:|---:|---|")
    small = _data(args.n, args.d)
    for name in args.methods:
        n, d = (args.nearmiss_n, args.nearmiss_d) if name == "NearMiss-1" else (args.n, args.d)
        X, y = _data(n, d) if name == "NearMiss-1" else small
        pairs = []
        for _ in range(args.repeats):
            ours = _run("ours", name, X, y, args.device)
            assert ours is not None
            theirs = None
            if name not in args.skip_imblearn:
                theirs = _run("imblearn", name, X, y, "cpu", args.imblearn_timeout)
            pairs.append((ours, theirs))
        emit(_row(name, n, d, pairs, name in args.skip_imblearn, args.imblearn_timeout))
    emit(f"# load average {os.getloadavg()[0]:.1f} at the end")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
