from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.functional._kmeans import (
    _assign,
    _d2_pick,
    _nearest,
    _reassign,
    kmeans,
    minibatch_kmeans,
    nearest_center,
)


def _blobs(n=3000, centers=8, seed=0):
    X, _ = make_blobs(n, n_features=5, centers=centers, cluster_std=2.0, random_state=seed)
    return torch.from_numpy(X)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inertia_within_one_percent_of_scikit_learn(seed):
    X = _blobs(seed=seed)
    ours = kmeans(X, 8, n_init=3, generator=seed)
    theirs = KMeans(8, n_init=3, random_state=seed).fit(X.numpy())
    assert ours.inertia <= theirs.inertia_ * 1.01
    # the reported inertia and labels agree with the centres
    labels, sq = nearest_center(X, ours.centers)
    assert torch.equal(labels, ours.labels)
    assert abs(float(sq.sum()) - ours.inertia) <= 1e-9 * ours.inertia


def test_dtype_device_and_reproducibility():
    X = _blobs().float()
    first = kmeans(X, 5, generator=3)
    assert first.centers.dtype == torch.float32 and first.centers.device == X.device
    assert torch.equal(first.centers, kmeans(X, 5, generator=3).centers)
    assert first.labels.dtype == torch.int64 and first.labels.shape == (3000,)


def test_random_init_and_duplicate_points_leave_no_cluster_empty():
    X = torch.cat([torch.zeros(40, 2), torch.ones(3, 2), torch.full((2, 2), 5.0)]).double()
    result = kmeans(X, 3, init="random", generator=0, n_init=4)
    assert torch.bincount(result.labels, minlength=3).min() > 0
    assert result.inertia == pytest.approx(0.0, abs=1e-12)


def test_minibatch_is_close_to_full_kmeans():
    X = _blobs(n=20_000)
    full = kmeans(X, 8, n_init=3, generator=0)
    mini = minibatch_kmeans(X, 8, batch_size=512, generator=0)
    assert mini.inertia <= full.inertia * 1.05


def test_bad_input_is_refused():
    with pytest.raises(DataValidationError, match="n_clusters=5 is more than the 3 samples"):
        kmeans(torch.zeros(3, 2), 5)
    with pytest.raises(DataValidationError, match="NaN"):
        kmeans(torch.tensor([[float("nan"), 0.0], [0.0, 0.0]]), 1)
    with pytest.raises(DataValidationError, match="2-D floating"):
        kmeans(torch.zeros(3, dtype=torch.int64), 1)
    with pytest.raises(InvalidParameterError, match="init='kmeans'"):
        kmeans(torch.zeros(3, 2), 1, init="kmeans")


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 300),
    k=st.integers(1, 200),
    d=st.integers(1, 6),
    budget=st.sampled_from([1, 500, 10_000, 64 * 2**20]),
    integer=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_nearest_center_is_the_first_arg_min(n, k, d, budget, integer, seed):
    """Against a dense arg-min of float64 distances: same labels (ties to the lowest centre,
    integer grids make many), same squared distances; tiny budgets give one-row tiles."""
    g = torch.Generator().manual_seed(seed)
    if integer:  # exact arithmetic: ties are real ties
        X = torch.randint(-3, 4, (n, d), generator=g).double()
        centers = torch.randint(-3, 4, (k, d), generator=g).double()
    else:
        X = torch.randn(n, d, generator=g, dtype=torch.float64)
        centers = torch.randn(k, d, generator=g, dtype=torch.float64)
    labels, sq = nearest_center(X, centers, memory_budget=budget)
    dense = torch.cdist(X, centers) ** 2 if not integer else ((X[:, None] - centers) ** 2).sum(-1)
    best = dense.min(1).values
    np.testing.assert_allclose(sq.numpy(), best.numpy(), atol=1e-9)
    if integer:
        assert torch.equal(labels, dense.argmin(1))  # first minimum, as argmin
    else:  # no ties: the same centre, up to rounding between near-equal distances
        chosen = dense.gather(1, labels[:, None])[:, 0]
        np.testing.assert_allclose(chosen.numpy(), best.numpy(), atol=1e-9)


