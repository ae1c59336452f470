"""The package's errors keep working with code written against scikit-learn's."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from torchbalance.anomaly import DeepSVDD
from torchbalance.ensemble import BalancedBaggingClassifier, EasyEnsembleClassifier
from torchbalance.exceptions import NotFittedError
from torchbalance.model_selection import PriorCorrectedClassifier, ThresholdTuner
from torchbalance.models import TorchClassifier
from torchbalance.pipeline import make_pipeline
from torchbalance.under_sampling import RandomUnderSampler

UNFITTED = [
    TorchClassifier(),
    BalancedBaggingClassifier(),
    EasyEnsembleClassifier(),
    DeepSVDD(),
    PriorCorrectedClassifier(TorchClassifier()),
    ThresholdTuner(TorchClassifier()),
    make_pipeline(RandomUnderSampler(), TorchClassifier()),
]


@pytest.mark.parametrize("estimator", UNFITTED, ids=lambda e: type(e).__name__)
def test_unfitted_errors_are_also_scikit_learns(estimator):
    X = np.zeros((4, 3), dtype=np.float32)
    method = getattr(estimator, "predict", None) or estimator.score_samples
    with pytest.raises(SklearnNotFittedError, match="fit") as caught:
        method(X)
    assert isinstance(caught.value, NotFittedError)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, AttributeError)


def test_the_error_pickles_as_itself():
    error = NotFittedError("call fit first")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again.args == ("call fit first",)
    assert isinstance(again, SklearnNotFittedError)


def test_scikit_learn_is_not_imported_for_the_error():
    code = (
        "import sys\n"
        "from torchbalance.exceptions import NotFittedError\n"
        "error = NotFittedError('x')\n"
        "assert type(error) is NotFittedError, type(error)\n"
        "assert 'sklearn' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
