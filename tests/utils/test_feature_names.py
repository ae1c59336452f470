"""Column names seen at fit are checked at prediction, as scikit-learn's estimators do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from torchbalance.anomaly import AnomalyScoreFeature, DeepSVDD
from torchbalance.combine import SMOTEENN
from torchbalance.ensemble import BalancedBaggingClassifier
from torchbalance.exceptions import DataValidationError
from torchbalance.models import TorchClassifier
from torchbalance.over_sampling import SMOTE
from torchbalance.under_sampling import TomekLinks

rng = np.random.default_rng(0)
FRAME = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
Y = np.r_[np.zeros(60, dtype=int), np.ones(20, dtype=int)]


def _estimators():
    return [
        (TorchClassifier(epochs=1, generator=0), "predict"),
        (BalancedBaggingClassifier(LogisticRegression(), n_estimators=2, generator=0), "predict"),
        (DeepSVDD(epochs=1, generator=0), "score_samples"),
        (AnomalyScoreFeature(detector=DeepSVDD(epochs=1), generator=0), "transform"),
    ]


@pytest.mark.parametrize(("estimator", "method"), _estimators(), ids=lambda v: type(v).__name__)
def test_reordered_or_renamed_columns_are_refused(estimator, method):
    estimator.fit(FRAME, Y)
    assert list(estimator.feature_names_in_) == ["a", "b", "c"]
    getattr(estimator, method)(FRAME)  # the fit columns: fine
    with pytest.raises(DataValidationError, match="those seen at fit in another order"):
        getattr(estimator, method)(FRAME[["c", "a", "b"]])
    renamed = FRAME.rename(columns={"c": "d"})
    with pytest.raises(DataValidationError, match=r"unseen at fit \['d'\], missing \['c'\]"):
        getattr(estimator, method)(renamed)
    with pytest.warns(UserWarning, match="X has no feature names, but it was fitted with them"):
        getattr(estimator, method)(FRAME.to_numpy())
    estimator.fit(FRAME.to_numpy(), Y)  # refitted without names: they are forgotten
    assert not hasattr(estimator, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names, but it was fitted without them"):
        getattr(estimator, method)(FRAME)


def test_non_string_column_names_are_not_feature_names():
    model = TorchClassifier(epochs=1, generator=0).fit(pd.DataFrame(FRAME.to_numpy()), Y)
    assert not hasattr(model, "feature_names_in_") and model.n_features_in_ == 3


@pytest.mark.parametrize(
    "resampler", [SMOTE(generator=0), TomekLinks(), SMOTEENN(generator=0)], ids=repr
)
def test_resamplers_record_the_features_they_saw(resampler):
    from sklearn.utils import get_tags
    from sklearn.utils.validation import check_is_fitted

    assert get_tags(resampler).target_tags.required
    resampler.fit_resample(FRAME, Y)
    assert resampler.n_features_in_ == 3 and list(resampler.feature_names_in_) == ["a", "b", "c"]
    check_is_fitted(resampler)


def test_anomaly_score_feature_names_and_pandas_output():
    feature = AnomalyScoreFeature(detector=DeepSVDD(epochs=1), generator=0)
    out = feature.fit(FRAME.to_numpy()).set_output(transform="pandas").transform(FRAME.to_numpy())
    assert list(out.columns) == ["x0", "x1", "x2", "anomaly_score"]
    assert list(feature.get_feature_names_out(["p", "q", "r"])) == ["p", "q", "r", "anomaly_score"]
    assert isinstance(
        feature.set_output(transform="default").transform(FRAME.to_numpy()), np.ndarray
    )