def test_seeding_and_lloyd_do_not_depend_on_the_tile_size():
    """Column chunks of the seeding's candidate distances and one-row Lloyd tiles (budgets far
    below one tile) give the same clustering as the default budget."""
    X = _blobs(n=700).float()
    default = kmeans(X, 12, generator=3)
    tiny = kmeans(X, 12, generator=3, memory_budget=700)
    torch.testing.assert_close(tiny.centers, default.centers, rtol=1e-5, atol=1e-5)
    assert torch.equal(tiny.labels, default.labels)


@settings(max_examples=80, deadline=None)
@given(
    blocks=st.integers(1, 6),
    block=st.sampled_from([1, 2, 4, 16]),
    zero_share=st.sampled_from([0.0, 0.5, 0.9]),
    seed=st.integers(0, 2**31),
)
def test_d2_pick_is_the_inverse_cdf_of_all_weights(blocks, block, zero_share, seed):
    """Two-level picks (block, then point) equal a search in the cumulative sum of every weight;
    integer weights and targets make every sum exact, so boundaries are hit exactly too."""
    generator = torch.Generator().manual_seed(seed)
    weights = torch.randint(0, 5, (blocks * block,), generator=generator).float()
    weights[torch.rand(blocks * block, generator=generator) < zero_share] = 0.0
    if float(weights.sum()) == 0:
        weights[-1] = 1.0
    cdf = torch.cumsum(weights.double(), 0)
    targets = torch.cat(
        [
            torch.arange(int(cdf[-1])).double(),  # every integer boundary
            torch.rand(20, dtype=torch.float64, generator=generator) * cdf[-1],
        ]
    )
    block_sums = weights.view(blocks, block).sum(1).double().numpy()
    expected = torch.searchsorted(cdf, targets, right=True)
    picks = _d2_pick(np.cumsum(block_sums), block_sums, weights, targets.numpy())
    assert torch.equal(torch.from_numpy(picks), expected)
    assert bool((weights[expected] > 0).all())  # zero-weight points are never picked


def test_d2_pick_never_picks_a_point_whose_distance_rounded_below_zero():
    """A centre's squared distance to itself can round a little below 0 in the seeding's GEMM;
    the draw counts it as 0, so it is never picked again, whatever the target."""
    weights = torch.tensor([-1e-7, 2.0, 0.0, 3.0, 1.0, -2e-7])
    block_sums = weights.view(3, 2).sum(1).double().numpy()
    targets = np.linspace(0.0, float(np.cumsum(block_sums)[-1]) * (1 - 1e-12), 101)
    picks = _d2_pick(np.cumsum(block_sums), block_sums, weights, targets)
    assert set(picks.tolist()) == {1, 3, 4}


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 120),
    k=st.integers(1, 150),
    moved_share=st.sampled_from([0.0, 0.02, 0.1, 0.3, 1.0]),
    budget=st.sampled_from([64, 4096, 2**26]),
    seed=st.integers(0, 2**31),
)
def test_reassign_equals_a_full_pass(n, k, moved_share, budget, seed):
    """Over several rounds in which some centres move, the incremental assignment equals
    nearest_center over all centres (labels and distances) and its lower bounds never exceed
    the true distance to any other centre. Integer grids make every distance exact, so ties
    are real and must go to the lowest centre index as well."""
    generator = torch.Generator().manual_seed(seed)
    X = torch.randint(-3, 4, (n, 3), generator=generator).float()
    centers = torch.randint(-3, 4, (k, 3), generator=generator).float()
    state = _assign(X, centers, budget)
    for _ in range(4):
        moved = torch.rand(k, generator=generator) < moved_share
        updated = centers.clone()
        updated[moved] = torch.randint(-3, 4, (int(moved.sum()), 3), generator=generator).float()
        moved = (updated != centers).any(1)
        centers = updated
        state = _reassign(X, centers, moved, state, budget)
        labels, sq = nearest_center(X, centers)
        assert torch.equal(state.labels, labels)
        assert torch.equal(state.sq, sq)
        others = torch.cdist(X.double(), centers.double()).pow(2).round()
        others[torch.arange(n), labels] = math.inf
        assert bool((state.lower <= others.amin(1)).all())


