import math

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from torchbalance.augment import ClassConditionalAugment, ClassConditionalDataset
from torchbalance.exceptions import InvalidParameterError


def _within_binomial(hits: int, n: int, p: float, z: float = 5.0) -> bool:
    return abs(hits - n * p) <= z * math.sqrt(n * p * (1 - p)) + 1e-9


def test_power_formula():
    aug = ClassConditionalAugment(lambda x: x, power=0.5, class_counts=[100, 25, 4, 0])
    expected = [(4 / 100) ** 0.5, (4 / 25) ** 0.5, 1.0, 1.0]
    assert torch.allclose(aug.probs, torch.tensor(expected, dtype=torch.float64))


def test_counts_from_labels_match_counts():
    y = torch.tensor([0] * 9 + [1] * 3)
    a = ClassConditionalAugment(lambda x: x, power=1.0, labels=y)
    b = ClassConditionalAugment(lambda x: x, power=1.0, labels=TensorDataset(torch.zeros(12), y))
    assert a.probs.tolist() == b.probs.tolist() == [1 / 3, 1.0]


def test_batch_rate_per_class_matches_request():
    probs = [0.1, 0.5, 0.9]
    aug = ClassConditionalAugment(lambda x: x + 1, class_probs=probs, generator=0)
    n = 4000
    y = torch.arange(3).repeat(n)
    x_out, y_out = aug(torch.zeros(3 * n, 2), y)
    assert torch.equal(y_out, y)
    changed = x_out[:, 0] == 1
    assert bool((x_out[:, 0] == x_out[:, 1]).all())
    for c, p in enumerate(probs):
        assert _within_binomial(int(changed[y == c].sum()), n, p)


def test_dataset_rate_and_reproducibility_across_workers():
    n_per = 1500
    y = torch.tensor([0, 1]).repeat(n_per)
    data = TensorDataset(torch.zeros(2 * n_per, 1), y)
    aug = ClassConditionalAugment(
        lambda x: x + torch.rand(1) + 1, power=1.0, class_counts=[4, 1], generator=3
    )
    wrapped = ClassConditionalDataset(data, aug)
    first = torch.cat([x for x, _ in DataLoader(wrapped, batch_size=100)])
    again = torch.cat([x for x, _ in DataLoader(wrapped, batch_size=100)])
    assert torch.equal(first, again)  # same (seed, epoch, index): same draws, transform too
    changed = first.reshape(-1) > 0
    assert _within_binomial(int(changed[y == 0].sum()), n_per, 0.25)
    assert bool(changed[y == 1].all())
    wrapped.set_epoch(1)
    other = torch.stack([wrapped[i][0] for i in range(len(wrapped))])
    assert not torch.equal(first, other)
    wrapped.set_epoch(0)
    by_index = torch.stack([wrapped[i][0] for i in reversed(range(len(wrapped)))]).flip(0)
    assert torch.equal(first, by_index)  # order-independent


