from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import check_estimator
from torch import nn

from _toy_resamplers import KeepFirstUnderSampler
from torchbalance.datasets import make_classification
from torchbalance.exceptions import DataValidationError, InvalidParameterError, NotFittedError
from torchbalance.models import TorchClassifier
from torchbalance.samplers import ClassBalancedSampler

X, Y = make_classification(600, n_features=6, weights=[0.85, 0.15], class_sep=2.0, generator=0)

# scikit-learn checks that do not apply, each for a deliberate reason:
NOT_APPLICABLE = {
    # a 2-D y is refused with a clear error rather than silently raveled
    "check_supervised_y_2d",
    # non-numeric object features are a DataValidationError (ValueError), not a TypeError
    "check_dtype_object",
    # runs only with SCIPY_ARRAY_API set
    "check_array_api_input",
}


@pytest.mark.filterwarnings("ignore")
def test_passes_the_scikit_learn_estimator_checks_that_apply():
    results = check_estimator(TorchClassifier(epochs=10, generator=0), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] != "passed"}
    assert failed == NOT_APPLICABLE
    assert len(results) > 40


def test_learns_and_returns_the_callers_types():
    model = TorchClassifier(epochs=20, generator=0).fit(X, Y)
    proba = model.predict_proba(X)
    assert isinstance(proba, torch.Tensor) and proba.shape == (600, 2)
    assert torch.allclose(proba.sum(1), torch.ones(600))
    assert float((model.predict(X) == Y).double().mean()) > 0.9
    assert model.decision_function(X).shape == (600,)
    names = np.where(Y.numpy() == 1, "fraud", "ok")
    fitted = TorchClassifier(epochs=20, generator=0).fit(X.numpy(), names)
    assert list(fitted.classes_) == ["fraud", "ok"]
    predicted = fitted.predict(X.numpy())
    assert isinstance(predicted, np.ndarray) and set(predicted) <= {"fraud", "ok"}
    assert isinstance(fitted.predict_proba(X.numpy()), np.ndarray)


def test_int_generator_makes_fit_reproducible():
    first = TorchClassifier(epochs=3, generator=7).fit(X, Y).predict_proba(X)
    again = TorchClassifier(epochs=3, generator=7).fit(X, Y).predict_proba(X)
    other = TorchClassifier(epochs=3, generator=8).fit(X, Y).predict_proba(X)
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


class _Recorder(nn.Module):
    """Cross-entropy that records the class counts it was built with and its epochs."""

    def __init__(self, class_counts: torch.Tensor) -> None:
        super().__init__()
        self.class_counts = class_counts
        self.epochs: list[int] = []

    def set_epoch(self, epoch: int) -> None:
        self.epochs.append(epoch)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(logits, target)


def test_loss_factory_gets_class_counts_and_epochs_reach_loss_and_sampler():
    seen = []

    def sampler(labels, generator):
        built = ClassBalancedSampler(labels, generator=generator)
        seen.append(built)
        return built

    model = TorchClassifier(epochs=3, loss=_Recorder, sampler=sampler, generator=0).fit(X, Y)
    assert model.loss_.class_counts.tolist() == torch.bincount(Y).tolist()
    assert model.loss_.epochs == [0, 1, 2]
    assert seen[0].epoch == 3  # set_epoch(2) before the last pass, which then advanced it


def test_resampler_is_cloned_and_applied_to_training_data_only():
    resampler = KeepFirstUnderSampler()
    model = TorchClassifier(epochs=2, resampler=resampler, loss=_Recorder, generator=0).fit(X, Y)
    assert not hasattr(resampler, "sample_indices_")  # the user's object is left unfitted
    minority = int((Y == 1).sum())
    assert model.loss_.class_counts.tolist() == [minority, minority]


def test_class_balanced_sampling_changes_the_minority_recall():
    plain = TorchClassifier(epochs=5, lr=1e-3, generator=0).fit(X, Y)
    balanced = TorchClassifier(
        epochs=5, lr=1e-3, sampler=functools.partial(ClassBalancedSampler), generator=0
    ).fit(X, Y)
    minority = Y == 1
    share_plain = float((plain.predict(X)[minority] == 1).double().mean())
    share_balanced = float((balanced.predict(X)[minority] == 1).double().mean())
    assert share_balanced >= share_plain


def test_works_in_scikit_learn_cross_validation():
    scores = cross_val_score(TorchClassifier(epochs=10, generator=0), X.numpy(), Y.numpy(), cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_images_with_a_custom_module():
    images = torch.randn(64, 1, 4, 4)
    labels = (images.mean(dim=(1, 2, 3)) > 0).long()

    def cnn(shape, num_classes):
        assert shape == (1, 4, 4)
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(16, num_classes))

    model = TorchClassifier(cnn, epochs=2, generator=0).fit(images, labels)
    assert model.predict(images).shape == (64,)
    assert model.n_features_in_ == 16
    with pytest.raises(DataValidationError, match="expecting 16 features"):
        model.predict(torch.randn(3, 1, 5, 5))


