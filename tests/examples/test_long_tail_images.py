"""examples/long_tail_images.py on the built-in stand-in (long-tailed digits as 1x8x8 images)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType

import pytest
import torch

from torchbalance.datasets import load_digits_lt, long_tail_counts


def test_digits_stand_in_trains_each_strategy(example: Callable[[str], ModuleType]) -> None:
    module = example("long_tail_images")
    results = module.main(["--epochs", "30"])
    assert set(results) == {"ce", "ldam_drw", "logit_adjusted"}
    for name, row in results.items():
        assert len(row["recall"]) == 10
        # balanced accuracy is the mean recall over the (balanced) test classes
        assert row["balanced_accuracy"] == pytest.approx(sum(row["recall"]) / 10)
        assert row["balanced_accuracy"] > 0.4, name  # chance is 0.1


def test_images_are_the_long_tailed_digits(example: Callable[[str], ModuleType]) -> None:
    X_train, y_train, _, y_test = example("long_tail_images").load_digits_images(50.0)
    data = load_digits_lt()
    assert tuple(X_train.shape[1:]) == (1, 8, 8)
    assert torch.equal(X_train.reshape(len(X_train), -1), data.X_train)
    assert torch.bincount(y_train).tolist() == [150, 97, 62, 40, 26, 17, 11, 7, 4, 3]
    assert torch.equal(y_test, data.y_test)


def test_unknown_strategy_is_refused(example: Callable[[str], ModuleType]) -> None:
    with pytest.raises(SystemExit):
        example("long_tail_images").main(["--strategies", "ce,nope"])


@pytest.mark.skipif(
    importlib.util.find_spec("torchvision") is not None, reason="torchvision is installed"
)
def test_cifar_without_torchvision_says_what_to_install(
    example: Callable[[str], ModuleType],
) -> None:
    with pytest.raises(SystemExit, match="needs torchvision"):
        example("long_tail_images").main(["--cifar-root", "/nonexistent"])


class _FakeCIFAR10:
    """Stand-in for ``torchvision.datasets.CIFAR10``: its attributes (``data`` uint8 NHWC,
    ``targets`` a list), 5000 train / 100 test images per class at 4x4 pixels, pixel value =
    class index (so the kept rows can be traced)."""

    def __init__(self, root: str, train: bool, download: bool) -> None:
        assert not download
        per_class = 5000 if train else 100
        targets = torch.arange(10).repeat(per_class)  # classes interleaved, as in CIFAR
        order = torch.arange(len(targets), dtype=torch.uint8)  # position, to check "first n_c"
        data = torch.zeros(len(targets), 4, 4, 3, dtype=torch.uint8)
        data[..., 0] = targets.to(torch.uint8).reshape(-1, 1, 1)
        data[..., 1] = order.reshape(-1, 1, 1)
        self.data = data.numpy()
        self.targets = targets.tolist()


@pytest.fixture
def fake_torchvision(monkeypatch: pytest.MonkeyPatch) -> None:
    torchvision = ModuleType("torchvision")
    datasets = ModuleType("torchvision.datasets")
    datasets.CIFAR10 = _FakeCIFAR10  # type: ignore[attr-defined]
    torchvision.datasets = datasets  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "torchvision", torchvision)
    monkeypatch.setitem(sys.modules, "torchvision.datasets", datasets)


def test_cifar10_lt_protocol_keeps_the_first_n_c_images_of_each_class(
    example: Callable[[str], ModuleType], fake_torchvision: None
) -> None:
    module = example("long_tail_images")
    X_train, y_train, X_test, y_test = module.load_cifar10_lt("/unused", 100.0)
    expected = long_tail_counts(5000, 10, 100.0)
    assert torch.bincount(y_train).tolist() == list(expected)
    assert expected[0] == 5000 and expected[-1] == 50
    assert tuple(X_train.shape[1:]) == (3, 4, 4) and len(y_test) == 1000 == len(X_test)
    # channel 0 holds the class: undo the normalisation and compare
    mean, std = 0.4914, 0.2470
    assert torch.allclose((X_train[:, 0, 0, 0] * std + mean) * 255, y_train.float(), atol=1e-3)
    # class c's kept images are its first n_c (positions c, c+10, c+20, ... of the train set)
    position = torch.round((X_train[:, 1, 0, 0] * 0.2435 + 0.4822) * 255).long()
    for c, n in enumerate(expected):
        first = (torch.arange(n) * 10 + c) % 256  # the stand-in stores positions mod 256
        assert torch.equal(position[y_train == c], first), c


def test_cifar_path_trains_on_the_stand_in(
    example: Callable[[str], ModuleType], fake_torchvision: None
) -> None:
    results = example("long_tail_images").main(
        ["--cifar-root", "/unused", "--epochs", "1", "--strategies", "ce", "--batch-size", "256"]
    )
    assert set(results) == {"ce"} and len(results["ce"]["recall"]) == 10
