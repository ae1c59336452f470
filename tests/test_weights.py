from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.weights import class_weights

sklearn_class_weight = pytest.importorskip("sklearn.utils.class_weight")


@settings(max_examples=100, deadline=None)
@given(counts=st.lists(st.integers(1, 500), min_size=1, max_size=12))
def test_balanced_equals_sklearn(counts):
    y = np.repeat(np.arange(len(counts)), counts)
    expected = sklearn_class_weight.compute_class_weight(
        "balanced", classes=np.arange(len(counts)), y=y
    )
    ours = class_weights(torch.from_numpy(y), "balanced", dtype=torch.float64)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=1e-12)
    from_counts = class_weights(counts, from_counts=True, dtype=torch.float64)
    np.testing.assert_allclose(from_counts.numpy(), expected, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(counts=st.lists(st.integers(0, 300), min_size=2, max_size=8).filter(lambda c: any(c)))
def test_balanced_with_absent_classes_matches_sklearn_on_present(counts):
    y = np.repeat(np.arange(len(counts)), counts)
    present = np.unique(y)
    expected = sklearn_class_weight.compute_class_weight("balanced", classes=present, y=y)
    ours = class_weights(counts, from_counts=True, on_missing="zero", dtype=torch.float64)
    np.testing.assert_allclose(ours.numpy()[present], expected, rtol=1e-12)
    assert (ours.numpy()[np.asarray(counts) == 0] == 0).all()


def test_schemes_formulas():
    counts = torch.tensor([100.0, 25.0, 4.0])
    inverse = class_weights(counts, "inverse", from_counts=True, dtype=torch.float64)
    torch.testing.assert_close(inverse, 1 / counts.double())
    inverse_sqrt = class_weights(counts, "inverse_sqrt", from_counts=True, dtype=torch.float64)
    torch.testing.assert_close(inverse_sqrt, torch.tensor([0.1, 0.2, 0.5], dtype=torch.float64))
    beta = 0.99
    effective = class_weights(
        counts, "effective_number", from_counts=True, beta=beta, dtype=torch.float64
    )
    expected = [(1 - beta) / (1 - beta**n) for n in (100, 25, 4)]
    torch.testing.assert_close(effective, torch.tensor(expected, dtype=torch.float64))


def test_effective_number_limits():
    counts = [1000, 10]
    # beta = 0 gives no re-weighting; beta -> 1 approaches inverse frequency.
    assert class_weights(counts, "effective_number", from_counts=True, beta=0.0).tolist() == [
        1.0,
        1.0,
    ]
    near_one = class_weights(
        counts, "effective_number", from_counts=True, beta=1 - 1e-9, normalize="sum"
    )
    inverse = class_weights(counts, "inverse", from_counts=True, normalize="sum")
    torch.testing.assert_close(near_one, inverse, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("normalize", "check"),
    [
        ("mean", lambda w: w.mean().item() == pytest.approx(1.0)),
        ("sum", lambda w: w.sum().item() == pytest.approx(1.0)),
        ("max", lambda w: w.max().item() == pytest.approx(1.0)),
    ],
)
def test_normalisation(normalize, check):
    assert check(
        class_weights([50, 20, 5], "effective_number", from_counts=True, normalize=normalize)
    )


def test_dtype_and_device_follow_request():
    weights = class_weights(torch.tensor([0, 1, 1]))
    assert weights.dtype == torch.get_default_dtype()
    assert class_weights([3, 1], from_counts=True, dtype=torch.float64).dtype == torch.float64


def test_usable_as_cross_entropy_weight():
    y = torch.tensor([0, 0, 0, 1])
    loss = torch.nn.CrossEntropyLoss(weight=class_weights(y))
    assert torch.isfinite(loss(torch.randn(4, 2), y))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scheme": "magic"}, InvalidParameterError, "scheme='magic'"),
        ({"scheme": "effective_number", "beta": 1.0}, InvalidParameterError, "beta=1.0"),
        ({"normalize": "median"}, InvalidParameterError, "normalize='median'"),
        ({"on_missing": "ignore"}, InvalidParameterError, "on_missing='ignore'"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        class_weights(torch.tensor([0, 1]), **kwargs)


def test_missing_class_refused_by_default():
    with pytest.raises(DataValidationError, match=r"class\(es\) \[1\] have no samples"):
        class_weights(torch.tensor([0, 2, 2]))


@pytest.mark.parametrize(
    ("counts", "kwargs", "match"),
    [
        ([[1, 2]], {}, "1-D"),
        ([], {}, "1-D"),
        ([1, -2], {}, "finite and >= 0"),
        ([0, 0], {}, "no samples"),
        ([1, 2], {"num_classes": 3}, "num_classes=3 but 2 counts"),
    ],
)
def test_bad_counts(counts, kwargs, match):
    with pytest.raises(DataValidationError, match=match):
        class_weights(counts, from_counts=True, **kwargs)
