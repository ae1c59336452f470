from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.functional._smote import interpolate, random_pairs, smote
from torchbalance.over_sampling import SMOTE

imb = pytest.importorskip("imblearn.over_sampling")


def _counts(y) -> dict[int, int]:
    values, counts = np.unique(np.asarray(y), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist(), strict=True))


@pytest.mark.parametrize(
    "strategy",
    [
        "auto",
        "minority",
        "not minority",
        "not majority",
        "all",
        {1: 50, 2: 45},
        {0: 70, 2: 30},
        lambda y: {1: 40},
    ],
)
def test_counts_equal_imblearn_for_every_strategy_form(blobs, strategy):
    X, y = blobs((60, 25, 15))
    ours = SMOTE(sampling_strategy=strategy, generator=0).fit_resample(X.numpy(), y.numpy())
    theirs = imb.SMOTE(sampling_strategy=strategy, random_state=0).fit_resample(
        X.numpy(), y.numpy()
    )
    assert _counts(ours[1]) == _counts(theirs[1])
    assert ours[0].shape == theirs[0].shape


@pytest.mark.parametrize("ratio", [0.5, 0.8, 1.0])
def test_float_strategy_binary_counts_equal_imblearn(blobs, ratio):
    X, y = blobs((60, 20))
    ours = SMOTE(sampling_strategy=ratio, generator=0).fit_resample(X, y)
    theirs = imb.SMOTE(sampling_strategy=ratio, random_state=0).fit_resample(X.numpy(), y.numpy())
    assert _counts(ours[1]) == _counts(theirs[1])


def test_every_new_sample_is_on_a_segment_to_one_of_its_k_nearest(blobs, on_segments):
    X, y = blobs((80, 30, 12), d=3)
    k = 4
    X_res, y_res = SMOTE(k_neighbors=k, generator=1).fit_resample(X, y)
    n = len(y)
    assert torch.equal(X_res[:n], X) and torch.equal(y_res[:n], y)
    for label in (1, 2):
        new = X_res[n:][y_res[n:] == label].numpy()
        X_class = X[y == label].numpy()
        dist = on_segments(new, X_class, X_class, k)
        assert dist.max() < 1e-9, f"class {label}: a sample is off every kNN segment"


def test_segment_positions_cover_the_unit_interval():
    # one pair only: every sample is x0 + u (x1 - x0); u must look uniform on [0, 1)
    X = torch.tensor([[0.0, 0.0], [1.0, 2.0], [5.0, 5.0], [6.0, 5.0], [5.0, 6.0]])
    y = torch.tensor([1, 1, 0, 0, 0])
    X_res, _ = SMOTE(k_neighbors=1, sampling_strategy={1: 2002}, generator=0).fit_resample(X, y)
    new = X_res[5:]
    u = new[:, 0]
    assert torch.allclose(new[:, 1], 2 * u)
    assert float(u.min()) >= 0 and float(u.max()) < 1
    assert abs(float(u.mean()) - 0.5) < 0.03


def test_neighbours_equal_sklearn_and_pairs_are_uniform():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(40, 5, generator=g, dtype=torch.float64)
    _, plan, nn = smote(X, 4000, k_neighbors=3, generator=torch.Generator().manual_seed(0))
    from sklearn.neighbors import NearestNeighbors

    expected = NearestNeighbors(n_neighbors=4).fit(X.numpy()).kneighbors(X.numpy())[1][:, 1:]
    assert np.array_equal(nn.numpy(), expected)
    cells = torch.bincount(plan.rows * 3 + plan.cols, minlength=120).double()
    assert float(cells.min()) > 0 and float(cells.std() / cells.mean()) < 0.25


def test_interpolate_matches_float64_transcription():
    g = torch.Generator().manual_seed(3)
    X = torch.randn(10, 3, generator=g)
    nn = torch.randint(0, 10, (10, 2), generator=g)
    plan = random_pairs(10, 2, 7, generator=g, device=torch.device("cpu"), dtype=torch.float32)
    out = interpolate(X, X, nn, plan)
    X64 = X.double()
    ref = X64[plan.rows] + plan.steps.double()[:, None] * (
        X64[nn[plan.rows, plan.cols]] - X64[plan.rows]
    )
    assert out.dtype == torch.float32
    torch.testing.assert_close(out.double(), ref, rtol=1e-6, atol=1e-6)


def test_int_generator_is_deterministic_and_generators_differ(blobs):
    X, y = blobs()
    a = SMOTE(generator=5).fit_resample(X, y)
    b = SMOTE(generator=5).fit_resample(X, y)
    c = SMOTE(generator=6).fit_resample(X, y)
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])
    torch.manual_seed(0)
    d = SMOTE().fit_resample(X, y)
    torch.manual_seed(0)
    e = SMOTE().fit_resample(X, y)
    assert torch.equal(d[0], e[0])


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_dtype_kept(blobs, dtype):
    X, y = blobs(dtype=dtype)
    X_res, y_res = SMOTE(generator=0).fit_resample(X, y)
    assert X_res.dtype == dtype and y_res.dtype == y.dtype


