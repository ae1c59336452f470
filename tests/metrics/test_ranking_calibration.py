from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metrics._oracle_metrics import compare
from torchbalance import metrics as M
from torchbalance.exceptions import DataValidationError, InvalidParameterError


@st.composite
def binary_scores(draw):
    n = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    # few distinct values -> many ties; sometimes a single class
    p_pos = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    y = (rng.random(n) < p_pos).astype(np.int64)
    levels = draw(st.sampled_from([2, 5, 1000]))
    score = rng.integers(0, levels, n) / levels
    return y, score, draw(st.booleans())


def t(x, as_tensor):
    return torch.from_numpy(x) if as_tensor else x


@settings(max_examples=80, deadline=None)
@given(data=binary_scores(), drop=st.booleans())
def test_curves(data, drop):
    y, s, as_tensor = data
    compare(
        M.roc_curve,
        skm.roc_curve,
        (t(y, as_tensor), t(s, as_tensor)),
        (y, s),
        drop_intermediate=drop,
    )
    compare(
        M.precision_recall_curve, skm.precision_recall_curve,
        (t(y, as_tensor), t(s, as_tensor)), (y, s), drop_intermediate=drop,
    )  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(data=binary_scores(), max_fpr=st.sampled_from([None, 1.0, 0.3, 0.05]))
def test_binary_auc_and_ap(data, max_fpr):
    y, s, as_tensor = data
    compare(
        M.roc_auc_score,
        skm.roc_auc_score,
        (t(y, as_tensor), t(s, as_tensor)),
        (y, s),
        max_fpr=max_fpr,
    )
    compare(
        M.average_precision_score,
        skm.average_precision_score,
        (t(y, as_tensor), t(s, as_tensor)),
        (y, s),
    )


@st.composite
def multiclass_probs(draw):
    n = draw(st.integers(2, 40))
    c = draw(st.integers(3, 5))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    y = rng.integers(0, c, n)
    if draw(st.booleans()):  # make sure every class appears (needed without labels)
        y[:c] = np.arange(c) if n >= c else y[:c]
    levels = draw(st.sampled_from([3, 1000]))
    raw = rng.integers(1, levels + 1, (n, c)).astype(np.float64)
    probs = raw / raw.sum(1, keepdims=True)
    return y, probs


@settings(max_examples=60, deadline=None)
@given(
    data=multiclass_probs(),
    multi_class=st.sampled_from(["ovr", "ovo"]),
    average=st.sampled_from(["macro", "weighted", "micro", None]),
    with_labels=st.booleans(),
)
def test_multiclass_auc(data, multi_class, average, with_labels):
    y, p = data
    labels = list(range(p.shape[1])) if with_labels else None
    compare(
        M.roc_auc_score, skm.roc_auc_score, (torch.from_numpy(y), torch.from_numpy(p)), (y, p),
        multi_class=multi_class, average=average, labels=labels,
    )  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(data=multiclass_probs(), average=st.sampled_from(["macro", "weighted", "micro", None]))
def test_multiclass_ap(data, average):
    y, p = data
    compare(
        M.average_precision_score, skm.average_precision_score,
        (torch.from_numpy(y), torch.from_numpy(p)), (y, p), average=average,
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 30),
    n_labels=st.integers(2, 4),
    seed=st.integers(0, 10_000),
    average=st.sampled_from(["macro", "weighted", "micro", "samples", None]),
)
# no positive label at all: "weighted" is 0 at once, with no per-label warning
@example(n=2, n_labels=2, seed=1893, average="weighted")
def test_multilabel_auc_ap(n, n_labels, seed, average):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < 0.4).astype(np.int64)
    s = rng.integers(0, 6, (n, n_labels)) / 6
    args = (torch.from_numpy(y), torch.from_numpy(s))
    compare(M.average_precision_score, skm.average_precision_score, args, (y, s), average=average)
    compare(M.roc_auc_score, skm.roc_auc_score, args, (y, s), average=average)


