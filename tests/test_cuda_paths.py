"""Paths that mix the CPU and CUDA: what a static review found would break on a GPU.

These run only where CUDA is available (the GPU check, `benchmarks/gpu_check.sh`); the parts
of each fix that can be checked on the CPU are tested next to the code they change.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.datasets import make_classification
from torchbalance.ensemble import BalancedBaggingClassifier, EasyEnsembleClassifier
from torchbalance.exceptions import InvalidParameterError
from torchbalance.functional import kmeans
from torchbalance.functional._nearmiss import smallest_neighbour_distance_sums
from torchbalance.metrics import (
    ImbalanceMetrics,
    brier_score_loss,
    expected_calibration_error,
    roc_auc_score,
)
from torchbalance.model_selection import (
    PriorCorrectedClassifier,
    StratifiedKFold,
    correct_priors,
    cross_validate,
)
from torchbalance.models import TorchClassifier
from torchbalance.samplers import ClassBalancedSampler
from torchbalance.under_sampling import RandomUnderSampler

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
CUDA = torch.device("cuda")


def _data(n_classes: int = 2):
    weights = [0.85, 0.15] if n_classes == 2 else [0.6, 0.3, 0.1]
    X, y = make_classification(
        300, n_features=5, n_informative=3, weights=weights, n_classes=n_classes, generator=0
    )
    return X.to(CUDA), y.to(CUDA)


@pytest.mark.parametrize("ensemble", [EasyEnsembleClassifier, BalancedBaggingClassifier])
def test_ensembles_fit_and_predict_on_cuda(ensemble):
    X, y = _data()
    model = ensemble(TorchClassifier(epochs=2), n_estimators=2, generator=0).fit(X, y)
    assert model.predict(X).device.type == "cuda"


def test_bagging_with_a_callable_strategy_on_cuda():
    X, y = _data()
    seen = []

    def strategy(labels):
        seen.append(labels)
        return {0: 60}

    resampler = RandomUnderSampler(sampling_strategy=strategy)
    BalancedBaggingClassifier(
        TorchClassifier(epochs=1), n_estimators=2, resampler=resampler, generator=0
    ).fit(X, y)
    assert seen


def test_streaming_brier_and_ece_on_cuda():
    _, y = _data()
    probs = torch.rand(y.numel(), device=CUDA, dtype=torch.float64)
    metric = ImbalanceMetrics(2, metrics=["brier", "ece"])
    metric.update(probs, y)
    result = metric.compute()
    assert result["brier"] == pytest.approx(brier_score_loss(y.cpu(), probs.cpu()))


def test_prior_correction_of_multiclass_cuda_probabilities():
    X, y = _data(3)
    probs = torch.softmax(torch.randn(len(y), 3, device=CUDA), 1)
    corrected = correct_priors(probs, [0.6, 0.3, 0.1], [1 / 3, 1 / 3, 1 / 3])
    assert corrected.device.type == "cuda"
    model = PriorCorrectedClassifier(TorchClassifier(epochs=1, generator=0)).fit(X, y)
    assert model.predict(X).device.type == "cuda"


def test_labels_given_as_cuda_tensors():
    _, y = _data(3)
    probs = torch.softmax(torch.randn(len(y), 3, device=CUDA, dtype=torch.float64), 1)
    labels = torch.arange(3, device=CUDA)
    roc_auc_score(y, probs, multi_class="ovr", labels=labels)
    brier_score_loss(y, probs, labels=labels)


def test_cross_validate_with_numpy_features_and_cuda_labels():
    X, y = _data()
    result = cross_validate(TorchClassifier(epochs=1), X.cpu().numpy(), y, cv=2, generator=0)
    assert result is not None


def test_a_cuda_generator_seeds_cpu_draws():
    X, y = _data()
    g = torch.Generator(device=CUDA).manual_seed(0)
    TorchClassifier(epochs=1, generator=g).fit(X, y)
    kmeans(X, 3, generator=g)
    assert len(list(StratifiedKFold(3, shuffle=True, generator=g).split(X, y))) == 3
    with pytest.raises(InvalidParameterError, match="samplers draw indices on the CPU"):
        ClassBalancedSampler(y, generator=g)


def test_deterministic_mode_on_cuda():
    _, y = _data()
    probs = torch.rand(y.numel(), device=CUDA, dtype=torch.float64)
    query = torch.randn(500, 4, device=CUDA)
    ref = torch.randn(50, 4, device=CUDA)
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=False)
    try:
        expected_calibration_error(y, probs)
        kept = smallest_neighbour_distance_sums(query, ref, 3, 20)
    finally:
        torch.use_deterministic_algorithms(before)
    assert np.unique(kept.cpu().numpy()).size == 20
