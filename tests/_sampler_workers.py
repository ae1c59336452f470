"""Process entry points of the distributed sampler tests.

They live in a top-level module (importable through ``pythonpath = ["tests"]``) rather than in a
test file: a spawned child re-imports the function by module name, and ``tests.samplers...`` can
be shadowed by any installed distribution that ships a top-level ``tests`` package.
"""

from __future__ import annotations

import json

import torch
import torch.distributed as dist

from torchbalance.samplers import (
    ClassBalancedSampler,
    DistributedClassBalancedSampler,
    DistributedSamplerWrapper,
)

LABELS = torch.tensor([0] * 40 + [1] * 7 + [2] * 3)


def draw_on_rank(rank: int, world: int, init: str, out: str) -> None:
    """Draw from each distributed sampler on rank ``rank``; write the draws to ``out.<rank>``."""
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=world)
    torch.manual_seed(100 + rank)  # different global RNGs: the seed must come from rank 0
    result = {}
    sampler = DistributedClassBalancedSampler(LABELS, num_samples=51)  # generator=None
    sampler.set_epoch(2)
    result["none"] = list(sampler)
    result["none_seed"] = sampler.state_dict()["seed"]
    seeded = DistributedClassBalancedSampler(LABELS, num_samples=51, generator=5)
    seeded.set_epoch(2)
    result["seeded"] = list(seeded)
    wrapper = DistributedSamplerWrapper(ClassBalancedSampler(LABELS, generator=5), drop_last=True)
    result["wrapper"] = list(wrapper)
    with open(f"{out}.{rank}", "w") as handle:
        json.dump(result, handle)
    dist.barrier()  # leave together: tearing gloo down under a peer's collective can abort it
    dist.destroy_process_group()
