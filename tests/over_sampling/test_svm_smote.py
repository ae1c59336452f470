from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.functional._svm import linear_svm
from torchbalance.over_sampling import SVMSMOTE

imb = pytest.importorskip("imblearn.over_sampling")


def test_linear_svm_is_a_stationary_point_of_the_primal(blobs):
    X, y = blobs((80, 30), d=3, shift=1.5)
    result = linear_svm(X, y == 1, C=1.0)
    mean, std = X.mean(0), X.std(0, unbiased=False)
    Z = (X - mean) / std
    w = (result.coef * std).requires_grad_(True)
    b = (result.intercept + (result.coef * mean).sum()).clone().requires_grad_(True)
    t = (y == 1).double() * 2 - 1
    loss = 0.5 * (w * w).sum() + (torch.clamp(1 - t * (Z @ w + b), min=0) ** 2).sum()
    loss.backward()
    assert float(w.grad.abs().max()) < 1e-5 and abs(float(b.grad)) < 1e-5
    # the decision function in input units, and support = margin violators
    f = X @ result.coef + result.intercept
    torch.testing.assert_close(t * f, result.margins)
    assert torch.equal(result.support, torch.nonzero(result.margins < 1).reshape(-1))


def test_linear_svm_agrees_with_sklearn_linearsvc_on_separable_direction(blobs):
    from sklearn.svm import LinearSVC

    X, y = blobs((100, 40), d=2, shift=2.0)
    Z = (X - X.mean(0)) / X.std(0, unbiased=False)
    ours = linear_svm(X, y == 1)
    sk = LinearSVC(
        C=1.0, loss="squared_hinge", intercept_scaling=100.0, tol=1e-8, max_iter=100000
    ).fit(Z.numpy(), y.numpy())
    w_ours = (ours.coef * X.std(0, unbiased=False)).numpy()
    cos = w_ours @ sk.coef_[0] / np.linalg.norm(w_ours) / np.linalg.norm(sk.coef_[0])
    assert cos > 0.999


def test_samples_are_interpolated_or_extrapolated_from_support_vectors(blobs, geometry):
    knn_pairs, segment_distance = geometry
    X, y = blobs((150, 40), d=2, shift=1.5)
    sampler = SVMSMOTE(k_neighbors=3, out_step=0.5, generator=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert int((y_res == 1).sum()) == 150
    support = X[sampler.support_indices_[1]].numpy()
    X_class = X[y == 1].numpy()
    starts, ends = knn_pairs(X_class, support, 3)
    # interpolation: on [sv, nn]; extrapolation: on [sv, sv - 0.5 (nn - sv)]
    mirrored = starts - 0.5 * (ends - starts)
    new = X_res[len(y) :].numpy()
    d_in, _ = segment_distance(new, starts, ends)
    d_out, _ = segment_distance(new, starts, mirrored)
    assert np.minimum(d_in, d_out).max() < 1e-9


def test_support_vectors_with_sklearn_svc_match_imblearn(blobs):
    from sklearn.svm import SVC

    X, y = blobs((150, 40), d=2, shift=1.0)
    ours = SVMSMOTE(svm_estimator=SVC(gamma="scale"), generator=0)
    ours.fit_resample(X, y)
    theirs = imb.SVMSMOTE(random_state=0)
    theirs.fit_resample(X.numpy(), y.numpy())
    sv = theirs.svm_estimator_.support_
    sv = sv[y.numpy()[sv] == 1]
    assert set(ours.support_indices_[1].tolist()) <= set(sv.tolist())
    assert len(ours.support_indices_[1]) > 0


def test_bad_svm_estimator_and_all_noise():
    X = torch.randn(40, 2)
    y = torch.tensor([0] * 30 + [1] * 10)
    with pytest.raises(InvalidParameterError, match="svm_estimator"):
        SVMSMOTE(svm_estimator=object()).fit_resample(X, y)
    # minority points scattered alone inside the majority: every support vector is noise
    Xn = torch.cat([torch.linspace(0, 100, 40)[:, None], torch.zeros(40, 1)], 1)
    yn = torch.zeros(40, dtype=torch.long)
    yn[[3, 10, 17, 24, 31, 38]] = 1
    with pytest.raises(DataValidationError, match="noise"):
        SVMSMOTE(k_neighbors=2, m_neighbors=2).fit_resample(Xn, yn)


def test_integer_samples_extrapolated_past_the_dtype_are_clipped_not_wrapped():
    # bright uint8 minority pixels: extrapolating away from the majority passes 255
    g = torch.Generator().manual_seed(0)
    y = torch.tensor([0] * 80 + [1] * 20)
    X = torch.cat(
        [torch.rand(80, 2, generator=g) * 255, torch.rand(20, 2, generator=g) * 60 + 195]
    ).to(torch.uint8)
    X_res, _ = SVMSMOTE(generator=0).fit_resample(X, y)
    as_float, _ = SVMSMOTE(generator=0).fit_resample(X.double(), y)
    past = as_float[100:] > 255
    assert bool(past.any())  # the case this test is about happens
    assert X_res.dtype == torch.uint8
    assert torch.equal(X_res[100:][past], torch.full_like(X_res[100:][past], 255))
    inside = ~past
    assert torch.equal(X_res[100:][inside], as_float[100:][inside].to(torch.uint8))