def test_progress_reports_epochs_on_stderr(capsys):
    TorchClassifier(epochs=2, progress=True, generator=0).fit(X, Y)
    assert "epoch 2/2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"epochs": 0}, "epochs=0 is invalid"),
        ({"lr": -1.0}, "lr=-1.0 is invalid"),
        ({"hidden_sizes": (0,)}, "hidden_sizes=\\(0,\\) is invalid"),
        ({"optimizer": "rmsprop"}, "optimizer='rmsprop' is invalid"),
        ({"resampler": object()}, "must have fit_resample"),
        ({"device": "gpu0"}, "device='gpu0' is invalid"),
        ({"loss": lambda counts: 3}, "must return an nn.Module"),
    ],
)
def test_bad_parameters_are_refused_by_name(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        TorchClassifier(**{"epochs": 1, **kwargs}).fit(X, Y)


def test_bad_data_is_refused():
    with pytest.raises(DataValidationError, match="at least 2 classes"):
        TorchClassifier(epochs=1).fit(X, torch.zeros(600, dtype=torch.int64))
    with pytest.raises(NotFittedError, match="not fitted"):
        TorchClassifier().predict(X)


def test_standardize_uses_training_statistics():
    shifted = X * 100 + 5000
    model = TorchClassifier(epochs=10, standardize=True, generator=0).fit(shifted, Y)
    assert torch.allclose(model.mean_, shifted.mean(0))
    assert float((model.predict(shifted) == Y).double().mean()) > 0.9


def test_params_contract_with_module_fn_positional():
    from torchbalance.testing import check_params_contract

    check_params_contract(TorchClassifier(epochs=1), positional=("module_fn",))


def test_the_resampler_sees_the_callers_labels():
    from torchbalance.over_sampling import RandomOverSampler

    rng = np.random.default_rng(0)
    y = np.where(rng.random(200) < 0.2, 5, 3)
    X = rng.normal(size=(200, 4)) + (y == 5)[:, None]
    model = TorchClassifier(
        epochs=1, generator=0, resampler=RandomOverSampler(sampling_strategy={5: 160})
    ).fit(X, y)
    assert model.classes_.tolist() == [3, 5]
    strings = np.where(y == 5, "pos", "neg")
    TorchClassifier(
        epochs=1, generator=0, resampler=RandomOverSampler(sampling_strategy={"pos": 160})
    ).fit(X, strings)


@pytest.mark.parametrize(
    "y",
    [
        np.array([0.0, 1.0] * 50),
        np.array([False, True] * 50),
        torch.tensor([0, 1] * 50, dtype=torch.int32),
    ],
    ids=["float", "bool", "int32-tensor"],
)
def test_labels_keep_their_dtype(y):
    X = torch.randn(100, 3, generator=torch.Generator().manual_seed(0))
    X_in = X if isinstance(y, torch.Tensor) else X.numpy()
    model = TorchClassifier(epochs=1, generator=0).fit(X_in, y)
    assert model.classes_.dtype == (y.numpy() if isinstance(y, torch.Tensor) else y).dtype
    assert model.predict(X_in[:3]).dtype == y.dtype


def test_numpy_integer_sizes_train_like_ints():
    X = torch.randn(60, 3, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1] * 30)
    numpy_sized = TorchClassifier(
        epochs=1, batch_size=np.int64(16), hidden_sizes=(np.int64(8),), generator=0
    ).fit(X, y)
    plain = TorchClassifier(epochs=1, batch_size=16, hidden_sizes=(8,), generator=0).fit(X, y)
    assert torch.equal(numpy_sized.predict_proba(X), plain.predict_proba(X))


def test_score_takes_sample_weight_as_scikit_learn_classifiers_do():
    from sklearn.metrics import accuracy_score

    from torchbalance.ensemble import EasyEnsembleClassifier
    from torchbalance.pipeline import make_pipeline

    X, y = make_classification(200, n_features=4, weights=[0.8, 0.2], generator=0)
    X, y = X.numpy(), y.numpy()
    weights = np.where(y == 1, 4.0, 1.0)
    net = TorchClassifier(hidden_sizes=(8,), epochs=2, generator=0)
    for model in (net, EasyEnsembleClassifier(net, n_estimators=2, generator=0)):
        model.fit(X, y)
        expected = accuracy_score(y, model.predict(X), sample_weight=weights)
        assert model.score(X, y, sample_weight=weights) == pytest.approx(expected)
    pipe = make_pipeline(net).fit(X, y)
    assert pipe.score(X, y, sample_weight=weights) == pytest.approx(
        accuracy_score(y, pipe.predict(X), sample_weight=weights)
    )
