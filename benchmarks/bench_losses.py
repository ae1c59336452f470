"""Forward + backward time of each imbalance loss vs ``F.cross_entropy`` (CPU), eager and compiled.

Every loss runs on the same ``(batch, classes)`` float32 standard-normal logits (default
4096 x 1000) and int64 targets. Families and their baselines, all in the same run:

* softmax losses vs ``F.cross_entropy``; LDAM also on cosine logits (``tanh`` of the same,
  in [-1, 1], what LDAM is meant for) vs ``F.cross_entropy`` on those, and
  ``F.cross_entropy(30 * logits)`` shows what LDAM's scale alone costs;
* sigmoid losses (class-balanced focal; binary focal and asymmetric on a 0/1 matrix with 1%
  positives) vs ``F.binary_cross_entropy_with_logits``, next to transcriptions of torchvision's
  ``sigmoid_focal_loss`` and the ASL authors' code as peers.

One timing is ``loss(logits, target).backward()``. Runs are interleaved (every loss once, then
again) so background load on a shared machine hits all of them; the table gives the min and
median of ``--repeats`` runs after ``--warmup`` runs, and the ratio to the baseline as the
median over runs of (loss / baseline in the same run), with min/min in brackets. ``--compile``
(the default) adds ``torch.compile(loss)`` (inductor) against a compiled baseline.

Usage::

    python benchmarks/bench_losses.py                          # 4096 x 1000, eager + compiled
    python benchmarks/bench_losses.py --no-compile --threads 1 # steadier on a busy machine
    python benchmarks/bench_losses.py --only LDAM --repeats 5  # some losses and the baselines
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

import torch
import torch.nn.functional as F

from torchbalance import losses as L

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def torchvision_focal(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """torchvision.ops.sigmoid_focal_loss (alpha=0.25, gamma=2, mean), transcribed."""
    p = torch.sigmoid(x)
    ce_loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce_loss * ((1 - p_t) ** 2)
    return ((0.25 * t + 0.75 * (1 - t)) * loss).mean()


def ridnik_asl(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The authors' AsymmetricLoss.forward (gamma_neg=4, gamma_pos=1, clip=0.05), mean."""
    xs_pos = torch.sigmoid(x)
    xs_neg = (1 - xs_pos + 0.05).clamp(max=1)
    loss = y * torch.log(xs_pos.clamp(min=1e-8)) + (1 - y) * torch.log(xs_neg.clamp(min=1e-8))
    pt = xs_pos * y + xs_neg * (1 - y)
    loss = loss * torch.pow(1 - pt, 1 * y + 4 * (1 - y))
    return -loss.mean()


def losses(counts: torch.Tensor) -> dict[str, tuple[str, Loss]]:
    """name -> (family, loss).

    Families: "softmax" (class-index targets, compared to CE), "cosine" (the same on
    tanh(logits), compared to CE on those), "sigmoid" (class-index targets,
    one sigmoid per class, compared to BCE on the multi-label matrix), "multilabel" (0/1
    matrix targets, compared to BCE).
    """
    classes = counts.numel()
    weight = torch.rand(classes, generator=torch.Generator().manual_seed(1)) + 0.5
    return {
        "F.cross_entropy": ("softmax", lambda x, t: F.cross_entropy(x, t)),
        "FocalLoss(gamma=2)": ("softmax", L.FocalLoss(gamma=2.0)),
        "FocalLoss(gamma=2, weight, smoothing=0.1)": (
            "softmax",
            L.FocalLoss(gamma=2.0, weight=weight, label_smoothing=0.1),
        ),
        "F.cross_entropy(30 * logits) (LDAM's scale alone)": (
            "softmax",
            lambda x, t: F.cross_entropy(30.0 * x, t),
        ),
        "LDAMLoss": ("softmax", L.LDAMLoss(counts)),
        "F.cross_entropy on cosine logits": ("cosine", lambda x, t: F.cross_entropy(x, t)),
        "LDAMLoss on cosine logits": ("cosine", L.LDAMLoss(counts)),
        "LDAMLoss(weight=DRW)": (
            "softmax",
            L.LDAMLoss(counts, weight=L.DeferredReweighting(counts, switch_epoch=0).weights),
        ),
        "LogitAdjustedLoss": ("softmax", L.LogitAdjustedLoss(counts)),
        "BalancedSoftmaxLoss": ("softmax", L.BalancedSoftmaxLoss(counts)),
        "VSLoss": ("softmax", L.VSLoss(counts)),
        "ClassBalancedLoss(base='ce')": ("softmax", L.ClassBalancedLoss(counts)),
        "ClassBalancedLoss(base='focal')": (
            "sigmoid",
            L.ClassBalancedLoss(counts, base="focal"),
        ),
        "CostSensitiveLoss": ("softmax", L.CostSensitiveLoss(L.cost_matrix_from_counts(counts))),
        "F.binary_cross_entropy_with_logits": (
            "multilabel",
            lambda x, t: F.binary_cross_entropy_with_logits(x, t),
        ),
        "BinaryFocalLoss": ("multilabel", L.BinaryFocalLoss()),
        "torchvision sigmoid_focal_loss (formula, peer)": ("multilabel", torchvision_focal),
        "AsymmetricLoss": ("multilabel", L.AsymmetricLoss()),
        "Ridnik et al. AsymmetricLoss code (peer)": ("multilabel", ridnik_asl),
    }


