"""Bad input: too many neighbours, emptied classes, NaN, bad parameters."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import DataValidationError, InvalidParameterError, TorchBalanceWarning
from torchbalance.under_sampling import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)


def _small():
    X = torch.arange(16.0).reshape(8, 2)
    y = torch.tensor([0, 0, 0, 0, 0, 1, 1, 1])
    return X, y


@pytest.mark.parametrize(
    ("resampler", "message"),
    [
        (NearMiss(n_neighbors=4), "n_neighbors=4 needs at least 4 samples in the minority class 1"),
        (
            NearMiss(version=3, n_neighbors_ver3=6),
            "n_neighbors_ver3=6 needs at least 6 samples in class 0",
        ),
        (EditedNearestNeighbours(n_neighbors=8), "n_neighbors=8 needs at least 9 samples"),
        (NeighbourhoodCleaningRule(n_neighbors=8), "n_neighbors=8 needs at least 9 samples"),
        (CondensedNearestNeighbour(n_neighbors=5), "n_neighbors=5 needs at least 5 samples"),
    ],
)
def test_too_many_neighbours_is_refused_with_the_fix(resampler, message):
    X, y = _small()
    with pytest.raises(DataValidationError, match=message) as info:
        resampler.fit_resample(X, y)
    assert "Lower" in str(info.value)


def test_emptying_a_class_warns():
    # every sample of class 0 sits next to class 1 samples: ENN("all") removes all of them
    X = torch.tensor([[0.0], [10.0], [20.0], [0.1], [10.1], [20.1], [0.2], [10.2], [20.2]])
    y = torch.tensor([0, 0, 0, 1, 1, 1, 1, 1, 1])
    with pytest.warns(TorchBalanceWarning, match=r"removed every sample of class\(es\) \[0"):
        EditedNearestNeighbours(sampling_strategy="all", n_neighbors=2).fit_resample(X, y)


def test_string_labels_are_named_in_the_emptied_class_warning():
    X = np.array([[0.0], [10.0], [0.1], [10.1], [0.2], [10.2]])
    y = np.array(["a", "a", "b", "b", "b", "b"])
    with pytest.warns(TorchBalanceWarning, match=r"\['a'\]"):
        EditedNearestNeighbours(sampling_strategy=["a"], n_neighbors=2).fit_resample(X, y)


@pytest.mark.parametrize(
    "resampler",
    [TomekLinks(), EditedNearestNeighbours(), NearMiss(), AllKNN(), ClusterCentroids()],
    ids=repr,
)
def test_nan_is_refused(resampler):
    X, y = _small()
    X[2, 1] = float("nan")
    with pytest.raises(DataValidationError, match="NaN"):
        resampler.fit_resample(X, y)


@pytest.mark.parametrize(
    ("resampler", "match"),
    [
        (TomekLinks(sampling_strategy={0: 3}), r"sampling_strategy=\{0: 3\} is invalid"),
        (TomekLinks(sampling_strategy=0.5), "sampling_strategy=0.5 is invalid"),
        (EditedNearestNeighbours(kind_sel="any"), "kind_sel='any' is invalid"),
        (NearMiss(version=4), "version=4 is invalid"),
        (RepeatedEditedNearestNeighbours(max_iter=0), "max_iter=0 is invalid"),
        (ClusterCentroids(estimator="dbscan"), "estimator='dbscan' is invalid"),
        (NearMiss(sampling_strategy={0: 9}), "which has only 5"),
    ],
)
def test_bad_parameters_are_refused(resampler, match):
    X, y = _small()
    with pytest.raises(InvalidParameterError, match=match):
        resampler.fit_resample(X, y)


def test_soft_voting_refuses_integer_features():
    X, y = _small()
    with pytest.raises(DataValidationError, match="voting='hard'"):
        ClusterCentroids(generator=0).fit_resample(X.long(), y)


def test_nearmiss_3_short_list_warns_and_keeps_all():
    X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [50.0], [60.0], [0.4], [0.3]])
    y = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1])
    nm = NearMiss(version=3, n_neighbors=1, n_neighbors_ver3=1, sampling_strategy={0: 2})
    with pytest.warns(TorchBalanceWarning, match="short-listed only 1"):
        _, y_res = nm.fit_resample(X, y)
    assert (y_res == 0).sum() == 1
