"""Multi-label data with rare labels: stratified folds, label-balanced sampling, asymmetric loss.

- :class:`~torchbalance.model_selection.MultilabelStratifiedKFold` keeps every label's share
  in every fold (iterative stratification), so the rare labels are in each test fold;
- :class:`~torchbalance.samplers.MultilabelBalancedSampler` draws a label first, then a sample
  that has it, so the rare labels are seen as often as the common ones;
- :class:`~torchbalance.losses.AsymmetricLoss` down-weights the many easy negatives;
- per-label F1 and average precision (:mod:`torchbalance.metrics`, multi-label indicator
  input) against plain BCE with shuffling.

Run::

    python examples/multilabel.py                 # synthetic data, 8 labels, 2% to 40% positive
    python examples/multilabel.py --folds 5 --epochs 40
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from torchbalance.losses import AsymmetricLoss
from torchbalance.metrics import average_precision_score, f1_score
from torchbalance.model_selection import MultilabelStratifiedKFold
from torchbalance.models import mlp
from torchbalance.samplers import MultilabelBalancedSampler

RATES = (0.40, 0.25, 0.15, 0.10, 0.06, 0.04, 0.03, 0.02)


def make_multilabel(
    n_samples: int = 1500, n_features: int = 20, rates: Sequence[float] = RATES, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Synthetic multi-label data: label ``j`` is on where a noisy linear score of ``X`` is in
    its top ``rates[j]`` share. Returns float32 ``X (n, d)`` and a 0/1 int64 ``Y (n, L)``."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n_samples, n_features, generator=g)
    W = torch.randn(n_features, len(rates), generator=g)
    scores = X @ W + 0.5 * torch.randn(n_samples, len(rates), generator=g)
    cut = torch.stack(
        [torch.quantile(scores[:, j], 1 - r) for j, r in enumerate(rates)]
    )  # per-label threshold giving the wanted share of positives
    return X, (scores > cut).long()


def train(X: torch.Tensor, Y: torch.Tensor, recipe: str, epochs: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    model = mlp((X.shape[1],), Y.shape[1], (64,))
    dataset = TensorDataset(X, Y.float())
    if recipe == "asl_balanced":
        sampler = MultilabelBalancedSampler(Y, power=0.5, generator=seed)
        loader = DataLoader(dataset, batch_size=64, sampler=sampler)
        criterion: nn.Module = AsymmetricLoss(gamma_pos=0.0, gamma_neg=4.0, clip=0.05)
    else:
        order = torch.Generator().manual_seed(seed)
        loader = DataLoader(dataset, batch_size=64, shuffle=True, generator=order)
        criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for epoch in range(epochs):
        if hasattr(loader.sampler, "set_epoch"):
            loader.sampler.set_epoch(epoch)
        for x, y in loader:
            optimizer.zero_grad()
            criterion(model(x), y).backward()
            optimizer.step()
    return model.eval()


def main(argv: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=1500)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, Y = make_multilabel(args.n_samples, seed=args.seed)
    print(f"{len(X)} samples, positives per label: {Y.sum(0).tolist()}")
    cv = MultilabelStratifiedKFold(n_splits=args.folds, generator=args.seed)
    results: dict[str, dict[str, Any]] = {}
    for recipe in ("bce_shuffle", "asl_balanced"):
        f1s, aps = [], []
        for fold, (train_idx, test_idx) in enumerate(cv.split(X, Y)):
            model = train(X[train_idx], Y[train_idx], recipe, args.epochs, args.seed + fold)
            with torch.no_grad():
                scores = torch.sigmoid(model(X[test_idx]))
            y_test = Y[test_idx]
            f1s.append(
                torch.as_tensor(
                    f1_score(y_test, (scores >= 0.5).long(), average=None, zero_division=0.0)
                )
            )
            aps.append(torch.as_tensor(average_precision_score(y_test, scores, average=None)))
        f1, ap = torch.stack(f1s).mean(0), torch.stack(aps).mean(0)
        results[recipe] = {
            "f1": f1.tolist(),
            "average_precision": ap.tolist(),
            "macro_f1": float(f1.mean()),
            "macro_average_precision": float(ap.mean()),
        }
        print(
            f"{recipe:>13}: macro F1 {f1.mean():.3f}  macro AP {ap.mean():.3f}\n"
            f"{'':>13}  F1 per label (common -> rare): " + " ".join(f"{v:.2f}" for v in f1.tolist())
        )
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
