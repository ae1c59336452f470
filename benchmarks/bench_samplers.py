"""Samplers side by side: one epoch of indices, torchbalance vs torch (and torchsampler).

Run:  python benchmarks/bench_samplers.py [--n 10000000] [--big 100000000]

Every row is one full epoch (``num_samples = len(labels)``) iterated in Python, as a DataLoader
does; "draw" is the time to compute the epoch's indices as a tensor (torchbalance only, where it
is separate from the Python iteration). The 100M row runs in a subprocess so its peak memory
(ru_maxrss above the labels already in memory) is its own.
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time

import torch
from torch.utils.data import WeightedRandomSampler

from torchbalance.samplers import ClassBalancedSampler, WeightedSampler
from torchbalance.utils import check_generator


def _labels(n: int) -> torch.Tensor:
    labels = torch.zeros(n, dtype=torch.int64)
    labels[torch.randperm(n, generator=torch.Generator().manual_seed(0))[: n // 100]] = 1
    return labels


def _epoch(sampler) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in sampler:
        pass
    return time.perf_counter() - start


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def big(n: int) -> None:
    labels = _labels(n)
    before = _rss_mib()
    start = time.perf_counter()
    sampler = ClassBalancedSampler(labels, generator=0)
    built = time.perf_counter() - start
    start = time.perf_counter()
    sampler._draw(check_generator(0))
    draw = time.perf_counter() - start
    epoch = _epoch(sampler)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"BIG {n} build={built:.2f} draw={draw:.2f} epoch={epoch:.2f} "
        f"labels_mib={n * 8 / 2**20:.0f} peak_extra_mib={peak - before:.0f}"
    )
    try:
        weights = torch.ones(n, dtype=torch.float64)
        iter(WeightedRandomSampler(weights, n)).__next__()
        print("BIG_WRS ok")
    except RuntimeError as error:
        print(f"BIG_WRS fails: {str(error).splitlines()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--big", type=int, default=100_000_000)
    parser.add_argument("--_big_only", type=int, default=0)
    args = parser.parse_args()
    if args._big_only:
        big(args._big_only)
        return
    n = args.n
    print(
        f"# {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, "
        f"torch {torch.__version__}, python {platform.python_version()}"
    )
    labels = _labels(n)
    counts = torch.bincount(labels)
    weights = (1.0 / counts.double())[labels]
    rows = []

    cbs = ClassBalancedSampler(labels, generator=0)
    start = time.perf_counter()
    cbs._draw(check_generator(0))
    rows.append(("ClassBalancedSampler", time.perf_counter() - start, _epoch(cbs)))
    ws = WeightedSampler(weights, num_samples=n, generator=0)
    start = time.perf_counter()
    ws._draw(check_generator(0))
    rows.append(("WeightedSampler", time.perf_counter() - start, _epoch(ws)))
    wrs = WeightedRandomSampler(weights, n, generator=torch.Generator().manual_seed(0))
    rows.append(("torch WeightedRandomSampler", float("nan"), _epoch(wrs)))
    try:
        from torchsampler import ImbalancedDatasetSampler

        tss = ImbalancedDatasetSampler(labels.tolist(), labels=labels.tolist())
        rows.append(("torchsampler ImbalancedDatasetSampler", float("nan"), _epoch(tss)))
    except ImportError:
        rows.append(
            (
                "torchsampler ImbalancedDatasetSampler (not installed: skipped)",
                float("nan"),
                float("nan"),
            )
        )
    reference = rows[2][2]
    print(f"\n{n:,} labels, 1% minority, one epoch of {n:,} indices\n")
    print("| sampler | draw (s) | full epoch (s) | WeightedRandomSampler / this |")
    print("|---|---|---|---|")
    for name, draw, epoch in rows:
        ratio = reference / epoch if epoch == epoch else float("nan")
        print(f"| {name} | {draw:.2f} | {epoch:.2f} | {ratio:.1f}x |")
    if args.big:
        result = subprocess.run(
            [sys.executable, __file__, "--_big_only", str(args.big)],
            capture_output=True,
            text=True,
            check=False,
        )
        print("\n" + result.stdout + result.stderr)


if __name__ == "__main__":
    main()
