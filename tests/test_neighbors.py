"""Tests for torchbalance.neighbors: exact agreement with scikit-learn's brute force and a
naive float64 reference, ties ordered by index, bounded tiles, and every validation error."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors

from torchbalance import neighbors
from torchbalance.neighbors import kneighbors

# --------------------------------------------------------------------------------------------
# helpers


def naive_kneighbors(
    X: torch.Tensor,
    k: int,
    query: torch.Tensor | None = None,
    exclude_self: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """float64 reference: all distances (difference, then sum of squares), then a stable
    lexicographic sort by (squared distance, index). Like kneighbors, it works on the data
    scaled by the power of two that brings max|X| into [0.5, 1) (exact and order preserving;
    squares then neither underflow nor overflow) and scales the distances back."""
    maxabs = float(X.double().abs().max()) if X.numel() else 0.0
    e = math.frexp(maxabs)[1] if maxabs else 0
    f1, f2 = math.ldexp(1.0, -(e // 2)), math.ldexp(1.0, e // 2 - e)
    x = X.double() * f1 * f2
    q = x if query is None else query.double() * f1 * f2
    d2 = ((q[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    if exclude_self:
        d2.fill_diagonal_(math.inf)
    # indices ascending, then a stable sort by distance keeps lower indices first on ties
    order = torch.sort(d2, dim=1, stable=True).indices[:, :k]
    dist = d2.gather(1, order).sqrt() * math.ldexp(1.0, e // 2) * math.ldexp(1.0, e - e // 2)
    return dist, order


def sklearn_kneighbors(
    X: torch.Tensor, k: int, query: torch.Tensor | None = None, exclude_self: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X.double().numpy())
    if exclude_self:
        return nn.kneighbors()
    return nn.kneighbors(X.double().numpy() if query is None else query.double().numpy())


def assert_same(
    got: tuple[torch.Tensor, torch.Tensor], ref: tuple[torch.Tensor, torch.Tensor]
) -> None:
    assert torch.equal(got[1], ref[1])
    torch.testing.assert_close(got[0].double(), ref[0].double(), rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------------------------
# exact agreement with scikit-learn on tie-free data


@pytest.mark.parametrize(
    ("n", "d", "k"),
    [(1, 1, 1), (7, 3, 7), (200, 2, 1), (500, 5, 3), (1500, 20, 10), (3000, 8, 1), (700, 64, 5)],
)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_matches_sklearn_with_query(n: int, d: int, k: int, dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(n + d + k)
    X = torch.randn(n, d, generator=g, dtype=torch.float64).to(dtype)
    query = torch.randn(123, d, generator=g, dtype=torch.float64).to(dtype)
    dist, idx = kneighbors(X, k, query=query)
    sk_dist, sk_idx = sklearn_kneighbors(X, k, query=query)
    assert dist.dtype == dtype
    assert idx.dtype == torch.int64
    assert dist.shape == idx.shape == (123, k)
    np.testing.assert_array_equal(idx.numpy(), sk_idx)
    np.testing.assert_allclose(dist.double().numpy(), sk_dist, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("n", "d", "k"), [(2, 1, 1), (300, 3, 4), (2000, 20, 3), (900, 50, 1)])
@pytest.mark.parametrize("exclude_self", [False, True])
def test_matches_sklearn_self_query(n: int, d: int, k: int, exclude_self: bool) -> None:
    X = torch.rand(n, d, generator=torch.Generator().manual_seed(n * d), dtype=torch.float64)
    dist, idx = kneighbors(X, k, exclude_self=exclude_self)
    sk_dist, sk_idx = sklearn_kneighbors(X, k, exclude_self=exclude_self)
    np.testing.assert_array_equal(idx.numpy(), sk_idx)
    # sklearn uses the GEMM trick: its self distances are ~1e-8, not 0
    np.testing.assert_allclose(dist.numpy(), sk_dist, rtol=1e-9, atol=1e-6)
    if not exclude_self:
        assert torch.equal(idx[:, 0], torch.arange(n))
        assert torch.all(dist[:, 0] == 0)


def test_matches_sklearn_float32_larger() -> None:
    """Many tiles and blocks with the default plan (n > one tile, m > one block)."""
    g = torch.Generator().manual_seed(0)
    X = torch.rand(9000, 20, generator=g)
    dist, idx = kneighbors(X, 3, exclude_self=True)
    nn = NearestNeighbors(n_neighbors=3, algorithm="brute").fit(X.numpy())
    sk_dist, sk_idx = nn.kneighbors()
    np.testing.assert_array_equal(idx.numpy(), sk_idx)
    np.testing.assert_allclose(dist.numpy(), sk_dist, rtol=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    b=st.integers(1, 6),
    ng=st.integers(1, 700),
    k=st.integers(1, 12),
    chunk=st.integers(1, 50),
    levels=st.integers(2, 9),
    seed=st.integers(0, 2**16),
)
def test_super_groups_find_exactly_the_passing_group_minima(
    b: int, ng: int, k: int, chunk: int, levels: int, seed: int
) -> None:
    """The two-level filter returns the same (row, column) set as one mask over all minima."""
    g = torch.Generator().manual_seed(seed)
    # few distinct values: many ties with the threshold itself
    gseg = torch.randint(0, levels, (b, ng), generator=g).float()
    thresh = torch.randint(0, levels, (b,), generator=g).float()
    layout = neighbors._SuperGroups.of(ng, k)
    assert layout.size >= 1 and layout.main <= ng and ng - layout.main < max(layout.size, 1)
    rows, cols = layout.passing_groups(gseg, layout.minima(gseg), thresh, chunk)
    want_rows, want_cols = (gseg <= thresh[:, None]).nonzero(as_tuple=True)
    assert torch.all(rows[1:] >= rows[:-1])  # the merge needs rows in order
    got = sorted(zip(rows.tolist(), cols.tolist(), strict=True))
    assert got == sorted(zip(want_rows.tolist(), want_cols.tolist(), strict=True))


def test_super_groups_active_on_large_segments() -> None:
    layout = neighbors._SuperGroups.of(6250, 3)
    assert layout.size > 1 and layout.width >= 96
    assert neighbors._SuperGroups.of(50, 3).size == 1


def test_empty_query() -> None:
    X = torch.rand(5, 3)
    dist, idx = kneighbors(X, 2, query=torch.empty(0, 3))
    assert dist.shape == idx.shape == (0, 2)
    assert dist.dtype == torch.float32
    assert idx.dtype == torch.int64


# --------------------------------------------------------------------------------------------
# tiling and the memory budget


def test_small_budget_forces_many_tiles_same_result() -> None:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(400, 6, generator=g, dtype=torch.float64)
    query = torch.randn(100, 6, generator=g, dtype=torch.float64)
    budget = 80_000
    plan = neighbors._plan(100, 400, 6, 4, budget - 400 * 7 * 4)
    # the budget really splits everything: several blocks, tiles and segments, chunked
    # candidates and exact distances
    assert plan.block < 100
    assert plan.tile < 400
    assert plan.segment < 400
    assert plan.member_chunk < 100 * 4 * plan.group
    for kwargs in ({"query": query}, {"exclude_self": True}, {}):
        small = kneighbors(X, 4, memory_budget=budget, **kwargs)  # type: ignore[arg-type]
        default = kneighbors(X, 4, **kwargs)  # type: ignore[arg-type]
        assert torch.equal(small[1], default[1])
        assert torch.equal(small[0], default[0])
        assert_same(small, naive_kneighbors(X, 4, **kwargs))  # type: ignore[arg-type]


def test_tiny_budget_without_working_copy() -> None:
    """A budget below a quarter of the working copy of X prepares every tile on the fly."""
    X = torch.rand(400, 30, generator=torch.Generator().manual_seed(2))
    got = kneighbors(X, 2, exclude_self=True, memory_budget=60_000)
    assert_same(got, naive_kneighbors(X, 2, exclude_self=True))


@settings(max_examples=200, deadline=None)
@given(
    m=st.integers(1, 10**7),
    n=st.integers(1, 10**7),
    d=st.integers(1, 2000),
    k=st.integers(1, 100),
    budget=st.integers(1, 2**34),
    itemsize=st.sampled_from([4, 8]),
    device_type=st.sampled_from(["cpu", "cuda"]),
    prepare=st.booleans(),
)
def test_plan_respects_budget(
    m: int, n: int, d: int, k: int, budget: int, itemsize: int, device_type: str, prepare: bool
) -> None:
    kw = {"itemsize": itemsize, "device_type": device_type, "prepare_tiles": prepare}
    message = ""
    try:
        plan = neighbors._plan(m, n, d, k, budget, **kw)  # type: ignore[arg-type]
    except ValueError as exc:
        message = str(exc)
    if message:
        assert f"memory_budget={budget} bytes is too small" in message
        assert "Raise memory_budget" in message
        return
    nbytes = neighbors._plan_bytes(plan, d, k, itemsize=itemsize, prepare_tiles=prepare)
    assert nbytes <= budget
    assert 1 <= plan.block <= m
    assert plan.tile % plan.group == 0
    assert plan.segment % plan.tile == 0
    assert plan.tile >= plan.group >= 1
    assert plan.member_chunk >= 1
    assert plan.pair_chunk >= 1


def test_plan_default_cpu_shape_and_full_segment() -> None:
    plan = neighbors._plan(100_000, 100_000, 20, 3, 256 * 2**20 - 100_000 * 21 * 4)
    # cache-sized balanced tiles: 25 tiles of 4000 columns, ~1M scores per tile
    assert (plan.block, plan.tile, plan.group) == (262, 4000, 16)
    assert plan.segment >= 100_000  # all group minima of a block fit at once
    small = neighbors._plan(5000, 5000, 20, 3, 256 * 2**20)
    # two balanced tiles, not 4096 + 904; smaller groups for small n (fewer candidates)
    assert (small.tile, small.segment, small.group) == (2500, 5000, 4)
    assert small.block > 256  # short tiles take more query rows


def test_budget_too_small_raises() -> None:
    with pytest.raises(ValueError, match=r"memory_budget=100 bytes is too small.*Raise"):
        kneighbors(torch.rand(10, 3), 2, memory_budget=100)


# --------------------------------------------------------------------------------------------
# ties: lower index first


def test_duplicates_order_by_index() -> None:
    X = torch.zeros(50, 2, dtype=torch.float64)
    X[::2] = 1.0
    dist, idx = kneighbors(X, 10, query=X[:3])
    assert torch.equal(idx[0], torch.arange(0, 20, 2))
    assert torch.equal(idx[1], torch.arange(1, 21, 2))
    assert torch.all(dist == 0)
    # exclude_self removes only the point itself, not its duplicates
    _, idx_ex = kneighbors(X, 10, exclude_self=True)
    assert torch.equal(idx_ex[0], torch.arange(2, 22, 2))
    assert torch.equal(idx_ex[4], torch.tensor([0, 2, 6, 8, 10, 12, 14, 16, 18, 20]))


def test_exclude_self_keeps_duplicates() -> None:
    X = torch.tensor([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    dist, idx = kneighbors(X, 1, exclude_self=True)
    assert idx.flatten().tolist() == [1, 0, 3, 2]
    assert torch.all(dist == 0)


@pytest.mark.parametrize("exclude_self", [False, True])
def test_integer_grid_ties_against_reference_and_sklearn(exclude_self: bool) -> None:
    """Massive exact ties. scikit-learn's brute force returns tied neighbours in no particular
    order and, at the k-th distance, not always the lowest indices (its heap and final sort
    are not stable), so against it we check distances and the unambiguous part: the set of
    neighbours strictly closer than the k-th distance. Our documented rule (lower index
    first) is checked exactly against the naive reference."""
    g = torch.Generator().manual_seed(3)
    X = torch.randint(0, 4, (400, 2), generator=g).double()
    k = 11
    dist, idx = kneighbors(X, k, exclude_self=exclude_self)
    assert_same((dist, idx), naive_kneighbors(X, k, exclude_self=exclude_self))
    sk_dist, sk_idx = sklearn_kneighbors(X, k, exclude_self=exclude_self)
    np.testing.assert_allclose(dist.numpy(), sk_dist)
    kth = dist[:, -1:].numpy()
    for row in range(len(X)):
        strict = dist[row].numpy() < kth[row]
        assert set(idx[row].numpy()[strict]) == set(sk_idx[row][sk_dist[row] < kth[row]])


def test_heavy_duplicates_small_budget() -> None:
    """Every point duplicated many times: candidates exceed a chunk and get compacted."""
    base = torch.rand(5, 3, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    X = base.repeat(40, 1)  # 200 points, 40 copies of each
    got = kneighbors(X, 7, exclude_self=True, memory_budget=120_000)
    assert_same(got, naive_kneighbors(X, 7, exclude_self=True))


# --------------------------------------------------------------------------------------------
# dtypes, ranges, matmul precision


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_inputs(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(5)
    X = torch.randn(300, 7, generator=g).to(dtype)
    query = torch.randn(40, 7, generator=g).to(dtype)
    dist, idx = kneighbors(X, 3, query=query)
    assert dist.dtype == dtype
    ref_dist, ref_idx = naive_kneighbors(X, 3, query=query)
    assert torch.equal(idx, ref_idx)
    torch.testing.assert_close(dist, ref_dist.to(dtype))


@pytest.mark.parametrize(
    ("offset", "spread"),
    [
        (1e6, 1e-3),
        (-3e4, 1.0),
        (0.0, 1e30),
        (0.0, 1e-30),
        (1e12, 1e-2),
        (0.0, 1e-300),
        (0.0, 1e300),
    ],
)
def test_extreme_ranges_float64(offset: float, spread: float) -> None:
    """Centring and power-of-two scaling keep the float32 filter valid far from 1, and the
    exact re-ranking neither underflows nor overflows."""
    g = torch.Generator().manual_seed(6)
    X = offset + spread * torch.randn(500, 4, generator=g, dtype=torch.float64)
    query = offset + spread * torch.randn(60, 4, generator=g, dtype=torch.float64)
    assert_same(kneighbors(X, 5, query=query), naive_kneighbors(X, 5, query=query))
    assert_same(kneighbors(X, 2, exclude_self=True), naive_kneighbors(X, 2, exclude_self=True))


def test_scale_invariant_order() -> None:
    """Multiplying the data by a power of two changes the distances exactly, not the order."""
    X = torch.randint(0, 5, (300, 3), generator=torch.Generator().manual_seed(10)).double()
    dist, idx = kneighbors(X, 6, exclude_self=True)
    for factor in (2.0**-1060, 2.0**-900, 2.0**-40, 2.0**40, 2.0**900):  # -1060: subnormal
        dist_f, idx_f = kneighbors(X * factor, 6, exclude_self=True)
        assert torch.equal(idx_f, idx)
        assert torch.equal(dist_f, dist * factor)


def test_far_away_query_uses_float64_work() -> None:
    X = torch.rand(200, 3, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    query = torch.tensor([[1e25, 0.0, 0.0], [-1e30, 3.0, 1.0], [0.5, 0.5, 0.5]])
    query = query.double()
    assert_same(kneighbors(X, 4, query=query), naive_kneighbors(X, 4, query=query))


def test_a_query_too_far_to_square_is_refused() -> None:
    # about 2**512 times X's range, float64 squared distances overflow (they came back as inf,
    # and the lower bounds as NaN)
    X = torch.arange(4.0, dtype=torch.float64)[:, None]
    query = torch.tensor([[1e160]], dtype=torch.float64)
    for search in (
        lambda: kneighbors(X, 1, query=query),
        lambda: neighbors.nearest_distance_lower_bounds(X, query),
    ):
        with pytest.raises(ValueError, match=r"about 2\*\*\d+ times the largest of X"):
            search()
    near_the_limit = torch.tensor([[1e150]], dtype=torch.float64)
    assert float(kneighbors(X, 1, query=near_the_limit)[0]) == pytest.approx(1e150)


def test_constant_data() -> None:
    X = torch.full((30, 4), 3.5)
    dist, idx = kneighbors(X, 5, exclude_self=True)
    assert torch.all(dist == 0)
    assert torch.equal(idx[0], torch.arange(1, 6))
    assert torch.equal(idx[3], torch.tensor([0, 1, 2, 4, 5]))


@pytest.mark.parametrize("precision", ["high", "medium"])
def test_reduced_matmul_precision_stays_exact(precision: str) -> None:
    """TF32 / bf16 matmul modes widen the error bound instead of breaking exactness."""
    old = torch.get_float32_matmul_precision()
    X = torch.rand(800, 16, generator=torch.Generator().manual_seed(8))
    try:
        torch.set_float32_matmul_precision(precision)
        got = kneighbors(X, 3, exclude_self=True)
    finally:
        torch.set_float32_matmul_precision(old)
    assert_same(got, naive_kneighbors(X, 3, exclude_self=True))


# --------------------------------------------------------------------------------------------
# property test against the naive float64 reference

_values = st.one_of(
    st.integers(-3, 3).map(float),
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
)


@st.composite
def _problems(draw: st.DrawFn) -> tuple[torch.Tensor, torch.Tensor | None, int, bool, int]:
    n = draw(st.integers(1, 40))
    d = draw(st.integers(1, 5))
    x = draw(st.lists(_values, min_size=n * d, max_size=n * d))
    X = torch.tensor(x, dtype=torch.float64).reshape(n, d)
    mode = draw(st.sampled_from(["query", "self", "exclude_self"]))
    query = None
    if mode == "query":
        m = draw(st.integers(0, 15))
        q = draw(st.lists(_values, min_size=m * d, max_size=m * d))
        query = torch.tensor(q, dtype=torch.float64).reshape(m, d)
    exclude = mode == "exclude_self"
    if exclude and n < 2:
        exclude = False
    k = draw(st.integers(1, n - 1 if exclude else n))
    budget = draw(st.sampled_from([256 * 2**20, 60_000, 20_000]))
    return X, query, k, exclude, budget


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems(), st.sampled_from([torch.float64, torch.float32]))
def test_property_equals_naive_reference(
    problem: tuple[torch.Tensor, torch.Tensor | None, int, bool, int], dtype: torch.dtype
) -> None:
    X, query, k, exclude, budget = problem
    X = X.to(dtype)
    query = None if query is None else query.to(dtype)
    got = kneighbors(X, k, query=query, exclude_self=exclude, memory_budget=budget)
    ref = naive_kneighbors(X, k, query=query, exclude_self=exclude)
    assert got[0].dtype == dtype
    assert_same(got, ref)


# --------------------------------------------------------------------------------------------
# nearest_distance_lower_bounds


def naive_nearest_distance(X: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """float64 distance to the nearest row of X (difference, sum of squares, root), in the
    scaled units of naive_kneighbors."""
    return naive_kneighbors(X, 1, query=query)[0][:, 0].double()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems(), st.sampled_from([torch.float64, torch.float32]))
def test_lower_bound_never_exceeds_the_float64_nearest_distance(
    problem: tuple[torch.Tensor, torch.Tensor | None, int, bool, int], dtype: torch.dtype
) -> None:
    X, query, _, _, budget = problem
    X = X.to(dtype)
    query = X if query is None else query.to(dtype)
    bound = neighbors.nearest_distance_lower_bounds(X, query, memory_budget=budget)
    exact = naive_nearest_distance(X, query)
    assert bound.dtype == torch.float64 and bound.shape == (query.shape[0],)
    assert bool((bound <= exact).all()) and bool((bound >= 0).all())
    # and it is tight: the float32 error is a small multiple of 2**-24 of the data's range
    spread = float(torch.cat([X, query]).double().abs().amax())
    assert bool((bound >= exact - 1e-2 * spread).all())


@pytest.mark.parametrize(("offset", "spread"), [(1e6, 1e-3), (0.0, 1e30), (0.0, 1e-300)])
def test_lower_bound_far_from_one(offset: float, spread: float) -> None:
    g = torch.Generator().manual_seed(11)
    X = offset + spread * torch.randn(400, 6, generator=g, dtype=torch.float64)
    query = offset + spread * torch.randn(90, 6, generator=g, dtype=torch.float64)
    bound = neighbors.nearest_distance_lower_bounds(X, query)
    exact = naive_nearest_distance(X, query)
    assert bool((bound <= exact).all())
    assert bool((bound >= 0.9 * exact).all())


def test_lower_bound_is_tight_on_well_scaled_data() -> None:
    g = torch.Generator().manual_seed(12)
    X = torch.randn(3000, 32, generator=g)
    query = torch.randn(700, 32, generator=g) + 0.5
    bound = neighbors.nearest_distance_lower_bounds(X, query, memory_budget=2**20)
    exact = naive_nearest_distance(X, query)
    assert bool((bound <= exact).all())
    assert float((exact - bound).max()) < 1e-3 * float(exact.min())


def test_lower_bound_without_a_working_copy_of_x() -> None:
    """A budget too small for the float32 copy of X prepares the references per tile."""
    g = torch.Generator().manual_seed(13)
    X = torch.randn(3000, 8, generator=g)
    query = torch.randn(200, 8, generator=g)
    frame = neighbors._Frame.of(X, query, 200_000)
    assert frame.ref_t is None
    bound = neighbors.nearest_distance_lower_bounds(X, query, memory_budget=200_000)
    exact = naive_nearest_distance(X, query)
    assert bool((bound <= exact).all())
    assert float((exact - bound).max()) < 1e-3 * float(exact.min())


def test_lower_bound_validates_like_kneighbors() -> None:
    X = torch.randn(5, 2)
    with pytest.raises(ValueError, match="nearest_distance_lower_bounds: query contains NaN"):
        neighbors.nearest_distance_lower_bounds(X, torch.tensor([[math.nan, 0.0]]))
    with pytest.raises(ValueError, match="nearest_distance_lower_bounds: query has 3 features"):
        neighbors.nearest_distance_lower_bounds(X, torch.zeros(1, 3))
    with pytest.raises(ValueError, match="too small"):
        neighbors.nearest_distance_lower_bounds(X, torch.zeros(1, 2), memory_budget=8)
    with pytest.raises(ValueError, match="X has no rows"):
        neighbors.nearest_distance_lower_bounds(X[:0], torch.zeros(1, 2))
    with pytest.raises(TypeError, match="query must be a torch.Tensor"):
        neighbors.nearest_distance_lower_bounds(X, None)  # type: ignore[arg-type]
    assert neighbors.nearest_distance_lower_bounds(X, torch.zeros(0, 2)).shape == (0,)


# --------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"X": np.zeros((3, 2))}, TypeError, r"X must be a torch.Tensor, got ndarray"),
        ({"X": torch.zeros(3, 2, dtype=torch.int64)}, TypeError, r"X must be a floating.*X\.float"),
        ({"X": torch.zeros(6)}, ValueError, r"X must be 2-D.*got shape \(6,\)"),
        ({"n_neighbors": 1.0}, TypeError, r"n_neighbors must be an int, got float"),
        ({"n_neighbors": True}, TypeError, r"n_neighbors must be an int, got bool"),
        ({"n_neighbors": 0}, ValueError, r"n_neighbors=0 must be >= 1"),
        (
            {"n_neighbors": 6},
            ValueError,
            r"n_neighbors=6 needs at least 6 reference points, got 4\. Lower n_neighbors\.",
        ),
        (
            {"n_neighbors": 4, "exclude_self": True},
            ValueError,
            r"n_neighbors=4 needs at least 4 other reference points, got 3\. Lower n_neighbors",
        ),
        ({"exclude_self": 1}, TypeError, r"exclude_self must be a bool, got int"),
        (
            {"query": torch.zeros(2, 3), "exclude_self": True},
            ValueError,
            r"exclude_self=True only applies when query is None",
        ),
        ({"query": [[0.0, 0.0, 0.0]]}, TypeError, r"query must be a torch.Tensor or None"),
        ({"query": torch.zeros(3)}, ValueError, r"query must be 2-D"),
        ({"query": torch.zeros(2, 5)}, ValueError, r"query has 5 features but X has 3"),
        (
            {"query": torch.zeros(2, 3, dtype=torch.float64)},
            ValueError,
            r"query has dtype torch.float64 but X has torch.float32.*query\.to\(X\.dtype\)",
        ),
        (
            {"query": torch.zeros(2, 3, device="meta")},
            ValueError,
            r"query is on meta but X is on cpu.*query\.to\('cpu'\)",
        ),
        ({"memory_budget": 0}, ValueError, r"memory_budget=0 must be a positive number"),
        ({"memory_budget": -5}, ValueError, r"memory_budget=-5 must be a positive"),
        ({"memory_budget": 1e6}, TypeError, r"memory_budget must be an int number of bytes"),
        ({"memory_budget": 50}, ValueError, r"memory_budget=50 bytes is too small"),
    ],
)
def test_validation_errors(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    args: dict[str, object] = {"X": torch.zeros(4, 3), "n_neighbors": 2, **kwargs}
    X = args.pop("X")
    k = args.pop("n_neighbors")
    with pytest.raises(error, match=match):
        kneighbors(X, k, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["X", "query"])
def test_non_finite_refused(bad: float, where: str) -> None:
    X = torch.rand(5, 2)
    query = torch.rand(3, 2)
    (X if where == "X" else query)[1, 1] = bad
    with pytest.raises(ValueError, match=rf"{where} contains NaN or infinite values\. Remove"):
        kneighbors(X, 2, query=query)


def test_validation_happens_before_work_on_query_none_exclude() -> None:
    with pytest.raises(ValueError, match=r"needs at least 1 other reference points, got 0"):
        kneighbors(torch.rand(1, 3), 1, exclude_self=True)


# --------------------------------------------------------------------------------------------
# CUDA


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_cuda_matches_cpu(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(9)
    X = torch.randn(5000, 12, generator=g).to(dtype)
    query = torch.randn(700, 12, generator=g).to(dtype)
    Xc, qc = X.cuda(), query.cuda()
    for kwargs in ({"query": query}, {"exclude_self": True}):
        kw_cuda = {"query": qc} if "query" in kwargs else kwargs
        cpu = kneighbors(X, 5, **kwargs)  # type: ignore[arg-type]
        cuda = kneighbors(Xc, 5, **kw_cuda)  # type: ignore[arg-type]
        assert cuda[0].device.type == cuda[1].device.type == "cuda"
        assert cuda[0].dtype == dtype
        assert torch.equal(cuda[1].cpu(), cpu[1])
        torch.testing.assert_close(cuda[0].cpu(), cpu[0])
    # TF32 allowed: the error bound widens, results stay exact
    old = torch.backends.cuda.matmul.allow_tf32
    try:
        torch.backends.cuda.matmul.allow_tf32 = True
        tf32 = kneighbors(Xc, 5, exclude_self=True, memory_budget=2**20)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old
    assert torch.equal(tf32[1].cpu(), kneighbors(X, 5, exclude_self=True)[1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("budget", [2**20, 8 * 2**20, 256 * 2**20])
def test_cuda_peak_memory_within_budget(budget: int) -> None:
    """The memory model holds: peak extra allocation <= memory_budget (+ the outputs)."""
    X = torch.rand(30_000, 16, device="cuda")
    kneighbors(X[:100], 3, exclude_self=True)  # CUDA / cuBLAS initialisation
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    dist, idx = kneighbors(X, 5, exclude_self=True, memory_budget=budget)
    torch.cuda.synchronize()
    outputs = dist.numel() * dist.element_size() + idx.numel() * idx.element_size()
    assert torch.cuda.max_memory_allocated() - base <= budget + outputs
    assert torch.equal(idx.cpu(), kneighbors(X.cpu(), 5, exclude_self=True)[1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("budget", [2**20, 256 * 2**20])
def test_cuda_lower_bound_and_peak_memory(budget: int) -> None:
    """The lower-bound pass on CUDA: below the float64 distances, tight, within its budget."""
    g = torch.Generator().manual_seed(14)
    X = torch.randn(20_000, 16, generator=g)
    query = torch.randn(3000, 16, generator=g) + 0.5
    Xc, qc = X.cuda(), query.cuda()
    neighbors.nearest_distance_lower_bounds(Xc, qc[:10])  # CUDA / cuBLAS initialisation
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    bound = neighbors.nearest_distance_lower_bounds(Xc, qc, memory_budget=budget)
    torch.cuda.synchronize()
    assert torch.cuda.max_memory_allocated() - base <= budget + bound.numel() * 8
    exact = naive_nearest_distance(X, query)
    assert bound.device.type == "cuda"
    assert bool((bound.cpu() <= exact).all())
    assert float((exact - bound.cpu()).max()) < 1e-3 * float(exact.min())


def test_default_memory_budget_per_device():
    from torchbalance.neighbors import _default_memory_budget

    assert _default_memory_budget(torch.device("cpu")) == 512 * 2**20
    X = torch.randn(300, 5, generator=torch.Generator().manual_seed(0))
    default = kneighbors(X, 3, exclude_self=True)
    explicit = kneighbors(X, 3, exclude_self=True, memory_budget=512 * 2**20)
    assert torch.equal(default[1], explicit[1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_default_memory_budget_on_gpu_is_bounded():
    from torchbalance.neighbors import _default_memory_budget

    budget = _default_memory_budget(torch.device("cuda"))
    assert 256 * 2**20 <= budget <= 2 * 2**30


def test_inputs_that_require_grad_are_searched_detached():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(50, 3, generator=g)
    query = torch.randn(7, 3, generator=g)
    dist, idx = kneighbors(X.clone().requires_grad_(True), 3)
    expected_dist, expected_idx = kneighbors(X, 3)
    assert not dist.requires_grad
    assert torch.equal(dist, expected_dist) and torch.equal(idx, expected_idx)
    queried = kneighbors(X.clone().requires_grad_(True), 2, query=query.requires_grad_(True))
    assert torch.equal(queried[1], kneighbors(X, 2, query=query.detach())[1])
    bounds = neighbors.nearest_distance_lower_bounds(X.clone().requires_grad_(True), query)
    assert not bounds.requires_grad
    assert torch.equal(bounds, neighbors.nearest_distance_lower_bounds(X, query.detach()))


def test_numpy_integers_are_accepted_as_counts_and_budgets():
    X = torch.randn(30, 2, generator=torch.Generator().manual_seed(1))
    dist, idx = kneighbors(X, np.int64(2), memory_budget=np.int64(2**20))
    assert torch.equal(idx, kneighbors(X, 2)[1]) and dist.shape == (30, 2)
    with pytest.raises(TypeError, match="n_neighbors must be an int"):
        kneighbors(X, np.float64(2.0))


def _first_k_by_distance_then_index(X, Q, k, exclude_self):
    d2 = ((Q.double()[:, None, :] - X.double()[None]) ** 2).sum(-1)
    if exclude_self:
        d2.fill_diagonal_(math.inf)
    index = np.arange(X.shape[0])
    return torch.tensor(np.array([np.lexsort((index, row))[:k] for row in d2.numpy()]))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(64, 300),
    d=st.integers(1, 5),
    levels=st.integers(2, 3),
    k=st.integers(1, 30),
    exclude_self=st.booleans(),
    with_query=st.booleans(),
    scale=st.sampled_from([1.0, 2.0**-100, 2.0**100, 3.5]),
    seed=st.integers(0, 2**16),
)
def test_rows_full_of_duplicates_give_the_full_searchs_answer(
    n, d, levels, k, exclude_self, with_query, scale, seed
):
    # one-hot / integer-coded data: each distinct row is searched once, its copies expanded
    rng = np.random.default_rng(seed)
    X = torch.from_numpy(rng.integers(0, levels, size=(n, d)).astype(np.float32)) * scale
    assert neighbors._duplicate_rows(X, k + 1) is not None or levels**d >= 0.75 * n
    Q = torch.from_numpy(rng.integers(0, levels, size=(17, d)).astype(np.float32)) * scale
    exclude_self = exclude_self and not with_query
    k = min(k, n - int(exclude_self))
    dist, idx = kneighbors(X, k, query=Q if with_query else None, exclude_self=exclude_self)
    expected = _first_k_by_distance_then_index(X, Q if with_query else X, k, exclude_self)
    assert torch.equal(idx, expected)
    picked = X[idx]
    reference = (Q if with_query else X)[:, None, :]
    true = ((picked.double() - reference.double()) ** 2).sum(-1).sqrt()
    torch.testing.assert_close(dist.double(), true, rtol=1e-6, atol=0)


def test_duplicate_detection_leaves_distinct_data_alone():
    X = torch.randn(500, 3, generator=torch.Generator().manual_seed(0))
    assert neighbors._duplicate_rows(X, 4) is None
    codes = torch.randint(0, 2, (500, 4), generator=torch.Generator().manual_seed(0)).float()
    distinct, members = neighbors._duplicate_rows(codes, 4)
    assert distinct.shape[0] == len({tuple(r) for r in codes.tolist()})
    firsts = members[:, 0]
    assert torch.equal(firsts, torch.sort(firsts).values)  # ordered by first copy
    assert torch.equal(codes[firsts], distinct)
    # only the first copies are kept (never a row per copy of a heavily repeated point)
    assert members.shape[1] == 4 and bool((codes[members] == distinct[:, None]).all())
    assert bool((members[:, 1:] > members[:, :-1]).all())


def test_points_without_features_are_refused():
    with pytest.raises(ValueError, match="X has no features"):
        kneighbors(torch.zeros(3, 0), 2)