def test_integer_features_truncate_like_imblearn():
    X = torch.tensor([[0, 0], [10, 10], [0, 10], [50, 50], [51, 50], [52, 50], [53, 50]])
    y = torch.tensor([1, 1, 1, 0, 0, 0, 0])
    X_res, _ = SMOTE(k_neighbors=2, generator=0).fit_resample(X, y)
    assert X_res.dtype == torch.int64
    new = X_res[7:]
    assert bool(((new >= 0) & (new <= 10)).all())


def test_images_keep_their_shape_and_interpolate_elementwise(on_segments):
    g = torch.Generator().manual_seed(0)
    X = torch.rand(30, 3, 4, 4, generator=g)
    y = torch.tensor([0] * 22 + [1] * 8)
    X_res, _ = SMOTE(k_neighbors=3, generator=0).fit_resample(X, y)
    assert X_res.shape == (44, 3, 4, 4)
    flat = X.reshape(30, -1).numpy()
    new = X_res[30:].reshape(14, -1).numpy()
    assert on_segments(new, flat[22:], flat[22:], 3).max() < 1e-6


def test_numpy_and_pandas_round_trip(blobs):
    X, y = blobs()
    frame = pd.DataFrame(X.numpy(), columns=list("abcd"))
    labels = pd.Series(np.where(y.numpy() == 1, "rare", "common"), name="target")
    X_res, y_res = SMOTE(generator=0).fit_resample(frame, labels)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == list("abcd")
    assert y_res.name == "target" and y_res.value_counts().to_dict() == {"common": 60, "rare": 60}


def test_works_inside_imblearn_pipeline_and_clone(blobs):
    from imblearn.pipeline import make_pipeline
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    X, y = blobs()
    pipe = make_pipeline(SMOTE(generator=0), LogisticRegression())
    pipe.set_params(smote__k_neighbors=3)
    assert clone(pipe).get_params()["smote__k_neighbors"] == 3
    scores = cross_val_score(pipe, X.numpy(), y.numpy(), cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and float(scores.mean()) > 0.6


def test_small_class_error_names_class_and_fixes():
    X = torch.randn(14, 2)
    y = torch.tensor([0] * 10 + [3] * 4)
    with pytest.raises(DataValidationError) as info:
        SMOTE().fit_resample(X, y)
    message = str(info.value)
    assert "k_neighbors=5" in message and "class 3" in message and "which has 4" in message
    assert "RandomOverSampler" in message and "Lower k_neighbors" in message
    labels = np.array(["big"] * 10 + ["tiny"] * 4)
    with pytest.raises(DataValidationError, match="class 'tiny'"):
        SMOTE().fit_resample(X.numpy(), labels)
    assert SMOTE(k_neighbors=3).fit_resample(X, y)[0].shape == (20, 2)


def test_bad_inputs_refused():
    X = torch.randn(20, 2)
    y = torch.tensor([0] * 14 + [1] * 6)
    bad = X.clone()
    bad[3, 1] = float("inf")
    with pytest.raises(DataValidationError, match="infinite"):
        SMOTE().fit_resample(bad, y)
    with pytest.raises(DataValidationError):
        SMOTE().fit_resample(X, torch.zeros(20, dtype=torch.long))
    with pytest.raises(InvalidParameterError, match="SMOTE: k_neighbors=0 is invalid"):
        SMOTE(k_neighbors=0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="generator"):
        SMOTE(generator=-1).fit_resample(X, y)


@settings(max_examples=25, deadline=None)
@given(
    n_min=st.integers(2, 12),
    n_maj=st.integers(13, 30),
    k=st.integers(1, 6),
    d=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_property_counts_and_bounding_box(n_min, n_maj, k, d, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n_min + n_maj, d, generator=g, dtype=torch.float64)
    y = torch.tensor([1] * n_min + [0] * n_maj)
    if n_min <= k:
        with pytest.raises(DataValidationError, match="class 1"):
            SMOTE(k_neighbors=k, generator=seed).fit_resample(X, y)
        return
    X_res, y_res = SMOTE(k_neighbors=k, generator=seed).fit_resample(X, y)
    assert int((y_res == 1).sum()) == n_maj
    new = X_res[len(y) :]
    lo, hi = X[:n_min].min(0).values, X[:n_min].max(0).values
    assert bool(((new >= lo - 1e-12) & (new <= hi + 1e-12)).all())


def test_tiny_class_with_nothing_to_generate_is_fine_like_imblearn():
    X = torch.randn(30, 2, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0] * 20 + [1] * 8 + [2] * 2)
    _, y_res = SMOTE(sampling_strategy={1: 20, 2: 2}, generator=0).fit_resample(X, y)
    theirs = imb.SMOTE(sampling_strategy={1: 20, 2: 2}, random_state=0)
    assert (
        np.bincount(y_res.numpy()).tolist()
        == np.bincount(theirs.fit_resample(X.numpy(), y.numpy())[1]).tolist()
    )


def test_bool_features_are_interpolated_as_before_the_integer_clipping():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(80, 4, generator=g) > 0.5
    y = (torch.arange(80) % 5 == 0).long()
    X_res, y_res = SMOTE(generator=0).fit_resample(X, y)
    assert X_res.dtype == torch.bool and int((y_res == 1).sum()) == 64
