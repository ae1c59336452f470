"""Helpers of the streaming tests, importable by spawned processes."""

from __future__ import annotations

import json

import numpy as np
import torch
import torch.distributed as dist

from torchbalance import metrics as M

LABEL_METRICS = [
    "accuracy",
    "balanced_accuracy",
    "geometric_mean",
    "mcc",
    "cohen_kappa",
    "macro_f1",
    "weighted_f1",
    "micro_f1",
    "precision",
    "recall",
    "specificity",
    "f1",
    "iba",
    "support",
    "confusion_matrix",
]
ALL = [*LABEL_METRICS, "roc_auc", "average_precision", "ece", "brier"]


def assert_same(got, want):
    assert set(want) <= set(got)
    for key, value in want.items():
        a = np.asarray(got[key], dtype=np.float64)
        b = np.asarray(value, dtype=np.float64)
        np.testing.assert_allclose(a, b, atol=1e-9, equal_nan=True, err_msg=key)


def make_data(n, c, seed, binary_1d=False):
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, c, (n,), generator=gen)
    y[:c] = torch.arange(c)  # every class present: curve metrics defined
    logits = torch.randn(
        n, c, generator=gen, dtype=torch.float64
    ) + 2 * torch.nn.functional.one_hot(y, c)
    probs = logits.softmax(1)
    if binary_1d:
        probs = probs[:, 1].contiguous()
    return y, probs


def worker(rank: int, world: int, init: str, out: str) -> None:
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=world)
    y, probs = make_data(301, 4, 7)
    metric = M.ImbalanceMetrics(4, metrics=ALL, zero_division=0)
    binned = M.ImbalanceMetrics(4, metrics=["roc_auc", "average_precision", "ece"], curves="binned")
    cm = M.ConfusionMatrix(4)
    # uneven shards: rank 0 takes the first 100 samples, rank 1 the other 201
    part = slice(0, 100) if rank == 0 else slice(100, 301)
    for start in range(part.start, part.stop, 37):
        stop = min(start + 37, part.stop)
        metric.update(probs[start:stop], y[start:stop])
        binned.update(probs[start:stop], y[start:stop])
        cm.update(probs[start:stop], y[start:stop])
    result = {k: np.asarray(v, dtype=np.float64).tolist() for k, v in metric.compute().items()}
    result["binned"] = binned.compute()
    result["cm"] = cm.compute().tolist()
    lonely = M.ImbalanceMetrics(4, metrics=["roc_auc", "average_precision", "balanced_accuracy"])
    if rank == 1:  # rank 0 sees no batch at all
        lonely.update(probs.float(), y)
    result["lonely"] = lonely.compute()
    with open(f"{out}.{rank}", "w") as handle:
        json.dump(result, handle)
    dist.barrier()  # leave together: tearing gloo down under a peer's collective can abort it
    dist.destroy_process_group()
