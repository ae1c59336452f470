import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from torch.utils.data import TensorDataset

from torchbalance.augment import BalancedMixup, Remix, remix_label_factor
from torchbalance.exceptions import InvalidParameterError


def _paper_rule(lam: float, n_i: float, n_j: float, kappa: float, tau: float) -> float:
    """Chou et al. 2020, Eq. (5), transcribed in float64."""
    if n_i / n_j >= kappa and lam < tau:
        return 0.0
    if n_i / n_j <= 1 / kappa and 1 - lam < tau:
        return 1.0
    return lam


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(1, 1000), st.integers(1, 1000)),
        min_size=1,
        max_size=20,
    ),
    st.floats(1.0, 10.0),
    st.floats(0.0, 1.0),
)
def test_remix_label_factor_follows_paper(rows, kappa, tau):
    lam = torch.tensor([r[0] for r in rows], dtype=torch.float64)
    n_i = torch.tensor([r[1] for r in rows], dtype=torch.float64)
    n_j = torch.tensor([r[2] for r in rows], dtype=torch.float64)
    got = remix_label_factor(lam, n_i, n_j, kappa=kappa, tau=tau)
    expected = [_paper_rule(*r, kappa, tau) for r in rows]
    assert got.tolist() == expected


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=2, max_size=6), st.integers(0, 1000))
def test_remix_batch_targets(counts, seed):
    C = len(counts)
    remix = Remix(counts, kappa=3.0, tau=0.5, generator=seed)
    y = torch.arange(C).repeat(4)
    x = torch.randn(y.shape[0], 2, 3, dtype=torch.float64)
    x_mix, target = remix(x, y)
    lam, lam_y, j = remix.last_lam_, remix.last_lam_y_, remix.last_partner_
    w = lam.reshape(-1, 1, 1)
    assert torch.allclose(x_mix, w * x + (1 - w) * x[j])
    expected = lam_y[:, None] * F.one_hot(y, C) + (1 - lam_y[:, None]) * F.one_hot(y[j], C)
    assert torch.allclose(target, expected.double())
    for k in range(y.shape[0]):
        rule = _paper_rule(lam[k].item(), counts[y[k]], counts[y[j[k]]], 3.0, 0.5)
        assert lam_y[k].item() == rule
    # usable as soft targets of cross-entropy
    loss = F.cross_entropy(torch.zeros(y.shape[0], C, dtype=torch.float64), target)
    assert torch.isclose(loss, torch.log(torch.tensor(float(C), dtype=torch.float64)))


def test_remix_reproducible_and_beta():
    x, y = torch.randn(4000, 1), torch.randint(0, 2, (4000,))
    a = Remix([10, 10], alpha=0.5, generator=3)
    b = Remix([10, 10], alpha=0.5, generator=3)
    assert torch.equal(a(x, y)[0], b(x, y)[0])
    assert stats.kstest(a.last_lam_.numpy(), stats.beta(0.5, 0.5).cdf).pvalue > 1e-4
    # balanced counts: no rebalancing, label factor is lam
    assert torch.equal(a.last_lam_y_, a.last_lam_)


def test_balanced_mixup_partner_classes_are_balanced():
    y_pool = torch.tensor([0] * 900 + [1] * 90 + [2] * 10)
    X_pool = torch.randn(1000, 2)
    mix = BalancedMixup(X_pool, y_pool, generator=0)
    partner_labels = []
    for _ in range(30):
        _x_mix, _target = mix(X_pool[:200], y_pool[:200])
        partner_labels.append(y_pool[mix.last_partner_])
    observed = torch.bincount(torch.cat(partner_labels), minlength=3).numpy()
    assert stats.chisquare(observed).pvalue > 1e-4, observed


def test_balanced_mixup_targets_and_dataset_pool():
    y_pool = torch.tensor([0, 0, 0, 1])
    X_pool = torch.arange(8.0).reshape(4, 2)
    mix = BalancedMixup(TensorDataset(X_pool, y_pool), generator=1)
    x = torch.zeros(5, 2)
    y = torch.tensor([0, 1, 0, 1, 0])
    x_mix, target = mix(x, y)
    k = mix.last_partner_
    # x is zero, so x_mix = (1 - lam) * partner; recover lam from the target's own class
    lam = 1 - x_mix[:, 1] / X_pool[k, 1].clamp_min(1e-12)
    assert torch.allclose(target.sum(1), torch.ones(5))
    same = y == y_pool[k]
    assert torch.allclose(
        target[~same, :].gather(1, y[~same, None]).squeeze(1), lam[~same], atol=1e-5
    )
    assert torch.allclose(
        target[same].gather(1, y[same, None]).squeeze(1), torch.ones(int(same.sum()))
    )


def test_bad_params_refused():
    with pytest.raises(InvalidParameterError, match=r"Remix: alpha=0 is invalid; it must be"):
        Remix([1, 2], alpha=0)
    with pytest.raises(InvalidParameterError, match=r"Remix: kappa=0.5 is invalid; it must be"):
        Remix([1, 2], kappa=0.5)
    with pytest.raises(InvalidParameterError, match=r"Remix: tau=2 is invalid; it must be"):
        Remix([1, 2], tau=2)
    with pytest.raises(InvalidParameterError, match="class_counts"):
        Remix([[1, 2]])
    with pytest.raises(InvalidParameterError, match="floating-point"):
        Remix([1, 2])(torch.ones(2, 1, dtype=torch.int64), torch.tensor([0, 1]))
    with pytest.raises(InvalidParameterError, match=r"BalancedMixup: alpha=-1 is invalid"):
        BalancedMixup(torch.zeros(2, 1), torch.tensor([0, 1]), alpha=-1)
    with pytest.raises(InvalidParameterError, match="y is None"):
        BalancedMixup(torch.zeros(2, 1))
    with pytest.raises(InvalidParameterError, match=r"labels must lie in \[0, 2\)"):
        BalancedMixup(torch.zeros(2, 1), torch.tensor([0, 1]))(torch.zeros(1, 1), torch.tensor([5]))


def test_remix_first_case_wins_when_both_hold():
    # kappa = 1 and equal counts satisfy both conditions; the paper lists lambda_y = 0 first
    got = remix_label_factor(
        torch.tensor([0.5]), torch.tensor([5.0]), torch.tensor([5.0]), kappa=1.0, tau=1.0
    )
    assert got.tolist() == [0.0] == [_paper_rule(0.5, 5, 5, 1.0, 1.0)]


def test_balanced_mixup_pool_above_multinomial_limit():
    # torch.multinomial refuses more than 2**24 categories; the pool has no such limit
    n = 2**24 + 1
    y_pool = torch.zeros(n, dtype=torch.int64)
    y_pool[-3:] = 1
    mix = BalancedMixup(torch.zeros(1, 2).expand(n, 2), y_pool, generator=0)
    mix(torch.ones(400, 2), torch.zeros(400, dtype=torch.int64))
    partners = mix.last_partner_
    assert int(partners.max()) < n
    rare = int((partners >= n - 3).sum())
    assert stats.binomtest(rare, 400, 0.5).pvalue > 1e-4, rare


def test_balanced_mixup_negative_pool_label_refused():
    with pytest.raises(InvalidParameterError, match="the pool has label -1"):
        BalancedMixup(torch.zeros(2, 1), torch.tensor([-1, 0]))
