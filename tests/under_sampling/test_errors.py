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


def test_instance_hardness_names_the_class_too_small_for_its_folds():
    from torchbalance.under_sampling import InstanceHardnessThreshold

    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.array(["a"] * 30 + ["b"] * 8 + ["rare"] * 2)
    message = r"cv=5 stratified folds need at least 5 samples of every class, but class 'rare'"
    with pytest.raises(DataValidationError, match=message):
        InstanceHardnessThreshold().fit_resample(X, y)
    InstanceHardnessThreshold(cv=2).fit_resample(X, y)  # 2 folds: 2 samples will do


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


def _overlapping_classes(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(2, 25, size=rng.integers(3, 5))
    X = np.concatenate([rng.normal(size=(n, 2)) + rng.normal(size=2) * 0.5 for n in counts])
    y = np.concatenate([[k] * n for k, n in enumerate(counts)])
    return X, y


@pytest.mark.parametrize(
    ("resampler", "seed"),
    [
        # round 2 re-resolves "majority" to a class that round 1 did not clean
        (RepeatedEditedNearestNeighbours(sampling_strategy="majority"), 8),
        (AllKNN(sampling_strategy="not minority", allow_minority=True), 1),
    ],
    ids=repr,
)
def test_a_class_emptied_in_a_later_round_warns(resampler, seed):
    X, y = _overlapping_classes(seed)
    with pytest.warns(TorchBalanceWarning, match="removed every sample") as caught:
        _, y_res = resampler.fit_resample(X, y)
    missing = sorted(set(y.tolist()) - set(y_res.tolist()))
    assert missing, "the data no longer empties a class; pick another seed"
    assert str(missing) in str(caught[0].message)


def test_ncr_warns_for_a_class_its_inner_enn_empties():
    X = torch.tensor([0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 4.5, 5.5])[:, None]
    y = torch.tensor([0] * 10 + [1] * 5 + [2] * 2)
    ncr = NeighbourhoodCleaningRule(
        sampling_strategy=[0],
        edited_nearest_neighbours=EditedNearestNeighbours(sampling_strategy="all"),
    )
    with pytest.warns(TorchBalanceWarning, match=r"class\(es\) \[2\]"):
        _, y_res = ncr.fit_resample(X, y)
    assert 2 not in y_res.tolist()


def test_warnings_point_at_the_callers_line():
    X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [2.5]])
    y = torch.tensor([0] * 6 + [1])
    with pytest.warns(TorchBalanceWarning) as caught:
        EditedNearestNeighbours(sampling_strategy="all").fit_resample(X, y)
    assert caught[0].filename == __file__


def test_cluster_centroids_refuses_zero_centroids_naming_the_class():
    X, y = _small()
    with pytest.raises(InvalidParameterError, match="0 samples of class 0; each targeted class"):
        ClusterCentroids(sampling_strategy={0: 0}, generator=0).fit_resample(X, y)


def test_ncr_threshold_cleaning_must_be_positive():
    X, y = _small()
    with pytest.raises(InvalidParameterError, match=r"threshold_cleaning=0 is invalid"):
        NeighbourhoodCleaningRule(threshold_cleaning=0).fit_resample(X, y)


def test_a_cleaner_told_minority_is_pointed_at_lists():
    X, y = _small()
    with pytest.raises(InvalidParameterError, match="'majority' or a list of classes"):
        TomekLinks(sampling_strategy="minority").fit_resample(X, y)


def test_a_callable_strategy_is_refused_by_a_cleaner_with_the_reason():
    X, y = _small()
    for returned in ({0: 2}, [0]):
        with pytest.raises(InvalidParameterError, match=r"it must be an instance of str or an"):
            TomekLinks(sampling_strategy=lambda y, r=returned: r).fit_resample(X, y)


def test_an_explicit_zero_count_warns_without_neighbour_advice():
    from torchbalance.under_sampling import RandomUnderSampler

    X, y = _small()
    with pytest.warns(TorchBalanceWarning, match=r"of them\. Leave those classes out") as heard:
        RandomUnderSampler(sampling_strategy={0: 0}, generator=0).fit_resample(X, y)
    assert "neighbours" not in str(heard[0].message)


def test_numpy_strings_are_options_like_str():
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = np.array([0] * 30 + [1] * 10)
    mode = np.array(["all", "mode"])[1]  # np.str_, as from a grid built from an array
    kept = EditedNearestNeighbours(kind_sel=mode).fit_resample(X, y)[1]
    assert np.array_equal(kept, EditedNearestNeighbours(kind_sel="mode").fit_resample(X, y)[1])
    with pytest.raises(InvalidParameterError, match="kind_sel=np.str_\\('any'\\) is invalid"):
        EditedNearestNeighbours(kind_sel=np.str_("any")).fit_resample(X, y)