def test_ranking_bad_input():
    y = torch.tensor([0, 1, 2, 1])
    p = torch.tensor([[0.5, 0.3, 0.3], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
    with pytest.raises(DataValidationError, match="sum(ming)? to 1.0"):
        M.roc_auc_score(y, p, multi_class="ovr")
    with pytest.raises(InvalidParameterError, match="multi_class='raise'"):
        M.roc_auc_score(y, p / p.sum(1, keepdim=True))
    with pytest.raises(DataValidationError, match="y_score contains 1 NaN"):
        M.roc_auc_score(torch.tensor([0, 1]), torch.tensor([0.5, float("nan")]))
    with pytest.raises(DataValidationError, match="y_true has 2, y_score has 3"):
        M.average_precision_score(torch.tensor([0, 1]), torch.tensor([0.5, 0.2, 0.1]))
    with pytest.raises(DataValidationError, match="Number of classes in y_true"):
        M.roc_auc_score(torch.tensor([0, 1, 1]), torch.full((3, 3), 1 / 3), multi_class="ovr")
    with pytest.warns(M.UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(M.roc_auc_score(torch.tensor([1, 1]), torch.tensor([0.2, 0.3])))


def test_num_classes_for_absent_class_in_auc():
    y = torch.tensor([0, 1, 0, 1])
    p = torch.tensor([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    with pytest.warns(M.UndefinedMetricWarning):
        got = M.roc_auc_score(y, p, multi_class="ovr", num_classes=3, average=None)
    assert got[:2].tolist() == [1.0, 1.0] and np.isnan(got[2].item())


# ----------------------------------------------------------------------------- calibration
def ece_reference(y, prob, n_bins, norm):
    """Guo et al.'s ECE in float64, bins (b/n, (b+1)/n]."""
    y, prob = np.asarray(y), np.asarray(prob, dtype=np.float64)
    if prob.ndim == 1:
        conf, acc = prob, y.astype(np.float64)
    else:
        conf, acc = prob.max(1), (prob.argmax(1) == y).astype(np.float64)
    edges = np.linspace(0, 1, n_bins + 1)
    gaps, weights = [], []
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        inside = (conf > lo) & (conf <= hi) if b else (conf >= lo) & (conf <= hi)
        if inside.any():
            gaps.append(abs(acc[inside].mean() - conf[inside].mean()))
            weights.append(inside.mean())
    gaps, weights = np.array(gaps), np.array(weights)
    if norm == "l1":
        return float((gaps * weights).sum())
    if norm == "l2":
        return float(np.sqrt((gaps**2 * weights).sum()))
    return float(gaps.max())


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 50),
    c=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    n_bins=st.sampled_from([1, 7, 15]),
    norm=st.sampled_from(["l1", "l2", "max"]),
)
def test_ece_matches_the_equation_and_torchmetrics(n, c, seed, n_bins, norm):
    rng = np.random.default_rng(seed)
    if c == 1:
        prob = rng.random(n)
        y = (rng.random(n) < 0.3).astype(np.int64)
    else:
        raw = rng.random((n, c)) + 1e-3
        prob = raw / raw.sum(1, keepdims=True)
        y = rng.integers(0, c, n)
    got = M.expected_calibration_error(
        torch.from_numpy(y), torch.from_numpy(prob), n_bins=n_bins, norm=norm
    )
    assert got == pytest.approx(ece_reference(y, prob, n_bins, norm), abs=1e-9)
    tmf = pytest.importorskip("torchmetrics.functional.classification")
    if c == 1:
        ref = tmf.binary_calibration_error(
            torch.from_numpy(prob), torch.from_numpy(y), n_bins=n_bins, norm=norm
        )
    else:
        ref = tmf.multiclass_calibration_error(
            torch.from_numpy(prob), torch.from_numpy(y), num_classes=c, n_bins=n_bins, norm=norm
        )
    assert got == pytest.approx(float(ref), abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(1, 40),
    c=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    half=st.sampled_from(["auto", True, False]),
)
def test_brier(n, c, seed, half):
    rng = np.random.default_rng(seed)
    if c == 1:
        prob = rng.random(n)
        y = (rng.random(n) < 0.4).astype(np.int64)
        compare(
            M.brier_score_loss,
            skm.brier_score_loss,
            (torch.from_numpy(y), torch.from_numpy(prob)),
            (y, prob),
            scale_by_half=half,
        )
    else:
        raw = rng.random((n, c)) + 1e-3
        prob = raw / raw.sum(1, keepdims=True)
        y = rng.integers(0, c, n)
        labels = list(range(c))
        compare(
            M.brier_score_loss, skm.brier_score_loss, (torch.from_numpy(y), torch.from_numpy(prob)),
            (y, prob), scale_by_half=half, labels=labels,
        )  # fmt: skip


def test_calibration_bad_input():
    y = torch.tensor([0, 1, 2])
    with pytest.raises(DataValidationError, match="rows of y_prob must sum to one"):
        M.expected_calibration_error(y, torch.full((3, 3), 0.5))
    with pytest.raises(DataValidationError, match=r"outside \[0, 1\]"):
        M.expected_calibration_error(torch.tensor([0, 1]), torch.tensor([0.5, 1.5]))
    with pytest.raises(DataValidationError, match="NaN"):
        M.brier_score_loss(torch.tensor([0, 1]), torch.tensor([0.5, float("nan")]))
    with pytest.raises(DataValidationError, match="y_true has 2, y_proba has 3"):
        M.brier_score_loss(torch.tensor([0, 1]), torch.tensor([0.5, 0.1, 0.2]))
    with pytest.raises(InvalidParameterError, match="n_bins=0 is invalid"):
        M.expected_calibration_error(torch.tensor([0, 1]), torch.tensor([0.5, 0.1]), n_bins=0)


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ([1, 0, 2], "sorted and distinct"),
        ([0, 1], "2 entries but y_proba has 3 columns"),
        ([0, 1, 2, 3], "4 entries but y_proba has 3 columns"),
        ([0, 1, 3], r"labels \[2\] not in labels"),
    ],
)
def test_brier_labels_must_name_the_columns(labels, match):
    from torchbalance.exceptions import DataValidationError
    from torchbalance.metrics import brier_score_loss

    y = [0, 1, 2, 2]
    P = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]]
    assert brier_score_loss(y, P, labels=[0, 1, 2]) == pytest.approx(
        skm.brier_score_loss(y, P, labels=[0, 1, 2])
    )
    with pytest.raises(DataValidationError, match=match):
        brier_score_loss(y, P, labels=labels)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_softmax_rows_are_probabilities(dtype):
    # their rows miss 1 by a few ulps (about 3e-3 in bfloat16): accepted, logits still refused
    from torchbalance.metrics import ImbalanceMetrics

    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 5, (2000,), generator=g)
    probs = torch.softmax(torch.randn(2000, 5, generator=g) * 3, 1).to(dtype)
    assert float((probs.double().sum(1) - 1).abs().max()) > 1.1e-5  # the case at hand
    want = M.brier_score_loss(y, probs.double() / probs.double().sum(1, keepdim=True))
    assert M.brier_score_loss(y, probs) == pytest.approx(want, abs=1e-2)
    M.expected_calibration_error(y, probs)
    M.roc_auc_score(y, probs, multi_class="ovr")
    streaming = ImbalanceMetrics(5, metrics=["roc_auc", "ece", "brier"])
    streaming.update(probs, y)
    streaming.compute()
    logits = torch.randn(2000, 5, generator=g).abs().to(dtype) / 5
    with pytest.raises(DataValidationError, match="summing to 1.0"):
        M.roc_auc_score(y, logits, multi_class="ovr")


@pytest.mark.parametrize("as_tensor", [True, False])
def test_a_one_column_score_is_the_binary_score(as_tensor):
    # a sigmoid head gives (n, 1); scikit-learn reads it as the positive class's score
    y = np.array([0, 0, 1, 1, 0, 1])
    column = np.array([[0.27], [0.55], [0.6], [0.88], [0.38], [0.48]])
    for name in ("roc_auc_score", "average_precision_score"):
        got = getattr(M, name)(t(y, as_tensor), t(column, as_tensor))
        expected = getattr(skm, name)(y, column)
        assert got == pytest.approx(expected, abs=1e-12), name
    for name in ("expected_calibration_error", "brier_score_loss"):
        metric = getattr(M, name)
        got = metric(t(y, as_tensor), t(column, as_tensor))
        assert got == metric(t(y, as_tensor), t(column.reshape(-1), as_tensor)), name