def test_batch_reproducible_with_int_seed():
    def make():
        return ClassConditionalAugment(lambda x: -x, class_probs=[0.5, 0.5], generator=11)

    x, y = torch.randn(50, 3), torch.randint(0, 2, (50,))
    a, b = make(), make()
    assert torch.equal(a(x, y)[0], b(x, y)[0])
    assert torch.equal(a(x, y)[0], b(x, y)[0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "give exactly one"),
        ({"class_probs": [0.5], "power": 1.0}, "give exactly one"),
        ({"power": -1.0, "class_counts": [1]}, r"power=-1.0 is invalid; it must be"),
        ({"power": 1.0}, "needs the class counts"),
        ({"class_probs": [1.5]}, r"class_probs=\[1.5\] is invalid"),
        ({"power": 1.0, "class_counts": [1, -2]}, "class_counts"),
        ({"class_probs": [0.5], "generator": "x"}, "generator='x' is invalid; it must be"),
    ],
)
def test_bad_params_refused(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ClassConditionalAugment(lambda x: x, **kwargs)


def test_bad_transform_and_labels_refused():
    with pytest.raises(
        InvalidParameterError, match="transform=3 is invalid; it must be a callable"
    ):
        ClassConditionalAugment(3, class_probs=[0.5])  # type: ignore[arg-type]
    aug = ClassConditionalAugment(lambda x: x, class_probs=[0.5, 0.5])
    with pytest.raises(InvalidParameterError, match=r"labels must lie in \[0, 2\)"):
        aug(torch.zeros(2, 1), torch.tensor([0, 2]))
    with pytest.raises(InvalidParameterError, match="augment=1 is invalid"):
        ClassConditionalDataset([], 1)  # type: ignore[arg-type]


def test_a_numpy_integer_seed_draws_like_the_int():
    import numpy as np

    data = TensorDataset(torch.randn(100, 4), torch.tensor([0] * 90 + [1] * 10))

    def draw(seed):
        augment = ClassConditionalAugment(
            lambda x: x + torch.randn_like(x), power=0.0, labels=data, generator=seed
        )
        wrapped = augment.wrap(data)
        return torch.stack([wrapped[i][0] for i in range(8)])

    assert torch.equal(draw(np.int64(3)), draw(3))


def test_the_batch_labels_come_back_as_given():
    import numpy as np

    augment = ClassConditionalAugment(
        lambda x: x + 1.0, power=0.0, class_counts=[8, 2], generator=0
    )
    x = torch.zeros(10, 3)
    for y in (torch.tensor([0] * 8 + [1] * 2, dtype=torch.int32), np.array([0] * 8 + [1] * 2)):
        _, y_out = augment(x, y)
        assert y_out is y


def test_a_transform_that_changes_the_dtype_is_refused_in_the_batch_face():
    # assigned into a uint8 batch, 0..1 floats would become 0 and 1
    x = torch.tensor([[[10, 200], [128, 255]]], dtype=torch.uint8).repeat(2, 1, 1)
    augment = ClassConditionalAugment(
        lambda v: v.float() / 255, class_probs=[0.0, 1.0], generator=0
    )
    with pytest.raises(
        InvalidParameterError, match="transform returned torch.float32 for a torch.uint8"
    ):
        augment(x, torch.tensor([0, 1]))


def test_seeds_and_epochs_give_distinct_streams():
    from torch.utils.data import TensorDataset

    data = TensorDataset(torch.zeros(50, 4), torch.tensor([0] * 25 + [1] * 25))

    def draws(seed, epoch):
        augment = ClassConditionalAugment(
            lambda x: x + torch.randn_like(x), class_probs=[0.5, 0.5], generator=seed
        )
        dataset = augment.wrap(data)
        dataset.set_epoch(epoch)
        return torch.stack([dataset[i][0] for i in range(50)])

    streams = [draws(s, e) for s in range(3) for e in range(3)]
    assert all(
        not torch.equal(a, b) for i, a in enumerate(streams) for b in streams[i + 1 :]
    )  # seed 0 / epoch 1 and seed 1 / epoch 0 collided before


def test_an_in_place_transform_leaves_the_input_batch_alone():
    augment = ClassConditionalAugment(lambda s: s.add_(1.0), class_probs=[1.0, 1.0], generator=0)
    x = torch.zeros(4, 2)
    out, _ = augment(x, torch.tensor([0, 1, 0, 1]))
    assert torch.equal(x, torch.zeros(4, 2))
    assert torch.equal(out, torch.ones(4, 2))


@pytest.mark.parametrize("source", [{"class_counts": [3, 1]}, {"labels": [0, 0, 0, 1]}])
def test_counts_beside_class_probs_are_refused(source):
    with pytest.raises(InvalidParameterError, match="only with power"):
        ClassConditionalAugment(lambda s: s, class_probs=[0.0, 1.0], **source)


def test_a_transform_returning_a_view_is_assigned():
    # given a view into the output, a transposing transform made torch refuse the assignment
    augment = ClassConditionalAugment(lambda s: s.T, class_probs=[1.0], generator=0)
    x = torch.arange(8.0).reshape(2, 2, 2)
    out, _ = augment(x, torch.tensor([0, 0]))
    assert torch.equal(out, x.transpose(1, 2))
