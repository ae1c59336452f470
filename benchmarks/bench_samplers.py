"""Samplers side by side: one epoch of indices, torchbalance vs torch (and torchsampler).

Run:  python benchmarks/bench_samplers.py [--n 10000000] [--big 100000000]

Every row is one full epoch (``num_samples = len(labels)``): "tensor epoch" is the epoch's
indices as one tensor (``epoch_indices()``; for WeightedRandomSampler, which has no such method,
the ``torch.multinomial`` call its ``__iter__`` makes); "Python epoch" iterates the sampler in
Python, as a DataLoader does, which adds turning 10M indices into Python ints and the loop
itself (timed alone as "bare loop": a ``for`` over a ready list of 10M ints). The 100M row
runs in a subprocess so its peak memory (the high-water mark VmHWM above the labels already in
memory) is its own.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import subprocess
import sys
import time
import types

import torch
from _proc_status import status_mib
from torch.utils.data import WeightedRandomSampler

from torchbalance.samplers import ClassBalancedSampler, WeightedSampler


def _labels(n: int) -> torch.Tensor:
    # about 1% minority at random positions; no randperm(n), whose temporaries would dominate
    # the peak memory measured for the 100M row
    minority = torch.rand(n, generator=torch.Generator().manual_seed(0)) < 0.01
    return minority.long()


def _epoch(sampler) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in sampler:
        pass
    return time.perf_counter() - start


def _best(draw, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        draw()
        best = min(best, time.perf_counter() - start)
    return best


def _torchsampler(labels: torch.Tensor):  # type: ignore[no-untyped-def]
    """torchsampler's ImbalancedDatasetSampler, or None when it is not installed.

    torchsampler imports torchvision only to recognise torchvision datasets (``isinstance``
    checks that a plain label list never reaches). Installing torchvision here would replace the
    CPU build of torch, so when it is absent an empty stand-in module is registered first; the
    sampler's own code runs unchanged.
    """
    if importlib.util.find_spec("torchsampler") is None:
        return None
    if importlib.util.find_spec("torchvision") is None:
        stand_in = types.ModuleType("torchvision")
        stand_in.datasets = types.SimpleNamespace(  # type: ignore[attr-defined]
            MNIST=type("MNIST", (), {}),
            ImageFolder=type("ImageFolder", (), {}),
            DatasetFolder=type("DatasetFolder", (), {}),
        )
        sys.modules["torchvision"] = stand_in
    from torchsampler import ImbalancedDatasetSampler

    return ImbalancedDatasetSampler(labels, labels=labels.tolist())


def big(n: int) -> None:
    labels = _labels(n)
    before = status_mib("VmRSS")
    start = time.perf_counter()
    sampler = ClassBalancedSampler(labels, generator=0)
    built = time.perf_counter() - start
    start = time.perf_counter()
    sampler.epoch_indices()
    draw = time.perf_counter() - start
    epoch = _epoch(sampler)
    peak = status_mib("VmHWM")
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
    rows: list[tuple[str, float, float]] = []

    cbs = ClassBalancedSampler(labels, generator=0)
    rows.append(
        (
            "torchbalance ClassBalancedSampler",
            _best(cbs.epoch_indices),
            _epoch(cbs),
        )
    )
    ws = WeightedSampler(weights, num_samples=n, generator=0)
    rows.append(("torchbalance WeightedSampler", _best(ws.epoch_indices), _epoch(ws)))
    wrs = WeightedRandomSampler(weights, n, generator=torch.Generator().manual_seed(0))
    # WeightedRandomSampler.__iter__ is this multinomial call, then tolist() and yield from
    # best of 5 like the rows above, so neither side gets the kinder statistic
    wrs_draw = _best(lambda: torch.multinomial(weights, n, True, generator=torch.Generator()))
    rows.append(("torch WeightedRandomSampler", wrs_draw, _epoch(wrs)))
    sampler = _torchsampler(labels)
    if sampler is None:
        print("torchsampler is not importable: its row is skipped (make bench installs it)")
    else:
        rows.append(("torchsampler ImbalancedDatasetSampler", float("nan"), _epoch(sampler)))
    _, ref_draw, ref_epoch = rows[2]
    ready = list(range(n))
    start = time.perf_counter()
    for _ in ready:
        pass
    bare = time.perf_counter() - start
    del ready
    print(f"\n{n:,} labels, 1% minority, one epoch of {n:,} indices (best of 5 tensor epochs)")
    print(f"bare loop over {n:,} ready ints: {bare:.2f} s\n")
    print("| sampler | tensor epoch (s) | WRS / this | Python epoch (s) | WRS / this |")
    print("|---|---|---|---|---|")
    for name, draw, epoch in rows:
        draw_ratio = "–" if draw != draw else f"{ref_draw / draw:.1f}x"
        draw_time = "–" if draw != draw else f"{draw:.2f}"
        print(f"| {name} | {draw_time} | {draw_ratio} | {epoch:.2f} | {ref_epoch / epoch:.1f}x |")
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
