"""The fast path trains the same members as the loop, and is taken only where it applies.

Exact equality is not expected: a batched matrix product (``bmm``) does not round exactly as
separate ``mm`` calls do, and the masked mean of the last, shorter batch sums in another order.
What must be identical are the training rows, the feature subsets, the initial weights and
the batch order; the trained members' probabilities then agree to float32 rounding.
"""

from __future__ import annotations

import functools

import pytest
import torch
from torch import nn

import torchbalance.ensemble as ensemble
from torchbalance.datasets import make_classification
from torchbalance.ensemble._vectorized import _StackedOptimizer
from torchbalance.exceptions import InvalidParameterError
from torchbalance.models import TorchClassifier
from torchbalance.samplers import ClassBalancedSampler

BalancedBaggingClassifier = ensemble.BalancedBaggingClassifier
EasyEnsembleClassifier = ensemble.EasyEnsembleClassifier

X, Y = make_classification(700, n_features=6, weights=[0.8, 0.2], generator=2)


class _TwoBranch(nn.Module):
    """Not a Sequential: trained through torch.func.vmap rather than bmm."""

    def __init__(self, shape: tuple[int, ...], n_classes: int) -> None:
        super().__init__()
        self.a = nn.Linear(shape[0], 8)
        self.b = nn.Linear(shape[0], 8, bias=False)
        self.head = nn.Linear(8, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.tanh(self.a(x)) * torch.sigmoid(self.b(x)))


def _both(model_cls, estimator, **params):
    fast = model_cls(estimator, vectorize=True, generator=4, **params).fit(X, Y)
    loop = model_cls(estimator, vectorize=False, generator=4, **params).fit(X, Y)
    assert fast.vectorized_ and not loop.vectorized_
    return fast, loop


def _assert_same_members(fast, loop, atol=1e-5):
    for a, b in zip(fast.estimators_samples_, loop.estimators_samples_, strict=True):
        assert torch.equal(a, b)
    for a, b in zip(fast.estimators_features_, loop.estimators_features_, strict=True):
        assert torch.equal(a, b)
    for m_fast, m_loop, features in zip(
        fast.estimators_, loop.estimators_, fast.estimators_features_, strict=True
    ):
        assert type(m_fast) is TorchClassifier and m_fast.generator == m_loop.generator
        X_m = X[:, features]
        assert torch.allclose(m_fast.predict_proba(X_m), m_loop.predict_proba(X_m), atol=atol)
        assert m_fast.history_ == pytest.approx(m_loop.history_, abs=1e-5)
    assert torch.allclose(fast.predict_proba(X), loop.predict_proba(X), atol=atol)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"optimizer": "sgd", "lr": 0.05},
        {"standardize": True, "hidden_sizes": (8, 4)},
        {"loss": nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0]))},
        {"loss": nn.CrossEntropyLoss(label_smoothing=0.1), "module_fn": _TwoBranch},
    ],
    ids=["adamw", "sgd", "standardize", "class-weights", "vmap-module"],
)
def test_fast_path_trains_the_members_the_loop_trains(options):
    estimator = TorchClassifier(**{"hidden_sizes": (8,), "epochs": 3, "batch_size": 32, **options})
    fast, loop = _both(BalancedBaggingClassifier, estimator, n_estimators=3, max_features=0.5)
    sizes = {rows.numel() for rows in fast.estimators_samples_}
    assert len(sizes) > 1  # bootstraps of different sizes: members end epochs at other steps
    _assert_same_members(fast, loop)


