"""Distributed (DDP) training on long-tailed data, with checkpoint and exact resume.

What it shows, end to end:

- ``torch.distributed`` with gloo on CPU, nccl when CUDA is available (one GPU per rank);
- :class:`~torchbalance.samplers.DistributedClassBalancedSampler`: every rank draws the same
  global class-balanced order from ``seed + epoch`` and keeps its own shard;
- LDAM with deferred re-weighting (LDAM-DRW, Cao et al. 2019) or the logit-adjusted loss
  (Menon et al. 2021), with the class statistics of the distribution the sampler feeds the
  network (so ``--power 1`` is plain LDAM-DRW and ``--power 0`` does not correct twice);
- :class:`~torchbalance.metrics.ImbalanceMetrics` on each rank's shard of the validation set,
  summed across ranks by ``compute()``;
- checkpoints written atomically by rank 0 (model, optimiser, the sampler's and the DRW
  schedule's ``state_dict``, epoch and step), and ``--resume`` continuing with exactly the
  indices the uninterrupted run would have drawn.

Run::

    torchrun --standalone --nproc_per_node=2 examples/ddp_long_tail.py
    # simulate a crash after step 41, then resume from the last checkpoint:
    torchrun --standalone --nproc_per_node=2 examples/ddp_long_tail.py \
        --stop-after-step 41
    torchrun --standalone --nproc_per_node=2 examples/ddp_long_tail.py --resume

Without ``torchrun`` it runs as a single process. The data are the built-in long-tailed 8x8
digits (:func:`torchbalance.datasets.load_digits_lt`: 417 training samples, imbalance ratio
50, balanced test split used for validation).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from torchbalance.datasets import load_digits_lt
from torchbalance.experiment import cosine_head
from torchbalance.losses import DeferredReweighting, LDAMLoss, LogitAdjustedLoss
from torchbalance.metrics import ImbalanceMetrics
from torchbalance.models import mlp
from torchbalance.samplers import DistributedClassBalancedSampler

METRICS = [
    "accuracy",
    "balanced_accuracy",
    "geometric_mean",
    "mcc",
    "macro_f1",
    "recall",
    "confusion_matrix",
]
CRASH_EXIT_CODE = 75


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument(
        "--steps-per-epoch",
        type=int,
        default=None,
        help="optimiser steps per epoch on every rank (default: one pass over the data)",
    )
    parser.add_argument("--batch-size", type=int, default=32, help="per rank")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--power", type=float, default=0.5, help="sampler p_c ∝ n_c**power (0: balanced)"
    )
    parser.add_argument("--loss", choices=["ldam_drw", "logit_adjusted"], default="ldam_drw")
    parser.add_argument(
        "--switch-epoch", type=int, default=None, help="DRW switch (default: 80%% of epochs)"
    )
    parser.add_argument("--imbalance-ratio", type=float, default=50.0)
    parser.add_argument("--checkpoint", default="ddp_long_tail.pt", help="checkpoint file")
    parser.add_argument("--checkpoint-every", type=int, default=20, help="steps between saves")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument(
        "--stop-after-step",
        type=int,
        default=None,
        help=f"simulate a crash: exit with code {CRASH_EXIT_CODE} after this global step",
    )
    parser.add_argument(
        "--log-indices",
        default=None,
        help="write the dataset indices of every step to FILE.rank<r> (JSON lines)",
    )
    parser.add_argument("--metrics-out", default=None, help="write the final metrics (JSON)")
    args = parser.parse_args(argv)
    if args.switch_epoch is None:
        args.switch_epoch = max(1, round(0.8 * args.epochs))
    return args


def build_model(loss: str, num_features: int = 64, num_classes: int = 10) -> nn.Module:
    """The network: an MLP, with a cosine classifier for LDAM (which expects bounded logits)."""

    def module_fn(shape: tuple[int, ...], c: int) -> nn.Module:
        return mlp(shape, c, (64,))

    if loss == "ldam_drw":
        return cosine_head(module_fn, scale=1.0)((num_features,), num_classes)
    return module_fn((num_features,), num_classes)


def validation_shard(n: int, rank: int, world: int) -> torch.Tensor:
    """Rank ``r`` evaluates rows ``r, r + world, ...``: disjoint, together all rows once."""
    return torch.arange(rank, n, world)


def evaluate(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, rank: int, world: int, device: Any
) -> dict[str, Any]:
    """Streaming metrics over this rank's shard; ``compute()`` sums the counts over all ranks."""
    metrics = ImbalanceMetrics(num_classes=10, metrics=METRICS, zero_division=0.0).to(device)
    rows = validation_shard(len(y), rank, world)
    model.eval()
    with torch.no_grad():
        for batch in rows.split(64):
            logits = model(X[batch].to(device))
            metrics.update(logits.argmax(1), y[batch].to(device))
    model.train()
    result = metrics.compute()  # all-reduce of the confusion matrix when distributed
    result["recall"] = result["recall"].tolist()
    result["confusion_matrix"] = result["confusion_matrix"].tolist()
    return result


