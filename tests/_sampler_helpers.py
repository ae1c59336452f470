"""Shared helpers of the sampler tests."""

from __future__ import annotations

import torch
from scipy.stats import chisquare

P_MIN = 1e-3
"""Every chi-square test uses a fixed seed and must give p > P_MIN (a 0.1% false alarm rate
if the seed were random; with the fixed seed the outcome is deterministic)."""


def assert_distribution(drawn: torch.Tensor, probabilities: torch.Tensor) -> None:
    """Chi-square goodness of fit of the category counts ``drawn`` to ``probabilities``."""
    counts = torch.bincount(drawn, minlength=probabilities.numel()).double()
    expected = probabilities.double() / probabilities.sum() * counts.sum()
    keep = expected > 0
    assert counts[~keep].sum() == 0, "a category with probability 0 was drawn"
    result = chisquare(counts[keep].numpy(), expected[keep].numpy())
    assert result.pvalue > P_MIN, (counts.tolist(), expected.tolist(), result.pvalue)
