from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics._metrics_helpers import ALL, assert_same, make_data, worker
from torchbalance import metrics as M
from torchbalance.exceptions import DataValidationError, InvalidParameterError


def one_shot(y, probs, c):
    """The functional metrics on all the data, with num_classes=c (and zero_division=0)."""
    pred = probs.argmax(1) if probs.dim() == 2 else (probs >= 0.5).long()
    kw = dict(num_classes=c)
    p, r, f, s = M.precision_recall_fscore_support(y, pred, zero_division=0, **kw)
    _, spe, _ = M.sensitivity_specificity_support(y, pred, **kw)
    iba = M.make_index_balanced_accuracy(alpha=0.1)(M.geometric_mean_score)(
        y, pred, average=None, **kw
    )
    score = probs if c > 2 else (probs if probs.dim() == 1 else probs[:, 1])
    out = {
        "accuracy": M.accuracy_score(y, pred),
        "balanced_accuracy": M.balanced_accuracy_score(y, pred, **kw),
        "geometric_mean": M.geometric_mean_score(y, pred, **kw),
        "mcc": M.matthews_corrcoef(y, pred, **kw),
        "cohen_kappa": M.cohen_kappa_score(y, pred, **kw),
        "macro_f1": M.f1_score(y, pred, average="macro", zero_division=0, **kw),
        "weighted_f1": M.f1_score(y, pred, average="weighted", zero_division=0, **kw),
        "micro_f1": M.f1_score(y, pred, average="micro", zero_division=0, **kw),
        "precision": p,
        "recall": r,
        "specificity": spe,
        "f1": f,
        "iba": iba,
        "support": s,
        "confusion_matrix": M.confusion_matrix(y, pred, **kw),
        "ece": M.expected_calibration_error(y, probs if c > 2 else score),
        "brier": M.brier_score_loss(
            y, probs if c > 2 else score, labels=list(range(c)) if c > 2 else None
        ),
    }
    if c > 2:
        out["roc_auc"] = M.roc_auc_score(y, score, multi_class="ovr", num_classes=c)
        out["average_precision"] = float(
            np.mean(
                [
                    M.average_precision_score((y == k).long(), score[:, k])
                    if bool((y == k).any())
                    else 0.0
                    for k in range(c)
                ]
            )
        )
    else:
        out["roc_auc"] = M.roc_auc_score(y, score)
        out["average_precision"] = M.average_precision_score(y, score)
    return out


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(6, 80),
    c=st.integers(2, 4),
    seed=st.integers(0, 1000),
    n_splits=st.integers(1, 5),
    binary_1d=st.booleans(),
)
def test_streaming_over_random_batches_equals_one_shot(n, c, seed, n_splits, binary_1d):
    y, probs = make_data(n, c, seed, binary_1d and c == 2)
    metric = M.ImbalanceMetrics(c, metrics=ALL, zero_division=0)
    cuts = sorted(
        np.random.default_rng(seed).choice(np.arange(1, n), n_splits - 1, replace=False).tolist()
    )
    for yb, pb in zip(torch.tensor_split(y, cuts), torch.tensor_split(probs, cuts), strict=True):
        metric.update(pb, yb)
    assert_same(metric.compute(), one_shot(y, probs, c))
    metric.reset()
    metric.update(probs, y)
    assert_same(metric.compute(), one_shot(y, probs, c))


def test_labels_as_predictions_and_confusion_matrix_module():
    y = torch.tensor([0, 1, 2, 2, 1, 0, 0])
    pred = torch.tensor([0, 2, 2, 2, 1, 1, 0])
    cm = M.ConfusionMatrix(3)
    for i in range(0, 7, 3):
        cm(pred[i : i + 3], y[i : i + 3])
    assert torch.equal(cm.compute(), M.confusion_matrix(y, pred))
    assert "confmat" in cm.state_dict()
    cm.reset()
    assert int(cm.compute().sum()) == 0
    m = M.ImbalanceMetrics(3, metrics=["balanced_accuracy", "mcc"])
    m.update(pred, y)
    got = m.compute()
    assert got["balanced_accuracy"] == pytest.approx(M.balanced_accuracy_score(y, pred))
    assert got["mcc"] == pytest.approx(M.matthews_corrcoef(y, pred))


