from __future__ import annotations

import pytest
import torch

from torchbalance.base import clone
from torchbalance.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
)
from torchbalance.testing import resampler_checks

RESAMPLERS = [
    RandomOverSampler(),
    RandomOverSampler(shrinkage=1.0),
    SMOTE(),
    BorderlineSMOTE(),
    BorderlineSMOTE(kind="borderline-2"),
    SVMSMOTE(),
    KMeansSMOTE(),
    KMeansSMOTE(kmeans_estimator=2),
    ADASYN(),
    SMOTENC(categorical_features=[3]),
    SMOTEN(),
]

CASES = [
    pytest.param(check, id=f"{resampler!r}-{name}")
    for resampler in RESAMPLERS
    for name, check in resampler_checks(resampler)
]


@pytest.mark.parametrize("check", CASES)
def test_conformance(check):
    check()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("resampler", RESAMPLERS, ids=repr)
def test_cpu_and_cuda_give_the_same_counts(resampler):
    g = torch.Generator().manual_seed(0)
    y = torch.tensor([0] * 60 + [1] * 25 + [2] * 12)
    X = torch.randn(len(y), 4, generator=g) + y[:, None]
    if isinstance(resampler, SMOTEN):
        X = X.round()
    _, y_cpu = clone(resampler).set_params(generator=0).fit_resample(X, y)
    X_gpu, y_gpu = clone(resampler).set_params(generator=0).fit_resample(X.cuda(), y.cuda())
    assert X_gpu.is_cuda and y_gpu.is_cuda
    assert torch.bincount(y_cpu).tolist() == torch.bincount(y_gpu.cpu()).tolist()
