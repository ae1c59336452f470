from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.combine import SMOTEENN, SMOTETomek
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.over_sampling import SMOTE
from torchbalance.testing import resampler_checks
from torchbalance.under_sampling import EditedNearestNeighbours, TomekLinks
from torchbalance.utils import check_generator, derive_seed

HYBRIDS = [SMOTEENN(), SMOTETomek(), SMOTEENN(enn=EditedNearestNeighbours(kind_sel="mode"))]

# "counts_match_strategy" asserts that an over-sampler adds exactly sampling_strategy_ samples;
# the hybrids then clean, which removes some: test_counts replaces that check.
CASES = [
    pytest.param(check, id=f"{resampler!r}-{name}")
    for resampler in HYBRIDS
    for name, check in resampler_checks(resampler)
    if name != "counts_match_strategy"
]


@pytest.mark.parametrize("check", CASES)
def test_conformance(check):
    check()


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    y = torch.cat(
        [torch.zeros(150, dtype=torch.long), torch.ones(40, dtype=torch.long), torch.full((20,), 2)]
    )
    X = torch.randn(len(y), 4, generator=g, dtype=torch.float64) + 1.2 * y[:, None]
    return X, y


@pytest.mark.parametrize(
    ("hybrid", "cleaner"),
    [
        (SMOTEENN(generator=3), EditedNearestNeighbours(sampling_strategy="all")),
        (SMOTETomek(generator=3), TomekLinks(sampling_strategy="all")),
    ],
)
def test_equals_smote_then_the_cleaner(hybrid, cleaner):
    X, y = _data()
    X_res, y_res = hybrid.fit_resample(X, y)
    seed = derive_seed(check_generator(3))
    X_over, y_over = SMOTE(generator=seed).fit_resample(X, y)
    X_ref, y_ref = cleaner.fit_resample(X_over, y_over)
    assert torch.equal(X_res, X_ref) and torch.equal(y_res, y_ref)
    assert dict(hybrid.sampling_strategy_) == {1: 110, 2: 130}


def test_counts():
    X, y = _data(1)
    for hybrid in (SMOTEENN(generator=0), SMOTETomek(generator=0)):
        _, y_res = hybrid.fit_resample(X, y)
        counts = torch.bincount(y_res, minlength=3)
        # SMOTE brings every class to 150, cleaning only removes
        assert (counts <= 150).all() and counts.sum() < 450
        assert hybrid.smote_.sampling_strategy_ == hybrid.sampling_strategy_


def test_given_smote_keeps_its_strategy_and_string_labels_work():
    X, y = _data(2)
    names = np.array(["a", "b", "c"])[y.numpy()]
    hybrid = SMOTETomek(smote=SMOTE(sampling_strategy={"c": 60}, k_neighbors=3), generator=0)
    X_res, y_res = hybrid.fit_resample(X.numpy(), names)
    assert isinstance(X_res, np.ndarray) and set(y_res.tolist()) == {"a", "b", "c"}
    assert dict(hybrid.sampling_strategy_) == {"c": 40}
    assert hybrid.smote_.k_neighbors == 3 and hybrid.smote is not hybrid.smote_


def test_bad_parameters():
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="smote="):
        SMOTEENN(smote=TomekLinks()).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="tomek="):
        SMOTETomek(tomek=EditedNearestNeighbours()).fit_resample(X, y)


@pytest.mark.parametrize("hybrid", [SMOTEENN, SMOTETomek])
def test_a_smote_stage_error_says_how_to_configure_that_stage(hybrid):
    X = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0] * 37 + [1] * 3)
    with pytest.raises(DataValidationError, match=rf"{hybrid.__name__}\(smote=SMOTE\(\.\.\.\)\)"):
        hybrid(generator=0).fit_resample(X, y)
    X_res, _ = hybrid(smote=SMOTE(k_neighbors=2), generator=0).fit_resample(X, y)
    assert X_res.shape[1] == 2


def test_other_smote_stage_errors_are_passed_on_unchanged():
    X = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    X[0, 0] = float("nan")
    y = torch.tensor([0] * 30 + [1] * 10)
    with pytest.raises(DataValidationError) as caught:
        SMOTEENN(generator=0).fit_resample(X, y)
    assert "smote=SMOTE" not in str(caught.value)
