"""Logit adjustment beats plain cross-entropy on long-tailed digits (same model, same budget).

Measured while writing this test (linear model, Adam lr 0.05, 150 full-batch epochs): over 5
splits x 3 initialisations the balanced accuracy gain of LogitAdjustedLoss over
cross-entropy was +0.025 to +0.082 (mean +0.050), never negative; on the default split
(seed 0) +0.071 to +0.082. The assertion asks for a mean gain of 0.04 on the default split.
"""

from __future__ import annotations

import pytest
import torch
from sklearn.metrics import balanced_accuracy_score

from torchbalance.datasets import load_digits_lt
from torchbalance.functional import logit_adjust
from torchbalance.losses import LogitAdjustedLoss

EPOCHS = 150


@pytest.fixture(autouse=True)
def one_thread():
    # A 64x10 model: threads only add synchronisation (8 s instead of 0.15 s per run on a
    # busy 2-core machine).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _train(criterion: torch.nn.Module, seed: int, data) -> torch.nn.Module:  # type: ignore[no-untyped-def]
    torch.manual_seed(seed)
    model = torch.nn.Linear(64, 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(EPOCHS):
        optimizer.zero_grad()
        criterion(model(data.X_train), data.y_train).backward()
        optimizer.step()
    return model


def _balanced_accuracy(scores: torch.Tensor, data) -> float:  # type: ignore[no-untyped-def]
    return float(balanced_accuracy_score(data.y_test.numpy(), scores.argmax(1).numpy()))


def test_logit_adjusted_training_beats_cross_entropy():
    data = load_digits_lt()  # counts [150, 97, 62, 40, 26, 17, 11, 7, 4, 3]; balanced test
    counts = torch.bincount(data.y_train)
    gains, post_hoc_gains = [], []
    for seed in range(3):
        plain = _train(torch.nn.CrossEntropyLoss(), seed, data)
        adjusted = _train(LogitAdjustedLoss(counts), seed, data)
        with torch.no_grad():
            ce = _balanced_accuracy(plain(data.X_test), data)
            la = _balanced_accuracy(adjusted(data.X_test), data)
            post_hoc = _balanced_accuracy(
                logit_adjust(plain(data.X_test), counts / counts.sum()), data
            )
        assert la > ce, (seed, ce, la)
        gains.append(la - ce)
        post_hoc_gains.append(post_hoc - ce)
    assert sum(gains) / len(gains) >= 0.04, gains
    assert sum(post_hoc_gains) / len(post_hoc_gains) > 0, post_hoc_gains