def test_binned_curves_are_within_the_stated_bound():
    y, probs = make_data(3000, 4, 0)
    exact = M.ImbalanceMetrics(4, metrics=["roc_auc", "average_precision"])
    binned = M.ImbalanceMetrics(
        4, metrics=["roc_auc", "average_precision"], curves="binned", curve_bins=200
    )
    for chunk in range(0, 3000, 700):
        exact.update(probs[chunk : chunk + 700], y[chunk : chunk + 700])
        binned.update(probs[chunk : chunk + 700], y[chunk : chunk + 700])
    e, b = exact.compute(), binned.compute()
    assert abs(e["roc_auc"] - b["roc_auc"]) <= b["roc_auc_error_bound"] + 1e-12
    assert b["roc_auc_error_bound"] < 5e-3
    assert abs(e["average_precision"] - b["average_precision"]) < 1e-2
    # scores already on the bin grid: binned equals exact
    yq, pq = make_data(500, 2, 1, binary_1d=True)
    pq = (pq * 50).floor() / 50 + 1e-4
    ex = M.ImbalanceMetrics(2, metrics=["roc_auc", "average_precision"])
    bi = M.ImbalanceMetrics(
        2, metrics=["roc_auc", "average_precision"], curves="binned", curve_bins=50
    )
    ex.update(pq, yq)
    bi.update(pq, yq)
    got, want = bi.compute(), ex.compute()
    assert got["roc_auc"] == pytest.approx(want["roc_auc"], abs=1e-12)
    assert got["average_precision"] == pytest.approx(want["average_precision"], abs=1e-12)


@pytest.mark.parametrize("metric", [M.ConfusionMatrix, M.ImbalanceMetrics])
def test_one_d_logits_are_refused_even_for_label_metrics_alone(metric):
    # thresholded at 0.5 as if they were probabilities, logits were scored with the wrong rule
    m = metric(2) if metric is M.ConfusionMatrix else metric(2, metrics=["balanced_accuracy"])
    with pytest.raises(DataValidationError, match=r"outside \[0, 1\] \(logits\?\)"):
        m.update(torch.tensor([-2.0, -0.3, 0.4, 2.0]), torch.tensor([0, 0, 1, 1]))


def test_streaming_bad_input():
    with pytest.raises(InvalidParameterError, match="num_classes=1 is invalid"):
        M.ConfusionMatrix(1)
    with pytest.raises(InvalidParameterError, match="metrics=\\['auc'\\] is invalid"):
        M.ImbalanceMetrics(3, metrics=["auc"])
    m = M.ImbalanceMetrics(3, metrics=["roc_auc"])
    with pytest.raises(DataValidationError, match=r"target holds the label 3, outside \[0, 3\)"):
        m.update(torch.full((2, 3), 1 / 3), torch.tensor([0, 3]))
    with pytest.raises(DataValidationError, match="preds has 2 samples but target has 3"):
        m.update(torch.full((2, 3), 1 / 3), torch.tensor([0, 1, 2]))
    with pytest.raises(DataValidationError, match="rows of preds must sum to one"):
        m.update(torch.ones(2, 3), torch.tensor([0, 1]))
    with pytest.raises(DataValidationError, match="preds contains 1 NaN"):
        m.update(torch.tensor([[float("nan"), 0.5, 0.5], [0.2, 0.3, 0.5]]), torch.tensor([0, 1]))
    with pytest.raises(DataValidationError, match="need probabilities; preds holds labels"):
        m.update(torch.tensor([0, 1]), torch.tensor([0, 1]))
    with pytest.raises(DataValidationError, match=r"preds holds the label 5"):
        M.ConfusionMatrix(3).update(torch.tensor([0, 5]), torch.tensor([0, 1]))


def test_gloo_two_processes(tmp_path):
    init = f"file://{tmp_path / 'rendezvous'}"
    out = str(tmp_path / "metrics")
    mp.spawn(worker, args=(2, init, out), nprocs=2, join=True)
    results = [json.loads(Path(f"{out}.{r}").read_text()) for r in range(2)]
    y, probs = make_data(301, 4, 7)
    single = M.ImbalanceMetrics(4, metrics=ALL, zero_division=0)
    single.update(probs, y)
    binned = M.ImbalanceMetrics(4, metrics=["roc_auc", "average_precision", "ece"], curves="binned")
    binned.update(probs, y)
    want_binned = binned.compute()
    for res in results:
        assert_same({k: v for k, v in res.items() if k not in ("binned", "cm")}, single.compute())
        assert res["cm"] == M.confusion_matrix(y, probs.argmax(1), num_classes=4).tolist()
        lonely = M.ImbalanceMetrics(
            4, metrics=["roc_auc", "average_precision", "balanced_accuracy"]
        )
        lonely.update(probs.float(), y)
        for key, value in lonely.compute().items():
            assert math.isclose(res["lonely"][key], value, abs_tol=1e-12)
        for key, value in want_binned.items():
            assert math.isclose(res["binned"][key], value, abs_tol=1e-12)


def test_collectives_under_nccl_go_through_the_gpu(monkeypatch):
    # NCCL takes CUDA tensors only: a metric left on the CPU syncs through the rank's GPU
    from torchbalance.metrics import _streaming

    monkeypatch.setattr(_streaming.dist, "get_backend", lambda: "nccl")
    monkeypatch.setattr(_streaming.torch.cuda, "current_device", lambda: 1)
    assert _streaming._collective_device(torch.zeros(2)) == torch.device("cuda", 1)
    monkeypatch.setattr(_streaming.dist, "get_backend", lambda: "gloo")
    assert _streaming._collective_device(torch.zeros(2)) == torch.device("cpu")
