"""What every strategy of a comparison shares: the model, the training budget, the data shape."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from ..exceptions import InvalidParameterError
from ..models import TorchClassifier, mlp

__all__ = ["MODELS", "Setting", "cosine_head", "small_cnn"]

ModuleFn = Callable[[tuple[int, ...], int], nn.Module]


class _CosineLinear(nn.Module):
    """Logits ``scale · cos(feature, class weight)``: bounded, as LDAM expects."""

    def __init__(self, in_features: int, num_classes: int, scale: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_classes, in_features).uniform_(-1, 1))
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cosine = nn.functional.normalize(x, dim=1) @ nn.functional.normalize(self.weight, dim=1).T
        return self.scale * cosine


def cosine_head(module_fn: ModuleFn, scale: float = 1.0) -> ModuleFn:
    """``module_fn`` with its last ``nn.Linear`` replaced by a cosine classifier times ``scale``.

    Cao et al.'s LDAM uses ``s · cos`` logits with ``s = 30``; putting ``s`` in the head (and
    the margin times ``s`` in the loss) trains the same thing and keeps the model's predicted
    probabilities those of the scaled logits.

    Example:
        >>> net = cosine_head(lambda shape, c: mlp(shape, c, (8,)), scale=2.0)((4,), 3)
        >>> bool(net(torch.randn(5, 4)).abs().max() <= 2.0 + 1e-6)
        True
    """

    def build(shape: tuple[int, ...], num_classes: int) -> nn.Module:
        net = module_fn(shape, num_classes)
        if not isinstance(net, nn.Sequential) or not isinstance(net[-1], nn.Linear):
            raise InvalidParameterError(
                "cosine_head: the model must be an nn.Sequential ending in nn.Linear."
            )
        net[-1] = _CosineLinear(net[-1].in_features, num_classes, scale)
        return net

    return build


def small_cnn(shape: tuple[int, ...], num_classes: int) -> nn.Module:
    """Two 3×3 convolutions with ReLU and pooling, then a linear layer: for ``(C, H, W)`` (or
    ``(H, W)``) images of a few dozen pixels a side.

    Example:
        >>> small_cnn((1, 8, 8), 10)(torch.zeros(2, 1, 8, 8)).shape
        torch.Size([2, 10])
    """
    if len(shape) not in (2, 3):
        raise InvalidParameterError(
            f"small_cnn: samples of shape {shape} are not images; model='cnn' needs "
            "(channels, height, width) or (height, width) samples."
        )
    channels = 1 if len(shape) == 2 else shape[0]
    layers: list[nn.Module] = [nn.Unflatten(1, (1, *shape))] if len(shape) == 2 else []
    layers += [
        nn.Conv2d(channels, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4, num_classes),
    ]
    return nn.Sequential(*layers)


MODELS: dict[str, ModuleFn] = {
    "mlp": lambda shape, c: mlp(shape, c, (128, 64)),
    "linear": lambda shape, c: mlp(shape, c, ()),
    "cnn": small_cnn,
}
"""The built-in models by name: an MLP for tabular data, a linear model, a small CNN."""


@dataclass(frozen=True)
class Setting:
    """The shared part of every strategy in one comparison.

    Attributes:
        input_shape: Shape of one sample.
        class_counts: Samples per class available for training (classes sorted).
        min_train_count: Samples of the rarest class in one training fold (k-NN methods size
            their neighbourhoods from it).
        model: ``"mlp"``, ``"linear"``, ``"cnn"`` or ``module_fn(input_shape, num_classes)``.
        epochs: Training epochs of every neural strategy.
        batch_size: Mini-batch size.
        lr: Learning rate (AdamW).
        device: Where the networks train.
        categorical_features: Indices of feature columns that code categories (one-hot
            indicators, integer codes): strategies that make new samples between or around the
            originals are left out, as they would invent categories.
        extra: Free-form options for user strategies.
    """

    input_shape: tuple[int, ...]
    class_counts: tuple[int, ...]
    min_train_count: int
    model: str | ModuleFn = "mlp"
    epochs: int = 30
    batch_size: int = 64
    lr: float = 3e-3
    device: str = "cpu"
    categorical_features: tuple[int, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_counts)

    @property
    def tabular(self) -> bool:
        """Whether samples are flat feature vectors (the SMOTE family and trees apply)."""
        return len(self.input_shape) == 1

    @property
    def n_features(self) -> int:
        return math.prod(self.input_shape)

    def module_fn(self) -> ModuleFn:
        if callable(self.model):
            return self.model
        if self.model not in MODELS:
            raise InvalidParameterError(
                f"compare: model={self.model!r} is invalid; it must be one of {sorted(MODELS)} "
                "or a callable module_fn(input_shape, num_classes)."
            )
        return MODELS[self.model]

    def classifier(self, **overrides: Any) -> TorchClassifier:
        """The common network and budget, with a strategy's changes (loss, sampler, ...)."""
        params: dict[str, Any] = {
            "module_fn": self.module_fn(),
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "device": self.device,
            "standardize": self.tabular,
        }
        params.update(overrides)
        return TorchClassifier(**params)

    def with_options(self, **changes: Any) -> Setting:
        return replace(self, **changes)
