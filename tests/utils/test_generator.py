"""Resolution of ``generator`` for callers that draw on the CPU whatever the data's device."""

from __future__ import annotations

import pytest
import torch

from torchbalance.exceptions import InvalidParameterError
from torchbalance.samplers import ClassBalancedSampler, StreamRebalancer
from torchbalance.utils import _generator, check_generator, host_generator


class _ReportsCuda(torch.Generator):
    """A CPU generator that says it is on CUDA: what the device checks read."""

    @property
    def device(self) -> torch.device:  # type: ignore[override]
        return torch.device("cuda")


def test_host_generator_keeps_cpu_generators_and_seeds():
    g = torch.Generator().manual_seed(3)
    assert host_generator(g) is g
    a, b = host_generator(5), host_generator(5)
    assert torch.equal(torch.rand(4, generator=a), torch.rand(4, generator=b))
    with pytest.raises(InvalidParameterError, match="a seed must be a non-negative int"):
        host_generator(-1, owner="owner")


def test_a_generator_on_another_device_seeds_a_cpu_one(monkeypatch):
    drawn_from = []

    def fake_derive_seed(generator=None):  # the real one draws on the generator's device
        drawn_from.append(generator)
        return 11

    monkeypatch.setattr(_generator, "derive_seed", fake_derive_seed)
    cuda_like = _ReportsCuda()
    resolved = host_generator(cuda_like, owner="owner")
    assert drawn_from == [cuda_like] and resolved.device.type == "cpu"
    assert torch.equal(
        torch.rand(3, generator=resolved), torch.rand(3, generator=check_generator(11))
    )
    # resamplers still draw on the data's device, so they refuse it for CPU data
    with pytest.raises(InvalidParameterError, match="the torch.Generator is on cuda"):
        check_generator(cuda_like, "cpu", owner="owner")


def test_samplers_refuse_a_generator_off_the_cpu():
    labels = torch.tensor([0, 0, 0, 1])
    with pytest.raises(InvalidParameterError, match="samplers draw indices on the CPU"):
        ClassBalancedSampler(labels, generator=_ReportsCuda())
    with pytest.raises(InvalidParameterError, match="samplers draw indices on the CPU"):
        StreamRebalancer([(0, 0)], label_fn=lambda s: s[1], generator=_ReportsCuda())
