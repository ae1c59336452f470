from __future__ import annotations

import pytest
import torch

from _sampler_helpers import assert_distribution
from torchbalance.exceptions import InvalidParameterError
from torchbalance.samplers import DeferredPower, ProgressivePower, ScheduledSampler

LABELS = torch.tensor([0] * 800 + [1] * 200)


def test_progressive_moves_from_instance_to_class_balanced():
    sampler = ScheduledSampler(
        LABELS, schedule=ProgressivePower(num_epochs=2), num_samples=20_000, generator=0
    )
    for epoch, minority in [(0, 0.2), (1, 1 / 3), (2, 0.5), (5, 0.5)]:
        sampler.set_epoch(epoch)
        p = sampler.class_probabilities_at(epoch)
        assert abs(float(p[1]) - minority) < 1e-12
        assert_distribution(LABELS[torch.tensor(list(sampler))], p)


def test_deferred_switch_and_resume():
    schedule = DeferredPower(switch_epoch=3)
    sampler = ScheduledSampler(LABELS, schedule=schedule, generator=4)
    sampler.set_epoch(3)
    it = iter(sampler)
    [next(it) for _ in range(100)]
    state = sampler.state_dict()
    rest = list(it)
    resumed = ScheduledSampler(LABELS, schedule=schedule, generator=4)
    resumed.load_state_dict(state)
    assert list(resumed) == rest
    assert abs(float((LABELS[torch.tensor(rest)] == 1).float().mean()) - 0.5) < 0.1


def test_bad_schedules():
    with pytest.raises(InvalidParameterError, match="schedule=3"):
        ScheduledSampler(LABELS, schedule=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="num_epochs=0"):
        ProgressivePower(num_epochs=0)
    sampler = ScheduledSampler(LABELS, schedule=lambda epoch: float("nan"))
    with pytest.raises(InvalidParameterError, match=r"schedule\(0\) returned nan"):
        iter(sampler)


def test_power_and_probabilities_follow_the_schedule():
    from torchbalance.samplers import DeferredPower, ScheduledSampler

    labels = torch.tensor([0] * 90 + [1] * 10)
    sampler = ScheduledSampler(labels, schedule=DeferredPower(switch_epoch=1), generator=0)
    # epoch 0 draws by the data's own frequencies (power 1), as the next pass will
    assert sampler.power == 1.0
    torch.testing.assert_close(sampler.class_probabilities_, sampler.class_probabilities_at(0))
    drawn = torch.bincount(labels[sampler.epoch_indices()], minlength=2)
    assert drawn[0] > drawn[1]
    sampler.set_epoch(1)
    assert sampler.power == 0.0
    torch.testing.assert_close(
        sampler.class_probabilities_, torch.tensor([0.5, 0.5], dtype=torch.float64)
    )
