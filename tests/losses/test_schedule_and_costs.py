from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from torchbalance import losses as L
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.weights import class_weights

COUNTS = [5000, 500, 50, 5]


def _cao_drw_weights(counts: list[int], epoch: int, switch: int) -> np.ndarray:
    # Cao et al.'s train.py, DRW branch, transcribed.
    idx = epoch // switch
    betas = [0, 0.9999]
    effective_num = 1.0 - np.power(betas[min(idx, 1)], counts)
    per_cls_weights = (1.0 - betas[min(idx, 1)]) / np.array(effective_num)
    return per_cls_weights / np.sum(per_cls_weights) * len(counts)


@pytest.mark.parametrize("epoch", [0, 159, 160, 199])
def test_deferred_reweighting_matches_cao_et_al(epoch):
    drw = L.DeferredReweighting(COUNTS, switch_epoch=160)
    np.testing.assert_allclose(
        drw.weights_at(epoch).double().numpy(), _cao_drw_weights(COUNTS, epoch, 160), rtol=1e-6
    )


def test_deferred_reweighting_uses_class_weights():
    drw = L.DeferredReweighting(COUNTS, switch_epoch=0, beta=0.99)
    expected = class_weights(
        COUNTS, "effective_number", from_counts=True, beta=0.99, normalize="mean"
    )
    torch.testing.assert_close(drw.weights, expected)


def test_schedule_state_round_trip_and_steps():
    labels = torch.repeat_interleave(torch.arange(4), torch.tensor(COUNTS))
    drw = L.DeferredReweighting(labels=labels, switch_epoch=3)
    seen = [drw.weights.tolist()] + [drw.step().tolist() for _ in range(4)]
    assert seen[0] == seen[2] == [1.0] * 4
    assert seen[3] == seen[4] != seen[0]
    state = drw.state_dict()
    resumed = L.DeferredReweighting(COUNTS, switch_epoch=3)
    resumed.load_state_dict(state)
    assert resumed.epoch == 4 and torch.equal(resumed.weights, drw.weights)
    with pytest.raises(InvalidParameterError, match="no 'epoch'"):
        resumed.load_state_dict({})


def test_weight_schedule_generic_forms():
    milestones = L.WeightSchedule({0: [1.0, 1.0], 5: [1.0, 3.0], 10: [1.0, 9.0]})
    assert [milestones(e).tolist()[1] for e in (0, 4, 5, 9, 10, 50)] == [1, 1, 3, 3, 9, 9]
    state = milestones.state_dict()
    other = L.WeightSchedule({0: [2.0, 2.0]})
    other.load_state_dict(state)
    assert other(7).tolist() == [1.0, 3.0]
    linear = L.WeightSchedule(lambda e: [1.0, 1.0 + e], num_classes=2)
    linear.set_epoch(3)
    assert linear.weights.tolist() == [1.0, 4.0]
    assert linear.state_dict() == {"epoch": 3}
    with pytest.raises(InvalidParameterError, match="do not include epoch 0"):
        L.WeightSchedule({3: [1.0]})
    with pytest.raises(DataValidationError, match="different lengths"):
        L.WeightSchedule({0: [1.0], 2: [1.0, 2.0]})
    with pytest.raises(DataValidationError, match=r"schedule\(0\) has 3 entries"):
        L.WeightSchedule(lambda e: [1.0, 1.0, 1.0], num_classes=2)(0)
    with pytest.raises(InvalidParameterError, match="must be a dict"):
        L.WeightSchedule(3)  # type: ignore[arg-type]


def test_drw_with_ldam_and_cross_entropy():
    drw = L.DeferredReweighting(COUNTS, switch_epoch=1)
    criterion = L.LDAMLoss(COUNTS)
    logits = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 1, 2, 3, 0, 0, 1, 3])
    criterion.set_weight(drw.weights)
    plain = criterion(logits, target)
    criterion.set_weight(drw.step())
    assert not torch.isclose(criterion(logits, target), plain)
    F.cross_entropy(logits, target, weight=drw.weights)  # also usable directly


def test_cost_matrix_from_counts_schemes():
    ratio = L.cost_matrix_from_counts([100, 10, 1])
    assert ratio.tolist() == [[0, 1, 1], [10, 0, 1], [100, 10, 0]]
    balanced = L.cost_matrix_from_counts([100, 10, 1], scheme="inverse")
    w = class_weights([100, 10, 1], "inverse", from_counts=True, normalize="mean")
    expected = w.unsqueeze(1).expand(3, 3).clone().fill_diagonal_(0)
    torch.testing.assert_close(balanced, expected)
    labels = torch.tensor([0] * 100 + [1] * 10 + [2])
    torch.testing.assert_close(L.cost_matrix_from_counts(labels=labels), ratio)
    with pytest.raises(InvalidParameterError, match="scheme='bogus'"):
        L.cost_matrix_from_counts([1, 2], scheme="bogus")


def test_cost_matrix_from_table():
    from_dict = L.cost_matrix_from_table({(0, 1): 4.0, (1, 1): 0.5}, num_classes=2, default=2.0)
    assert from_dict.tolist() == [[0.0, 4.0], [2.0, 0.5]]
    nested = L.cost_matrix_from_table([[0, 1], [3, 0]])
    assert nested.tolist() == [[0.0, 1.0], [3.0, 0.0]]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[3.0, 0.0], [1.0, 0.0]], index=[1, 0], columns=[0, 1])
    assert L.cost_matrix_from_table(frame).tolist() == [[1.0, 0.0], [3.0, 0.0]]
    with pytest.raises(InvalidParameterError, match="num_classes=None"):
        L.cost_matrix_from_table({(0, 1): 1.0})
    with pytest.raises(DataValidationError, match=r"key \(0, 5\)"):
        L.cost_matrix_from_table({(0, 5): 1.0}, num_classes=2)
    with pytest.raises(DataValidationError, match="0..1"):
        L.cost_matrix_from_table(pd.DataFrame([[0, 1], [1, 0]], index=[0, 2], columns=[0, 1]))
    with pytest.raises(DataValidationError, match="num_classes=3"):
        L.cost_matrix_from_table([[0, 1], [1, 0]], num_classes=3)


def test_cost_sensitive_loss_prefers_cheap_mistakes():
    cost = L.cost_matrix_from_counts([100, 1])
    criterion = L.CostSensitiveLoss(cost)
    target = torch.tensor([1])
    confident_wrong = criterion(torch.tensor([[5.0, 0.0]]), target)
    right = criterion(torch.tensor([[0.0, 5.0]]), target)
    assert confident_wrong > 90 * right
