"""The conformance checks pass on conforming resamplers and catch each kind of breakage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import torch

from _toy_resamplers import KeepFirstUnderSampler
from torchbalance.base import FunctionResampler, ParamsMixin
from torchbalance.testing import check_params_contract, check_resampler, resampler_checks


@pytest.mark.parametrize(
    "resampler",
    [KeepFirstUnderSampler(), KeepFirstUnderSampler(sampling_strategy="all"), FunctionResampler()],
    ids=repr,
)
def test_conforming_resamplers_pass(resampler):
    check_resampler(resampler)


def test_checks_are_named_and_independent():
    names = [name for name, _ in resampler_checks(KeepFirstUnderSampler())]
    assert len(names) == len(set(names)) >= 8
    for _, check in reversed(resampler_checks(KeepFirstUnderSampler())):
        check()


class _IgnoresSeed(KeepFirstUnderSampler):
    def _fit_resample(self, X, y, strategy):
        self.generator = None  # draws from the global RNG every time
        return super()._fit_resample(X, y, strategy)


class _ChangesDtype(KeepFirstUnderSampler):
    def _fit_resample(self, X, y, strategy):
        X_res, y_res = super()._fit_resample(X, y, strategy)
        return X_res.float(), y_res


class _WrongCounts(KeepFirstUnderSampler):
    def _fit_resample(self, X, y, strategy):
        X_res, y_res = super()._fit_resample(X, y, strategy)
        return X_res[1:], y_res[1:]


class _ValidatesInInit(KeepFirstUnderSampler):
    def __init__(self, *, sampling_strategy: Any = "auto", generator: Any = None) -> None:
        super().__init__(sampling_strategy=sampling_strategy, generator=generator or 0)


class _ModifiesInput(KeepFirstUnderSampler):
    def _fit_resample(self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]):
        X_res, y_res = super()._fit_resample(X, y, strategy)
        X.mul_(1.0 + 1e-3)
        return X_res, y_res


class _StaleIndices(KeepFirstUnderSampler):
    def _fit_resample(self, X, y, strategy):
        X_res, y_res = super()._fit_resample(X, y, strategy)
        self.sample_indices_ = self.sample_indices_.flip(0)
        return X_res, y_res


@pytest.mark.parametrize(
    ("broken", "check_name", "message"),
    [
        (_IgnoresSeed(), "idempotent_with_int_seed", "different results"),
        (_ChangesDtype(), "dtype_and_device", "came back as torch.float32"),
        (_WrongCounts(), "counts_match_strategy", "should keep"),
        (_ValidatesInInit(), "params", "must store"),
        (_ModifiesInput(), "inputs_untouched", "modified its inputs"),
        (_StaleIndices(), "sample_indices", "sample_indices_"),
    ],
)
def test_broken_resamplers_are_caught(broken, check_name, message):
    checks = dict(resampler_checks(broken))
    with pytest.raises(AssertionError, match=message):
        checks[check_name]()


def test_params_contract_refuses_positional_params():
    class Positional(ParamsMixin):
        def __init__(self, alpha=1.0):
            self.alpha = alpha

    with pytest.raises(AssertionError, match="keyword-only"):
        check_params_contract(Positional())


def test_positional_parameters_pass_only_when_named():
    class Wrapper(ParamsMixin):
        def __init__(self, estimator=None, *, n=1):
            self.estimator = estimator
            self.n = n

    check_params_contract(Wrapper(n=2), positional=("estimator",))
    with pytest.raises(AssertionError, match="'estimator' must be keyword-only"):
        check_params_contract(Wrapper(n=2))
