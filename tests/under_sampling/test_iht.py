"""InstanceHardnessThreshold's cross-validation: scikit-learn's cross_val_predict as oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, PredefinedSplit, ShuffleSplit, cross_val_predict

from torchbalance.exceptions import InvalidParameterError, TorchBalanceWarning
from torchbalance.under_sampling import InstanceHardnessThreshold


def _three_classes():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 12 + [2] * 8)
    return rng.normal(size=(50, 3)) + 3 * np.eye(3)[y], y


def test_splits_that_miss_rows_are_refused():
    X, y = _three_classes()
    iht = InstanceHardnessThreshold(
        estimator=LogisticRegression(), cv=ShuffleSplit(n_splits=2, test_size=0.2, random_state=0)
    )
    with pytest.raises(InvalidParameterError, match="in no test fold"):
        iht.fit_resample(X, y)


def _fold_without_class_1_in_training():
    fold = np.full(50, -1)
    fold[30:42] = 0
    fold[[0, 1, 2]] = 0
    fold[3:16] = 1
    fold[16:30] = 2
    fold[42:46] = 1
    fold[46:50] = 2
    return PredefinedSplit(fold)


@pytest.mark.parametrize(
    "cv",
    [_fold_without_class_1_in_training(), KFold(3)],  # KFold(3) on sorted rows: class 2 absent
    ids=["class-1-absent", "last-class-absent"],
)
def test_a_class_missing_from_a_training_fold_gets_probability_zero(cv):
    X, y = _three_classes()
    iht = InstanceHardnessThreshold(estimator=LogisticRegression(), cv=cv)
    with pytest.warns(TorchBalanceWarning, match="had none of their class"):
        iht.fit_resample(X, y)
    with pytest.warns(RuntimeWarning, match="Number of classes in training fold"):
        proba = cross_val_predict(LogisticRegression(), X, y, cv=cv, method="predict_proba")
    expected = proba[np.arange(y.size), y]
    np.testing.assert_allclose(iht.probabilities_.numpy(), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "X",
    [torch.randn(40, 3).bfloat16(), torch.randn(40, 2, 3)],
    ids=["bfloat16", "3-D"],
)
def test_foreign_estimators_get_2d_numpy_rows(X):
    y = torch.tensor([0] * 30 + [1] * 10)
    iht = InstanceHardnessThreshold(estimator=LogisticRegression(), cv=3, generator=0)
    X_res, y_res = iht.fit_resample(X, y)
    assert X_res.dtype == X.dtype and X_res.shape[1:] == X.shape[1:]
    assert int((y_res == 1).sum()) == 10
    assert torch.equal(X_res, X[iht.sample_indices_])
