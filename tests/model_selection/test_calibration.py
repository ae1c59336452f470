from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.exceptions import DataValidationError, NotFittedError
from torchbalance.model_selection._calibration import TemperatureScaling, correct_priors
from torchbalance.models import TorchClassifier


def _posterior(x: torch.Tensor, means: torch.Tensor, priors: torch.Tensor) -> torch.Tensor:
    """Exact posterior of unit-variance Gaussian classes with the given priors (float64)."""
    log_lik = -0.5 * (x[:, None] - means[None, :]) ** 2
    return torch.softmax(log_lik + priors.log(), dim=1)


@settings(max_examples=40, deadline=None)
@given(
    train=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3),
    target=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3),
)
def test_correction_turns_one_bayes_posterior_into_another(train, target):
    means = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    x = torch.linspace(-4, 5, 50, dtype=torch.float64)
    pi_train = torch.tensor(train, dtype=torch.float64)
    pi_target = torch.tensor(target, dtype=torch.float64)
    pi_train, pi_target = pi_train / pi_train.sum(), pi_target / pi_target.sum()
    corrected = correct_priors(_posterior(x, means, pi_train), pi_train, pi_target)
    assert torch.allclose(corrected, _posterior(x, means, pi_target), atol=1e-12)


def test_binary_form_equals_dal_pozzolo_formula():
    p = torch.rand(100, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    prior = 0.02
    beta = prior / (1 - prior)  # negatives kept at this rate give a 50/50 resample
    expected = beta * p / (beta * p - p + 1)
    assert torch.allclose(correct_priors(p, 0.5, prior), expected, atol=1e-12)
    both = correct_priors(torch.stack([1 - p, p], 1), [0.5, 0.5], [1 - prior, prior])
    assert torch.allclose(both[:, 1], expected, atol=1e-12)


def test_corrected_resampled_model_predicts_the_true_prior_on_average():
    generator = torch.Generator().manual_seed(0)
    n, prior = 20_000, 0.05
    y = (torch.rand(n, generator=generator) < prior).long()
    X = torch.randn(n, 4, generator=generator) + 1.2 * y[:, None]
    negatives = torch.nonzero(y == 0).reshape(-1)
    keep = torch.cat([torch.nonzero(y == 1).reshape(-1), negatives[: int((y == 1).sum())]])
    model = TorchClassifier(epochs=15, generator=0).fit(X[keep], y[keep])  # trained on 50/50
    raw = model.predict_proba(X)[:, 1]
    corrected = correct_priors(raw, 0.5, float(y.double().mean()))
    assert float(raw.mean()) > 3 * prior  # the resampled model over-predicts the minority
    assert abs(float(corrected.mean()) - float(y.double().mean())) < 0.01


@pytest.mark.parametrize(
    ("probs", "train", "target", "match"),
    [
        (torch.tensor([[0.5, 0.6]]), [0.5, 0.5], [0.5, 0.5], "do not sum to 1"),
        (torch.tensor([1.5]), 0.5, 0.1, "outside \\[0, 1\\]"),
        (torch.tensor([float("nan")]), 0.5, 0.1, "outside"),
        (torch.tensor([[0.5, 0.5]]), [0.5, 0.3, 0.2], [0.5, 0.5], "train_priors has 3 values"),
        (torch.tensor([[0.5, 0.5]]), [0.5, 0.5], [1.0, 0.0], "finite probability > 0"),
        (torch.tensor([[0.5, 0.5]]), [0.5, 0.5], [0.6, 0.6], "sums to 1.2"),
    ],
)
def test_bad_input_is_refused(probs, train, target, match):
    with pytest.raises(DataValidationError, match=match):
        correct_priors(probs, train, target)


def test_temperature_minimises_the_validation_nll():
    generator = torch.Generator().manual_seed(1)
    labels = torch.randint(0, 4, (2000,), generator=generator)
    logits = torch.randn(2000, 4, generator=generator, dtype=torch.float64)
    logits[torch.arange(2000), labels] += 1.0
    logits *= 3.0  # over-confident
    scaler = TemperatureScaling().fit(logits, labels)
    grid = torch.linspace(0.5, 6.0, 2201, dtype=torch.float64)
    nll = torch.stack([torch.nn.functional.cross_entropy(logits / t, labels) for t in grid])
    assert abs(float(scaler.temperature) - float(grid[nll.argmin()])) < 5e-3
    assert torch.equal(scaler(logits).argmax(1), logits.argmax(1))
    assert torch.allclose(
        scaler.predict_proba(logits).sum(1), torch.ones(2000, dtype=torch.float64)
    )
    restored = TemperatureScaling()
    restored.load_state_dict(scaler.state_dict())
    assert torch.equal(restored(logits), scaler(logits))


def test_temperature_scaling_refuses_bad_input():
    with pytest.raises(NotFittedError, match="not fitted"):
        TemperatureScaling()(torch.zeros(2, 3))
    with pytest.raises(DataValidationError, match="logits must be"):
        TemperatureScaling().fit(torch.zeros(3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="labels must be in \\[0, 1\\]"):
        TemperatureScaling().fit(torch.zeros(2, 2), torch.tensor([0, 2]))


def test_posthoc_logit_adjustment_raises_balanced_accuracy_on_long_tailed_digits():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score

    from torchbalance.datasets import load_digits_lt
    from torchbalance.model_selection import PriorCorrectedClassifier

    data = load_digits_lt()
    X_train, y_train = data.X_train.double().numpy(), data.y_train.numpy()
    X_test, y_test = data.X_test.double().numpy(), data.y_test.numpy()
    plain = LogisticRegression(max_iter=300, C=0.05).fit(X_train, y_train)
    adjusted = PriorCorrectedClassifier(LogisticRegression(max_iter=300, C=0.05))
    adjusted.fit(X_train, y_train)
    before = balanced_accuracy_score(y_test, plain.predict(X_test))
    after = balanced_accuracy_score(y_test, adjusted.predict(X_test))
    assert after > before + 0.02, (before, after)
    priors = adjusted.train_priors_
    assert np.allclose(priors, np.bincount(y_train) / len(y_train))
    with pytest.raises(NotFittedError):
        PriorCorrectedClassifier(plain).predict_proba(X_test)


def test_train_priors_are_counted_after_the_models_own_resampling():
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline as imblearn_pipeline
    from sklearn.linear_model import LogisticRegression

    from torchbalance.model_selection import PriorCorrectedClassifier
    from torchbalance.over_sampling import SMOTE
    from torchbalance.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.11).astype(np.int64)
    X = rng.normal(size=(400, 3)) + y[:, None]
    share = y.mean()
    for model in (
        imblearn_pipeline(RandomOverSampler(random_state=0), LogisticRegression()),
        make_pipeline(SMOTE(generator=0), LogisticRegression()),
    ):
        corrected = PriorCorrectedClassifier(model, target_priors=[1 - share, share]).fit(X, y)
        np.testing.assert_allclose(corrected.train_priors_, [0.5, 0.5])
        # moved back to the true shares, the mean probability matches the true rate again
        assert abs(corrected.predict_proba(X)[:, 1].mean() - share) < 0.03
    plain = PriorCorrectedClassifier(LogisticRegression()).fit(X, y)
    np.testing.assert_allclose(plain.train_priors_, [1 - share, share])


def test_temperature_scaling_takes_numpy_arrays():
    from torchbalance.model_selection import TemperatureScaling

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(200, 3)) * 3
    labels = rng.integers(0, 3, 200)
    from_numpy = TemperatureScaling().fit(logits, labels)
    from_tensors = TemperatureScaling().fit(torch.from_numpy(logits), torch.from_numpy(labels))
    assert torch.equal(from_numpy.temperature, from_tensors.temperature)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_probabilities_are_corrected(dtype):
    g = torch.Generator().manual_seed(0)
    probs = torch.softmax(torch.randn(256, 10, generator=g), 1).to(dtype)
    corrected = correct_priors(probs, [0.1] * 10, [0.05] * 5 + [0.15] * 5)
    assert corrected.dtype == dtype and corrected.shape == probs.shape


def test_temperature_scaling_refuses_empty_input():
    with pytest.raises(DataValidationError, match="empty"):
        TemperatureScaling().fit(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))


def test_prior_correction_warns_for_a_model_that_re_weights_without_resampling():
    from sklearn.linear_model import LogisticRegression

    from torchbalance.model_selection import PriorCorrectedClassifier

    X = torch.randn(200, 2, generator=torch.Generator().manual_seed(0)).numpy()
    y = np.array([0] * 180 + [1] * 20)
    with pytest.warns(UserWarning, match="re-weights the classes through its class_weight"):
        PriorCorrectedClassifier(LogisticRegression(class_weight="balanced")).fit(X, y)
    quiet = PriorCorrectedClassifier(
        LogisticRegression(class_weight="balanced"), train_priors=[0.5, 0.5]
    )
    quiet.fit(X, y)  # given priors: nothing to warn about
