"""examples/long_tail_images.py on the built-in stand-in (long-tailed digits as 1x8x8 images)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from types import ModuleType

import pytest
import torch

from torchbalance.datasets import load_digits_lt


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