def run(
    batch: int, classes: int, repeats: int, warmup: int, compile_too: bool, only: str | None = None
) -> list[str]:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(batch, classes, generator=g).requires_grad_(True)
    target = torch.randint(0, classes, (batch,), generator=g)
    # LDAM is meant for cosine logits (normalised features and weights), in [-1, 1].
    cosine = torch.tanh(logits.detach()).requires_grad_(True)
    multi = (torch.rand(batch, classes, generator=g) < 0.01).float()
    counts = torch.sort(torch.randint(1, 1000, (classes,), generator=g), descending=True).values
    table = losses(counts)
    if only is not None:
        keep = {
            "F.cross_entropy",
            "F.binary_cross_entropy_with_logits",
            "F.cross_entropy on cosine logits",
        }
        table = {k: v for k, v in table.items() if only in k or k in keep}
    modes = {"eager": {name: fn for name, (_, fn) in table.items()}}
    if compile_too:
        modes["compiled"] = {name: torch.compile(fn) for name, (_, fn) in table.items()}

    def once(fn: Loss, family: str) -> float:
        x = cosine if family == "cosine" else logits
        x.grad = None
        start = time.perf_counter()
        fn(x, multi if family == "multilabel" else target).backward()
        return time.perf_counter() - start

    times: dict[tuple[str, str], list[float]] = {}
    for mode, fns in modes.items():
        start = time.perf_counter()
        for name, fn in fns.items():
            for _ in range(warmup):
                once(fn, table[name][0])
        print(f"{mode}: warm-up (and compilation) {time.perf_counter() - start:.1f}s", flush=True)
    for r in range(repeats):
        for mode, fns in modes.items():
            for name, fn in fns.items():
                times.setdefault((mode, name), []).append(once(fn, table[name][0]))
        print(f"repeat {r + 1}/{repeats} done", flush=True)

    baseline = {
        "softmax": "F.cross_entropy",
        "cosine": "F.cross_entropy on cosine logits",
        "sigmoid": "F.binary_cross_entropy_with_logits",
        "multilabel": "F.binary_cross_entropy_with_logits",
    }

    def cells(mode: str, name: str) -> str:
        base = baseline[table[name][0]]
        ours, ref = times[(mode, name)], times[(mode, base)]
        paired = statistics.median(a / b for a, b in zip(ours, ref, strict=True))
        return (
            f" {min(ours) * 1e3:.1f} | {statistics.median(ours) * 1e3:.1f} |"
            f" **{paired:.2f}x** ({min(ours) / min(ref):.2f}x) |"
        )

    header = "| loss | eager min ms | eager median ms | eager ratio: median paired (min/min) |"
    rule = "|---|---:|---:|---:|"
    if compile_too:
        header += (
            " compiled min ms | compiled median ms | compiled ratio to compiled baseline |"
            " compiled / eager (min) |"
        )
        rule += "---:|---:|---:|---:|"
    rows = [header, rule]
    for name in table:
        row = f"| {name} |" + cells("eager", name)
        if compile_too:
            eager_min, comp_min = min(times[("eager", name)]), min(times[("compiled", name)])
            row += cells("compiled", name) + f" {comp_min / eager_min:.2f}x |"
        rows.append(row)
    info = [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores "
        f"(torch intra-op threads: {torch.get_num_threads()})",
        f"- Python {platform.python_version()}, torch {torch.__version__}",
        f"- logits {batch} x {classes} float32 (standard normal), int64 targets; multi-label: "
        f"0/1 targets with 1% positives. Forward + backward; {repeats} interleaved runs after "
        f"{warmup} warm-up runs. Ratio: median over runs of (loss time / baseline time in the "
        "same run), in brackets min/min. Baselines: F.cross_entropy (softmax family; on "
        "cosine logits for the cosine rows), F.binary_cross_entropy_with_logits (sigmoid).",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
    ]
    return [*info, "", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch intra-op threads (default: torch's)"
    )
    parser.add_argument("--only", default=None, help="run only losses whose name contains this")
    parser.add_argument("--no-compile", dest="compile", action="store_false")
    parser.add_argument("--output", type=Path, default=None, help="also write the table here")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    lines = run(args.batch, args.classes, args.repeats, args.warmup, args.compile, args.only)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)


if __name__ == "__main__":
    main()
