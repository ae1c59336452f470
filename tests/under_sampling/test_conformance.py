from __future__ import annotations

import pytest

from torchbalance.testing import resampler_checks
from torchbalance.under_sampling import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    InstanceHardnessThreshold,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)

RESAMPLERS = [
    RandomUnderSampler(),
    RandomUnderSampler(replacement=True, sampling_strategy="majority"),
    NearMiss(),
    NearMiss(version=2),
    NearMiss(version=3, n_neighbors_ver3=6),
    ClusterCentroids(),
    ClusterCentroids(voting="hard", estimator="minibatch"),
    TomekLinks(),
    EditedNearestNeighbours(),
    EditedNearestNeighbours(kind_sel="mode", sampling_strategy="all"),
    RepeatedEditedNearestNeighbours(),
    AllKNN(),
    CondensedNearestNeighbour(),
    OneSidedSelection(),
    NeighbourhoodCleaningRule(),
]

CASES = [
    pytest.param(check, id=f"{resampler!r}-{name}")
    for resampler in RESAMPLERS
    for name, check in resampler_checks(resampler)
]


@pytest.mark.parametrize("check", CASES)
def test_conformance(check):
    check()


def _iht_cases():
    from sklearn.linear_model import LogisticRegression

    # the default (torch) estimator: the configuration contract only (its training is slow
    # next to the others; it is exercised in test_properties)
    cases = [
        pytest.param(c, id="IHT-default-params")
        for n, c in resampler_checks(InstanceHardnessThreshold())
        if n == "params"
    ]
    # a scikit-learn estimator for the data checks ("params" compares parameters by value,
    # which a scikit-learn estimator does not support)
    iht = InstanceHardnessThreshold(estimator=LogisticRegression(), cv=3)
    cases += [
        pytest.param(c, id=f"IHT-logreg-{n}") for n, c in resampler_checks(iht) if n != "params"
    ]
    return cases


@pytest.mark.parametrize("check", _iht_cases())
def test_instance_hardness_conformance(check):
    check()