def _atomic_save(state: dict[str, Any], path: Path) -> None:
    """Write to a temporary file in the same folder, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    use_cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if use_cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    else:
        rank, world = 0, 1
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)

    data = load_digits_lt(imbalance_ratio=args.imbalance_ratio)
    n_train = len(data.y_train)
    dataset = TensorDataset(torch.arange(n_train), data.X_train, data.y_train)
    num_samples = None
    if args.steps_per_epoch is not None:
        num_samples = args.steps_per_epoch * args.batch_size * world
    sampler = DistributedClassBalancedSampler(
        data.y_train,
        power=args.power,
        num_samples=num_samples,
        num_replicas=world,
        rank=rank,
        generator=args.seed,  # an int: every rank draws the same global order from seed + epoch
    )
    # num_workers=0: the sampler yields exactly the indices of the batches consumed so far.
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)
    steps_per_epoch = len(loader)

    # The class statistics of what the network sees: expected counts per epoch under the sampler.
    seen = sampler.class_probabilities_ * sampler.num_samples
    torch.manual_seed(args.seed)  # same initial weights on every rank (DDP also broadcasts them)
    model = build_model(args.loss).to(device)
    if args.loss == "ldam_drw":
        criterion: nn.Module = LDAMLoss(seen, max_margin=0.5, scale=30.0)
    else:
        criterion = LogitAdjustedLoss(class_priors=sampler.class_probabilities_)
    criterion = criterion.to(device)
    drw = DeferredReweighting(seen, switch_epoch=args.switch_epoch, beta=0.999)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    start_epoch, start_step, global_step = 0, 0, 0
    checkpoint = Path(args.checkpoint)
    if args.resume:
        if not checkpoint.exists():
            raise SystemExit(f"--resume: no checkpoint at {checkpoint}; run without --resume.")
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
        if state["world_size"] != world:
            raise SystemExit(
                f"the checkpoint was written by {state['world_size']} processes, this run has "
                f"{world}; resume with --nproc_per_node={state['world_size']}."
            )
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        sampler.load_state_dict(state["sampler"][rank])
        drw.load_state_dict(state["schedule"])
        start_epoch, start_step = state["epoch"], state["step_in_epoch"]
        global_step = state["global_step"]
        if rank == 0:
            print(f"resumed from {checkpoint}: epoch {start_epoch}, step {start_step}")

    ddp: nn.Module = model
    if distributed:
        ddp = nn.parallel.DistributedDataParallel(
            model, device_ids=[local_rank] if use_cuda else None
        )

    log = None
    if args.log_indices:
        log = open(f"{args.log_indices}.rank{rank}", "a", encoding="utf-8")  # noqa: SIM115

    def save(epoch: int, step_in_epoch: int) -> None:
        position = min(step_in_epoch * args.batch_size, len(sampler))
        sampler_state = sampler.state_dict()
        # The DataLoader's progress is the truth (workers would prefetch ahead of it).
        sampler_state.update(epoch=epoch, position=position)
        if step_in_epoch == steps_per_epoch:  # epoch finished: start the next one
            epoch, step_in_epoch = epoch + 1, 0
            sampler_state.update(epoch=epoch, position=0)
        states: list[Any] = [sampler_state]
        if distributed:
            states = [None] * world
            dist.all_gather_object(states, sampler_state)
        if rank == 0:
            _atomic_save(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "sampler": states,
                    "schedule": drw.state_dict(),
                    "epoch": epoch,
                    "step_in_epoch": step_in_epoch,
                    "global_step": global_step,
                    "world_size": world,
                },
                checkpoint,
            )
        if distributed:
            dist.barrier()  # nobody goes on (or crashes) before the file is complete

    for epoch in range(start_epoch, args.epochs):
        sampler.set_epoch(epoch)  # keeps a resumed mid-epoch position
        drw.set_epoch(epoch)
        if args.loss == "ldam_drw":  # logit adjustment already corrects for the priors
            criterion.set_weight(drw.weights.to(device))  # type: ignore[operator]
        step_in_epoch = start_step if epoch == start_epoch else 0
        for index, x, y in loader:
            logits = ddp(x.to(device))
            loss = criterion(logits, y.to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step_in_epoch += 1
            global_step += 1
            if log is not None:
                record = {"step": global_step, "epoch": epoch, "indices": index.tolist()}
                log.write(json.dumps(record) + "\n")
                log.flush()
            if global_step % args.checkpoint_every == 0 or step_in_epoch == steps_per_epoch:
                save(epoch, step_in_epoch)
            if args.stop_after_step is not None and global_step == args.stop_after_step:
                if distributed:
                    dist.barrier()
                if rank == 0:
                    print(f"simulated crash after step {global_step}", flush=True)
                os._exit(CRASH_EXIT_CODE)
        result = evaluate(model, data.X_test, data.y_test, rank, world, device)
        if rank == 0:
            print(
                f"epoch {epoch}: balanced accuracy "
                f"{result['balanced_accuracy']:.3f}, recall of the 3 tail classes "
                f"{[round(r, 2) for r in result['recall'][-3:]]}",
                flush=True,
            )

    result = evaluate(model, data.X_test, data.y_test, rank, world, device)
    if rank == 0 and args.metrics_out:
        result["global_step"] = global_step
        Path(args.metrics_out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    if log is not None:
        log.close()
    if distributed:
        # every rank leaves together: a rank that tears gloo down while another still has its
        # last collective in flight aborts that one ("terminate called without an active
        # exception", about one run in three on a 2-core machine)
        dist.barrier()
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    status = main()
    # Every file is closed and every rank has left the process group by now. Under load,
    # torch's C++ teardown at interpreter exit can still abort a rank ("terminate called
    # without an active exception", seen once in ~20 suite runs on a 2-core machine), which
    # would turn a finished run into a failed one: leave without it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