class _CosineLinear(nn.Linear):
    """A Linear subclass with its own forward: the bmm interpreter ran it as a plain Linear."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = nn.functional.normalize(self.weight, dim=-1)
        return 10 * nn.functional.linear(nn.functional.normalize(x, dim=-1), weight)


def _cosine_head(shape: tuple[int, ...], n_classes: int) -> nn.Module:
    return nn.Sequential(nn.Linear(shape[0], 8), nn.ReLU(), _CosineLinear(8, n_classes, bias=False))


def _tied_hidden(shape: tuple[int, ...], n_classes: int) -> nn.Module:
    hidden = nn.Linear(8, 8)  # used twice: a Sequential lists it once among its children
    return nn.Sequential(
        nn.Linear(shape[0], 8),
        nn.ReLU(),
        hidden,
        nn.ReLU(),
        hidden,
        nn.ReLU(),
        nn.Linear(8, n_classes),
    )


@pytest.mark.parametrize("module_fn", [_cosine_head, _tied_hidden], ids=["subclass", "tied"])
def test_layers_the_interpreter_cannot_read_run_as_the_module_does(module_fn):
    estimator = TorchClassifier(module_fn=module_fn, epochs=2, batch_size=50)
    fast, loop = _both(EasyEnsembleClassifier, estimator, n_estimators=2)
    _assert_same_members(fast, loop)


def test_frozen_parameters_keep_the_members_on_the_loop():
    def frozen(shape: tuple[int, ...], n_classes: int) -> nn.Module:
        projection = nn.Linear(shape[0], 8).requires_grad_(False)
        return nn.Sequential(projection, nn.ReLU(), nn.Linear(8, n_classes))

    estimator = TorchClassifier(module_fn=frozen, epochs=2, batch_size=50)
    model = EasyEnsembleClassifier(estimator, n_estimators=2, generator=4).fit(X, Y)
    assert not model.vectorized_  # "auto" falls back: the stacked optimiser trains everything
    with pytest.raises(InvalidParameterError, match="frozen parameters"):
        EasyEnsembleClassifier(estimator, n_estimators=2, vectorize=True).fit(X, Y)


def test_easy_ensemble_fast_path_matches_the_loop():
    estimator = TorchClassifier(hidden_sizes=(8,), epochs=2, batch_size=50)
    fast, loop = _both(EasyEnsembleClassifier, estimator, n_estimators=3)
    _assert_same_members(fast, loop)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"sampler": functools.partial(ClassBalancedSampler)}, "custom sampler"),
        ({"optimizer": lambda params, lr: torch.optim.Adam(params, lr=lr)}, "custom optimizer"),
        ({"loss": nn.NLLLoss()}, "cross-entropy"),
        (
            {
                "module_fn": lambda s, c: nn.Sequential(
                    nn.Linear(s[0], 4), nn.Dropout(), nn.Linear(4, c)
                )
            },
            "dropout",
        ),
        (
            {
                "module_fn": lambda s, c: nn.Sequential(
                    nn.Linear(s[0], 4), nn.BatchNorm1d(4), nn.Linear(4, c)
                )
            },
            "buffers",
        ),
    ],
)
def test_auto_falls_back_to_the_loop_and_says_why(options, reason):
    estimator = TorchClassifier(**{"hidden_sizes": (4,), "epochs": 1, **options})
    model = BalancedBaggingClassifier(estimator, n_estimators=2, generator=0).fit(X, Y)
    assert not model.vectorized_
    assert reason in model.vectorize_blocker_
    assert all(hasattr(m, "module_") for m in model.estimators_)
    with pytest.raises(InvalidParameterError, match=f"vectorize=True is invalid here: .*{reason}"):
        BalancedBaggingClassifier(estimator, n_estimators=2, vectorize=True).fit(X, Y)


def test_member_missing_a_class_falls_back():
    y = Y.clone()
    y[:2] = 2  # a class of two samples: some bootstraps lack it
    estimator = TorchClassifier(hidden_sizes=(4,), epochs=1)
    model = BalancedBaggingClassifier(
        estimator, n_estimators=4, resampler="passthrough", max_samples=50, generator=0
    ).fit(X, y)
    assert not model.vectorized_ and "classes" in model.vectorize_blocker_
    proba = model.predict_proba(X)
    assert proba.shape == (700, 3) and torch.allclose(proba.sum(dim=1), torch.ones(700))


@pytest.mark.parametrize("kind", ["adamw", "sgd"])
def test_stacked_optimiser_equals_one_torch_optimiser_per_member(kind):
    generator = torch.Generator().manual_seed(0)
    weights = [torch.randn(3, 4, 5, generator=generator), torch.randn(3, 5, generator=generator)]
    stacked = [w.clone().requires_grad_(True) for w in weights]
    singles = [[w[m].clone().requires_grad_(True) for w in weights] for m in range(3)]
    optimiser = _StackedOptimizer(stacked, kind, lr=0.01, weight_decay=0.1)
    torch_optimisers = [
        torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)
        if kind == "adamw"
        else torch.optim.SGD(p, lr=0.01, momentum=0.9, weight_decay=0.1)
        for p in singles
    ]
    schedule = [[True, True, True], [True, False, True], [True, True, False], [True, True, True]]
    for active in schedule:  # members skip steps, as at the end of a shorter epoch
        grads = [torch.randn(w.shape, generator=generator) for w in weights]
        for param, grad in zip(stacked, grads, strict=True):
            param.grad = grad.clone()
        optimiser.step(active)
        for m, on in enumerate(active):
            if on:
                for param, grad in zip(singles[m], grads, strict=True):
                    param.grad = grad[m].clone()
                torch_optimisers[m].step()
    for m in range(3):
        for param, single in zip(stacked, singles[m], strict=True):
            assert torch.allclose(param[m], single, atol=1e-6, rtol=1e-5)


def test_numpy_booleans_choose_the_path_as_bools_do():
    import numpy as np

    estimator = TorchClassifier(hidden_sizes=(8,), epochs=1, batch_size=50)
    model = EasyEnsembleClassifier(estimator, n_estimators=2, vectorize=np.False_, generator=4)
    assert not model.fit(X, Y).vectorized_
