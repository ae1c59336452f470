"""A small downstream check on real data (KEEL); skipped when the data folder is absent.

The full comparison (27 datasets, 5 seeds x 5 folds) is benchmarks/smote_downstream.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from torchbalance.over_sampling import SMOTE

KEEL = Path(__file__).resolve().parents[3] / "shared" / "data" / "keel"


@pytest.mark.skipif(not (KEEL / "ecoli2.csv").exists(), reason="KEEL data not present")
def test_logistic_regression_after_smote_matches_imblearn_on_ecoli2():
    pd = pytest.importorskip("pandas")
    from imblearn.over_sampling import SMOTE as ImbSMOTE
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(KEEL / "ecoli2.csv")
    y = frame.pop("label").to_numpy().astype(np.int64)
    X = frame.to_numpy(dtype=np.float64)
    diffs = []
    for seed in range(1):
        for train, test in StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y):
            scaler = StandardScaler().fit(X[train])
            X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
            X_a, y_a = SMOTE(generator=seed).fit_resample(
                torch.from_numpy(X_tr), torch.from_numpy(y[train])
            )
            X_b, y_b = ImbSMOTE(random_state=seed).fit_resample(X_tr, y[train])
            auc = [
                roc_auc_score(
                    y[test], LogisticRegression(max_iter=2000).fit(a, b).predict_proba(X_te)[:, 1]
                )
                for a, b in ((X_a.numpy(), y_a.numpy()), (X_b, y_b))
            ]
            assert len(y_a) == len(y_b)
            diffs.append(auc[0] - auc[1])
    assert abs(float(np.mean(diffs))) < 0.02 and max(abs(d) for d in diffs) < 0.05
