from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone as sk_clone
from sklearn.ensemble import IsolationForest

from torchbalance.anomaly import AnomalyScoreFeature, AutoencoderDetector, DeepSVDD
from torchbalance.base import clone
from torchbalance.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from torchbalance.testing import check_params_contract


def _feature(**kwargs):
    return AnomalyScoreFeature(detector=DeepSVDD(epochs=10, batch_size=128), generator=0, **kwargs)


def test_the_appended_column_is_the_detectors_score(planted):
    X, _y = planted()
    feature = _feature(train_on="all")
    Z = feature.fit_transform(X)
    assert Z.shape == (X.shape[0], X.shape[1] + 1) and Z.dtype == X.dtype
    assert torch.equal(Z[:, :-1], X)
    assert torch.equal(Z[:, -1], feature.detector_.score_samples(X))
    direct = DeepSVDD(epochs=10, batch_size=128, generator=feature.detector_.generator).fit(X)
    assert torch.equal(Z[:, -1], direct.score_samples(X))


def test_with_y_the_detector_sees_only_the_majority_class(planted):
    X, y = planted()
    feature = _feature().fit(X, y)
    direct = DeepSVDD(epochs=10, batch_size=128, generator=feature.detector_.generator)
    direct.fit(X[y == 0])
    assert torch.equal(feature.transform(X)[:, -1], direct.score_samples(X))
    everything = _feature(train_on="all").fit(X, y)
    assert not torch.equal(everything.transform(X)[:, -1], direct.score_samples(X))


def test_numpy_and_pandas_round_trips(planted):
    pd = pytest.importorskip("pandas")
    X, y = planted(n=120, m=6)
    feature = _feature()
    Z = feature.fit_transform(X.numpy(), y.numpy())
    assert isinstance(Z, np.ndarray) and Z.shape == (126, 9) and Z.dtype == np.float64
    assert np.array_equal(Z[:, -1], feature.detector_.score_samples(X.numpy()))
    frame = pd.DataFrame(X.numpy(), columns=[f"f{i}" for i in range(8)], index=range(10, 136))
    out = _feature(name="svdd").fit(frame, pd.Series(y.numpy())).transform(frame)
    assert list(out.columns) == [*frame.columns, "svdd"] and list(out.index) == list(frame.index)
    assert np.allclose(out["svdd"].to_numpy(), Z[:, -1])
    with pytest.raises(DataValidationError, match="already has a column 'f0'"):
        _feature(name="f0").fit(frame).transform(frame)


def test_default_detector_and_a_scikit_learn_detector(planted):
    X, y = planted(n=200, m=10)
    default = AnomalyScoreFeature(generator=0).fit(X, y)
    assert isinstance(default.detector_, AutoencoderDetector)
    forest = AnomalyScoreFeature(detector=IsolationForest(random_state=0)).fit(X.numpy(), y.numpy())
    score = forest.transform(X.numpy())[:, -1]
    # scikit-learn scores normal samples higher; the feature is negated to "higher = anomalous"
    assert np.allclose(score, -forest.detector_.score_samples(X.numpy()))


def test_params_clone_and_errors(planted):
    feature = _feature()
    check_params_contract(feature)
    twin = sk_clone(feature)
    assert isinstance(twin.detector, DeepSVDD) and twin.detector is not feature.detector
    assert clone(feature).get_params()["detector__epochs"] == 10
    X, y = planted(n=60, m=4)
    with pytest.raises(NotFittedError):
        feature.transform(X)
    with pytest.raises(InvalidParameterError, match="train_on='some' is invalid"):
        _feature(train_on="some").fit(X)
    with pytest.raises(InvalidParameterError, match="it lacks fit"):
        AnomalyScoreFeature(detector=object()).fit(X)
    with pytest.raises(DataValidationError, match="same length"):
        feature.fit(X, y[:-1])
    feature.fit(X)
    with pytest.raises(DataValidationError, match="expecting 8 features"):
        feature.transform(X[:, :3])
