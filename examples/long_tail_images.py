"""Long-tailed image classification: cross-entropy vs LDAM-DRW vs logit adjustment.

With ``--cifar-root`` (a folder holding torchvision's ``cifar-10-batches-py``; needs
torchvision, which this script imports only then) it follows the CIFAR-10-LT protocol of Cui
et al. (2019) and Cao et al. (2019): the first ``n_c = 5000 * (1/ρ)^(c/9)`` training images of
class ``c`` (exponential profile, imbalance ratio ``ρ = --imbalance-ratio``, 100 by default
there), the whole balanced test set. Without it, a small built-in stand-in runs in seconds: the
long-tailed 8x8 handwritten digits (:func:`torchbalance.datasets.load_digits_lt`, ratio 50) as
1x8x8 images.

Every strategy trains the same small CNN (:func:`torchbalance.experiment.small_cnn`; swap in a
ResNet-32 for the paper's numbers) with the same budget and seed, and the script prints
balanced accuracy and the recall of every class on the balanced test set.

Run::

    python examples/long_tail_images.py                        # built-in digits, ~10 s on CPU
    python examples/long_tail_images.py --cifar-root ~/data --epochs 200 --device cuda
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from torchbalance.datasets import load_digits_lt, long_tail_counts
from torchbalance.experiment import cosine_head, small_cnn
from torchbalance.losses import DeferredReweighting, LDAMLoss, LogitAdjustedLoss
from torchbalance.metrics import balanced_accuracy_score, recall_score
from torchbalance.models import TorchClassifier

STRATEGIES = ("ce", "ldam_drw", "logit_adjusted")


class LDAMDRW(nn.Module):
    """LDAM whose class weights follow deferred re-weighting; the trainer calls ``set_epoch``."""

    def __init__(self, class_counts: torch.Tensor, switch_epoch: int) -> None:
        super().__init__()
        self.loss = LDAMLoss(class_counts, max_margin=0.5, scale=30.0)
        self.schedule = DeferredReweighting(class_counts, switch_epoch=switch_epoch, beta=0.9999)

    def set_epoch(self, epoch: int) -> None:
        self.schedule.set_epoch(epoch)
        self.loss.set_weight(self.schedule.weights.to(self.loss.margins.device))

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss(logits, target)


def load_cifar10_lt(root: str, imbalance_ratio: float) -> tuple[torch.Tensor, ...]:
    """CIFAR-10-LT: the first ``n_c`` training images of each class, the full test set."""
    try:
        from torchvision.datasets import CIFAR10
    except ImportError as error:  # pragma: no cover - depends on the user's environment
        raise SystemExit("--cifar-root needs torchvision: pip install torchvision") from error

    def tensors(train: bool) -> tuple[torch.Tensor, torch.Tensor]:
        data = CIFAR10(root, train=train, download=False)
        X = torch.as_tensor(data.data).permute(0, 3, 1, 2).float() / 255.0
        mean = torch.tensor([0.4914, 0.4822, 0.4465]).reshape(1, 3, 1, 1)
        std = torch.tensor([0.2470, 0.2435, 0.2616]).reshape(1, 3, 1, 1)
        return (X - mean) / std, torch.as_tensor(data.targets)

    X_train, y_train = tensors(True)
    X_test, y_test = tensors(False)
    counts = long_tail_counts(5000, 10, imbalance_ratio)
    keep = torch.cat([torch.nonzero(y_train == c).reshape(-1)[:n] for c, n in enumerate(counts)])
    return X_train[keep], y_train[keep], X_test, y_test


def load_digits_images(imbalance_ratio: float) -> tuple[torch.Tensor, ...]:
    """The built-in stand-in: long-tailed digits, each a 1x8x8 image."""
    data = load_digits_lt(imbalance_ratio=imbalance_ratio)
    return (
        data.X_train.reshape(-1, 1, 8, 8),
        data.y_train,
        data.X_test.reshape(-1, 1, 8, 8),
        data.y_test,
    )


def classifier(strategy: str, args: argparse.Namespace) -> TorchClassifier:
    """The same CNN and budget; only the loss (and, for LDAM, the cosine head) changes."""
    switch = max(1, round(0.8 * args.epochs))
    options: dict[str, Any] = {"module_fn": small_cnn}
    if strategy == "ldam_drw":
        options = {
            "module_fn": cosine_head(small_cnn),
            "loss": lambda counts: LDAMDRW(counts, switch),
        }
    elif strategy == "logit_adjusted":
        options["loss"] = lambda counts: LogitAdjustedLoss(counts, tau=1.0)
    return TorchClassifier(
        **options,
        optimizer="sgd",
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        weight_decay=2e-4,
        device=args.device,
        generator=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cifar-root", default=None, help="torchvision CIFAR-10 folder")
    parser.add_argument("--imbalance-ratio", type=float, default=None)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = sorted(set(strategies) - set(STRATEGIES))
    if unknown:
        parser.error(f"unknown strategies {unknown}; choose from {list(STRATEGIES)}")

    if args.cifar_root:
        ratio = args.imbalance_ratio or 100.0
        X_train, y_train, X_test, y_test = load_cifar10_lt(args.cifar_root, ratio)
        name = f"CIFAR-10-LT (ratio {ratio:g})"
    else:
        ratio = args.imbalance_ratio or 50.0
        X_train, y_train, X_test, y_test = load_digits_images(ratio)
        name = f"digits-LT as 1x8x8 images (ratio {ratio:g})"
    print(f"{name}: train counts {torch.bincount(y_train).tolist()}, test {len(y_test)}")

    results: dict[str, dict[str, Any]] = {}
    for strategy in strategies:
        model = classifier(strategy, args).fit(X_train, y_train)
        pred = model.predict(X_test.to(args.device)).cpu()
        recall = recall_score(y_test, pred, average=None, zero_division=0.0)
        results[strategy] = {
            "balanced_accuracy": float(balanced_accuracy_score(y_test, pred)),
            "recall": [float(r) for r in recall],
        }
        recalls = " ".join(f"{r:.2f}" for r in recall.tolist())
        print(f"{strategy:>15}: balanced accuracy {results[strategy]['balanced_accuracy']:.3f}")
        print(f"{'':>15}  recall per class (head -> tail): {recalls}")
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