def test_nearest_of_selected_rows():
    X = _blobs(n=500).float()
    centers = X[:7].clone()
    rows = torch.tensor([499, 3, 3, 250])
    labels, sq, _ = _nearest(X, centers, 64, rows, second=False)
    all_labels, all_sq, _ = _nearest(X, centers, 64, None, second=False)
    assert torch.equal(labels, all_labels[rows]) and torch.equal(sq, all_sq[rows])


def test_inputs_that_require_grad_are_clustered_detached():
    X, _ = make_blobs(200, n_features=3, centers=4, random_state=0)
    X = torch.from_numpy(X).float()
    fitted = kmeans(X.clone().requires_grad_(True), 4, generator=0)
    plain = kmeans(X, 4, generator=0)
    assert not fitted.centers.requires_grad
    assert torch.equal(fitted.centers, plain.centers) and torch.equal(fitted.labels, plain.labels)
    labels, sq = nearest_center(X.clone().requires_grad_(True), plain.centers.requires_grad_(True))
    assert not sq.requires_grad and torch.equal(labels, plain.labels)
    batched = minibatch_kmeans(X.clone().requires_grad_(True), 4, generator=0)
    assert not batched.centers.requires_grad


def test_data_far_from_the_origin_is_clustered_as_well_as_near_it():
    # expanded float32 distances at 10 000 + noise would lose every digit to cancellation
    X = 1e4 + torch.randn(2000, 4, generator=torch.Generator().manual_seed(2))
    for fit in (kmeans, minibatch_kmeans):
        far, near = fit(X, 6, generator=0), fit(X - 1e4, 6, generator=0)
        true = float(((X.double() - far.centers.double()[far.labels]) ** 2).sum())
        assert far.inertia == pytest.approx(true, rel=1e-4)
        assert far.inertia == pytest.approx(near.inertia, rel=0.02)
        labels, _ = nearest_center(X.double(), far.centers.double())
        assert torch.equal(labels, far.labels)
    sklearn = KMeans(6, n_init=1, random_state=0).fit(X.numpy()).inertia_
    assert kmeans(X, 6, generator=0).inertia <= 1.01 * sklearn
    labels, sq = nearest_center(
        torch.tensor([[10000.26, 0.0]]), torch.tensor([[10000.0, 0.0], [10000.5, 0.0]])
    )
    assert labels.tolist() == [1] and sq.item() == pytest.approx(0.0576, abs=1e-3)


@pytest.mark.parametrize(
    ("X", "centers", "match"),
    [
        (torch.zeros(3, 2), torch.zeros(2, 4), "X has 2 features but centers has 4"),
        (torch.zeros(3, 2), torch.zeros(0, 2), "centers has no rows"),
        (torch.zeros(3, 2), torch.zeros(2, 2, dtype=torch.long), "centers must be a 2-D floating"),
        (torch.zeros(3), torch.zeros(2, 1), "X must be a 2-D floating"),
    ],
)
def test_nearest_center_refuses_bad_input_by_name(X, centers, match):
    with pytest.raises(DataValidationError, match=match):
        nearest_center(X, centers)


@pytest.mark.parametrize("fit", [kmeans, minibatch_kmeans])
@pytest.mark.parametrize("budget", [0, -5])
def test_memory_budget_must_be_positive(fit, budget):
    with pytest.raises(InvalidParameterError, match="memory_budget"):
        fit(torch.randn(20, 2), 2, memory_budget=budget)


def test_fewer_distinct_points_than_clusters_warns_as_scikit_learn():
    from torchbalance.exceptions import TorchBalanceWarning

    X = torch.cat([torch.zeros(10, 2), torch.ones(10, 2)])
    with pytest.warns(TorchBalanceWarning, match="only 2 distinct clusters"):
        result = kmeans(X, 3, generator=0)
    assert result.inertia == 0.0
