"""Random selection of a given number of samples per class, vectorised over classes."""

from __future__ import annotations

import torch

__all__: list[str] = []


def select_per_class(
    codes: torch.Tensor, keep: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Indices of a uniformly random subset of each class, in increasing order.

    Args:
        codes: Int64 tensor ``(n_samples,)`` of class indices ``0..C-1``.
        keep: Int64 tensor ``(C,)``: how many samples of each class to keep (at most the
            class's count; larger values keep the whole class).
        generator: Where the randomness comes from, on ``codes``' device.

    Returns:
        Int64 tensor of the kept positions, sorted, on ``codes``' device.
    """
    n = codes.shape[0]
    if n == 0:
        return torch.empty(0, dtype=torch.long, device=codes.device)
    perm = torch.randperm(n, generator=generator, device=codes.device)
    # Group by class, random order within each class: a stable sort of a random permutation.
    order = perm[torch.argsort(codes[perm], stable=True)]
    counts = torch.bincount(codes, minlength=keep.shape[0])
    starts = torch.cumsum(counts, 0) - counts
    sorted_codes = codes[order]
    rank = torch.arange(n, device=codes.device) - starts[sorted_codes]
    return torch.sort(order[rank < keep[sorted_codes]]).values
