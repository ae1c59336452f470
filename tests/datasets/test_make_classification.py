"""make_classification: exact class counts, the documented structure, refusals."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.datasets import make_classification
from torchbalance.datasets._synthetic import _largest_remainder
from torchbalance.exceptions import InvalidParameterError


def test_shapes_dtypes_and_exact_counts():
    X, y = make_classification(10_000, 12, weights=[0.99, 0.01], generator=0)
    assert X.shape == (10_000, 12) and X.dtype == torch.float32 and X.device.type == "cpu"
    assert y.shape == (10_000,) and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [9900, 100]
    assert bool(torch.isfinite(X).all())


def test_larger_draw_and_float64():
    X, y = make_classification(
        200_000, 20, n_informative=4, n_classes=5, dtype=torch.float64, generator=1
    )
    assert X.dtype == torch.float64
    assert torch.bincount(y).tolist() == [40_000] * 5


def test_weights_of_all_but_the_last_class():
    _, y = make_classification(
        1000, 4, n_informative=3, n_redundant=0, n_classes=3, weights=[0.7, 0.2], generator=0
    )
    assert torch.bincount(y).tolist() == [700, 200, 100]


def test_largest_remainder_rounding():
    # 10 * [1/3, 1/3, 1/3] = 3.33 each: the leftover sample goes to the lowest class.
    assert _largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    # 7 * [0.5, 0.3, 0.2] = [3.5, 2.1, 1.4]: floors [3, 2, 1], leftover 1 to class 0 (0.5).
    assert _largest_remainder(7, [0.5, 0.3, 0.2]) == [4, 2, 1]
    # Weights are normalised.
    assert _largest_remainder(100, [9, 1]) == [90, 10]


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 10**7),
    weights=st.lists(st.floats(0.0, 100.0), min_size=2, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_largest_remainder_properties(n, weights):
    counts = _largest_remainder(n, weights)
    assert sum(counts) == n
    total = sum(weights)
    for count, w in zip(counts, weights, strict=True):
        assert abs(count - n * w / total) < 1 + 1e-6


def test_int_seed_is_deterministic_and_rows_are_shuffled():
    X1, y1 = make_classification(500, 6, generator=7)
    X2, y2 = make_classification(500, 6, generator=7)
    X3, _ = make_classification(500, 6, generator=8)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)
    assert not bool((y1[1:] >= y1[:-1]).all())  # not grouped by class
    _, y_sorted = make_classification(500, 6, shuffle=False, generator=7)
    assert bool((y_sorted[1:] >= y_sorted[:-1]).all())


def test_column_structure():
    X, y = make_classification(
        5000,
        10,
        n_informative=3,
        n_redundant=2,
        n_classes=4,
        n_clusters_per_class=1,
        class_sep=3.0,
        generator=0,
    )
    informative, redundant, noise = X[:, :3], X[:, 3:5], X[:, 5:]
    # Redundant columns are exact linear combinations of the informative ones.
    solution = torch.linalg.lstsq(informative.double(), redundant.double()).solution
    residual = redundant.double() - informative.double() @ solution
    assert float(residual.abs().max()) < 1e-4
    # Noise columns are standard normal and carry no class information.
    assert abs(float(noise.mean())) < 0.05 and abs(float(noise.std()) - 1) < 0.05
    # Well separated clusters: a nearest-class-mean rule on the informative columns is accurate.
    means = torch.stack([informative[y == c].mean(0) for c in range(4)])
    predicted = torch.cdist(informative, means).argmin(1)
    assert float((predicted == y).float().mean()) > 0.9
    # The class means sit near distinct hypercube vertices (+-class_sep per coordinate).
    assert torch.unique(torch.sign(means), dim=0).shape[0] == 4


def test_flip_y_relabels_a_fraction():
    _, y_clean = make_classification(20_000, 5, generator=3)
    _, y_flip = make_classification(20_000, 5, flip_y=0.5, generator=3)
    assert torch.bincount(y_clean).tolist() == [10_000, 10_000]
    changed = float((y_clean != y_flip).float().mean())
    assert 0.2 < changed < 0.3  # half are redrawn, half of those to another class
    assert set(y_flip.unique().tolist()) == {0, 1}


def test_torch_generator_and_many_informative_dimensions():
    g = torch.Generator().manual_seed(0)
    X, y = make_classification(300, 40, n_informative=30, n_classes=3, generator=g)
    assert X.shape == (300, 40) and torch.bincount(y).tolist() == [100, 100, 100]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 0}, r"n_samples=0 is invalid"),
        ({"n_features": 3}, r"n_informative \+ n_redundant = 4 exceeds n_features=3"),
        ({"n_classes": 1}, r"n_classes=1 is invalid"),
        ({"n_classes": 3}, r"6 clusters .* n_informative=2 has only 4; use n_informative >= 3"),
        ({"weights": [0.5, 0.3, 0.2]}, "weights has 3 entries but n_classes=2"),
        ({"weights": [1.2]}, r"sum to 1.2 >= 1"),
        ({"weights": [-0.1, 1.1]}, "must be finite and >= 0"),
        ({"weights": "0.9"}, "list of class proportions"),
        ({"weights": [0.9999, 0.0001]}, "give class 1 zero samples; raise n_samples"),
        ({"flip_y": 1.5}, r"flip_y=1.5 is invalid"),
        ({"dtype": torch.int64}, "must be a floating dtype"),
        ({"generator": 1.5}, "generator=1.5"),
    ],
)
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        make_classification(**{"n_samples": 100, **kwargs})


def test_counts_scale_to_extreme_imbalance():
    n = 1_000_003
    _, y = make_classification(n, 2, n_informative=1, n_redundant=0, n_clusters_per_class=1,
                               weights=[0.999, 0.001], generator=0)  # fmt: skip
    # Quotas 999002.997 and 1000.003: the leftover sample goes to the larger remainder.
    assert torch.bincount(y).tolist() == [999_003, 1000]
