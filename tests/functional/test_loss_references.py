"""Each loss against a direct float64 transcription of its paper's equation (NumPy loops where
the equation is per sample), and against torch's own ops where one exists."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance import functional as TF

TOL = {"rtol": 1e-10, "atol": 1e-10}


def _inputs(n: int = 13, c: int = 5, seed: int = 0, spread: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g, dtype=torch.float64) * spread
    target = torch.randint(0, c, (n,), generator=g)
    counts = torch.randint(1, 500, (c,), generator=g).double()
    return logits, target, counts


def _np_log_softmax(z: np.ndarray) -> np.ndarray:
    m = z.max(-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(-1, keepdims=True))


def _close(ours: torch.Tensor, expected) -> None:
    np.testing.assert_allclose(ours.detach().numpy(), np.asarray(expected), **TOL)


# --- focal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("use_weight", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [False, True])
def test_focal_gamma0_is_cross_entropy(reduction, use_weight, label_smoothing, ignore):
    logits, target, _ = _inputs(17, 6, seed=1)
    if ignore:
        target = target.clone()
        target[::4] = -1
    weight = torch.rand(6, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    w = weight if use_weight else None
    kwargs = {"weight": w, "reduction": reduction, "label_smoothing": label_smoothing}
    if ignore:
        kwargs["ignore_index"] = -1
    expected = F.cross_entropy(logits, target, **kwargs)
    ours = TF.focal_loss(logits, target, gamma=0.0, **kwargs)
    torch.testing.assert_close(ours, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 3.7])
def test_focal_matches_lin_et_al(gamma):
    logits, target, _ = _inputs(seed=3)
    alpha = np.array([0.1, 0.2, 0.3, 0.25, 0.9])
    log_p = _np_log_softmax(logits.numpy())
    expected = []
    for i, y in enumerate(target.tolist()):
        p = math.exp(log_p[i, y])
        expected.append(-alpha[y] * (1 - p) ** gamma * log_p[i, y])
    ours = TF.focal_loss(logits, target, gamma=gamma, alpha=torch.tensor(alpha), reduction="none")
    _close(ours, expected)
    scalar = TF.focal_loss(logits, target, gamma=gamma, alpha=0.25)
    _close(scalar, 0.25 * np.mean(np.array(expected) / alpha[target.numpy()]))


def test_focal_label_smoothing_definition():
    logits, target, _ = _inputs(9, 4, seed=4)
    eps, gamma = 0.1, 2.0
    weight = np.array([1.0, 2.0, 0.5, 1.5])
    log_p = _np_log_softmax(logits.numpy())
    total, denominator = 0.0, 0.0
    for i, y in enumerate(target.tolist()):
        for c in range(4):
            q = (1 - eps) * (c == y) + eps / 4
            p = math.exp(log_p[i, c])
            total += q * weight[c] * (1 - p) ** gamma * -log_p[i, c]
        denominator += weight[y]
    ours = TF.focal_loss(
        logits, target, gamma=gamma, weight=torch.tensor(weight), label_smoothing=eps
    )
    _close(ours, total / denominator)


# --- binary focal (torchvision.ops.sigmoid_focal_loss, transcribed) ------------------------


def _torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    # torchvision/ops/focal_loss.py, transcribed line by line (torchvision is not installed).
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (None, 2.0), (0.7, 0.0), (0.5, 1.3)])
@pytest.mark.parametrize("shape", [(11,), (7, 4)])
def test_binary_focal_equals_torchvision_formula(reduction, alpha, gamma, shape):
    g = torch.Generator().manual_seed(5)
    logits = torch.randn(shape, generator=g, dtype=torch.float64) * 3
    targets = (torch.rand(shape, generator=g) < 0.3).double()
    expected = _torchvision_sigmoid_focal_loss(
        logits, targets, -1 if alpha is None else alpha, gamma, reduction
    )
    ours = TF.binary_focal_loss(logits, targets, gamma=gamma, alpha=alpha, reduction=reduction)
    torch.testing.assert_close(ours, expected, rtol=1e-10, atol=1e-12)
    bool_targets = TF.binary_focal_loss(
        logits, targets.bool(), gamma=gamma, alpha=alpha, reduction=reduction
    )
    torch.testing.assert_close(bool_targets, expected, rtol=1e-10, atol=1e-12)


# --- LDAM, logit adjustment, balanced softmax, VS ------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.integers(2, 9), max_margin=st.floats(0.01, 2.0))
def test_ldam_matches_cao_et_al(seed, c, max_margin):
    logits, target, counts = _inputs(11, c, seed=seed, spread=0.5)
    scale = 30.0
    n = counts.numpy()
    constant = max_margin / np.max(1.0 / n**0.25)  # chosen so the largest margin is max_margin
    delta = constant / n**0.25
    expected = []
    for i, y in enumerate(target.tolist()):
        z = logits[i].numpy().copy()
        z[y] -= delta[y]
        z = scale * z
        expected.append(-(z[y] - np.log(np.exp(z - z.max()).sum()) - z.max()))
    _close(TF.ldam_margins(counts, max_margin), delta)
    ours = TF.ldam_loss(
        logits, target, counts, max_margin=max_margin, scale=scale, reduction="none"
    )
    _close(ours, expected)
    _close(TF.ldam_loss(logits, target, counts, max_margin=max_margin), np.mean(expected))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.integers(2, 9), tau=st.floats(0.0, 3.0))
def test_logit_adjusted_matches_menon_et_al(seed, c, tau):
    logits, target, counts = _inputs(11, c, seed=seed)
    prior = counts.numpy() / counts.numpy().sum()
    expected = []
    for i, y in enumerate(target.tolist()):
        # Eq. (10): -log( e^{f_y + τ log π_y} / Σ_j e^{f_j + τ log π_j} )
        num = math.exp(logits[i, y].item() + tau * math.log(prior[y]))
        den = sum(math.exp(logits[i, j].item() + tau * math.log(prior[j])) for j in range(c))
        expected.append(-math.log(num / den))
    _close(TF.logit_adjusted_loss(logits, target, counts, tau=tau, reduction="none"), expected)
    from_priors = TF.logit_adjusted_loss(
        logits, target, class_priors=torch.tensor(prior), tau=tau, reduction="sum"
    )
    _close(from_priors, np.sum(expected))


def test_logit_adjust_post_hoc():
    logits, _, counts = _inputs(seed=6)
    prior = counts / counts.sum()
    expected = logits.numpy() - 1.5 * np.log(prior.numpy())
    _close(TF.logit_adjust(logits, prior, tau=1.5), expected)
    half = TF.logit_adjust(logits.half(), prior)
    assert half.dtype == torch.float16


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.integers(2, 9))
def test_balanced_softmax_matches_ren_et_al_and_logit_adjustment(seed, c):
    logits, target, counts = _inputs(11, c, seed=seed)
    n = counts.numpy()
    expected = []
    for i, y in enumerate(target.tolist()):
        # Eq. (4): φ_y = n_y e^{η_y} / Σ_j n_j e^{η_j}
        z = logits[i].numpy()
        expected.append(-math.log(n[y] * math.exp(z[y]) / np.sum(n * np.exp(z))))
    ours = TF.balanced_softmax_loss(logits, target, counts, reduction="none")
    _close(ours, expected)
    la = TF.logit_adjusted_loss(logits, target, counts, tau=1.0, reduction="none")
    torch.testing.assert_close(ours, la, rtol=0, atol=0)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    c=st.integers(2, 9),
    gamma=st.floats(0.0, 1.0),
    tau=st.floats(0.0, 2.0),
)
def test_vs_matches_kini_et_al(seed, c, gamma, tau):
    logits, target, counts = _inputs(11, c, seed=seed)
    n = counts.numpy()
    delta = (n / n.max()) ** gamma
    iota = tau * np.log(n / n.sum())
    expected = []
    for i, y in enumerate(target.tolist()):
        z = delta * logits[i].numpy() + iota
        expected.append(-(z[y] - z.max() - np.log(np.exp(z - z.max()).sum())))
    _close(TF.vs_scales(counts, gamma), delta)
    _close(TF.vs_loss(logits, target, counts, gamma=gamma, tau=tau, reduction="none"), expected)


# --- class-balanced ------------------------------------------------------------------------


@pytest.mark.parametrize("base", ["ce", "softmax", "sigmoid", "focal"])
@pytest.mark.parametrize("beta", [0.0, 0.9, 0.999, 0.9999])
def test_class_balanced_matches_cui_et_al(base, beta):
    logits, target, counts = _inputs(12, 5, seed=7)
    n = counts.numpy()
    gamma = 1.5
    raw = (1 - beta) / (1 - beta**n) if beta > 0 else np.ones_like(n)
    w = raw / raw.sum() * len(n)  # normalised to sum C, as Cui et al.
    expected = []
    for i, y in enumerate(target.tolist()):
        z = logits[i].numpy()
        if base in ("ce", "softmax"):  # Eq. (5)
            loss = -(z[y] - np.log(np.exp(z).sum()))
        else:
            loss = 0.0
            for j in range(len(n)):
                zt = z[j] if j == y else -z[j]
                pt = 1 / (1 + math.exp(-zt))
                if base == "sigmoid":  # Eq. (6)
                    loss -= math.log(pt)
                else:  # Eq. (7)
                    loss -= (1 - pt) ** gamma * math.log(pt)
        expected.append(w[y] * loss)
    ours = TF.class_balanced_loss(
        logits, target, counts, base=base, beta=beta, gamma=gamma, reduction="none"
    )
    _close(ours, expected)
    mean = TF.class_balanced_loss(logits, target, counts, base=base, beta=beta, gamma=gamma)
    _close(mean, np.mean(expected))
    _close(TF.class_balanced_weights(counts, beta), w)


def test_class_balanced_ignore_index_averages_counted_rows():
    logits, target, counts = _inputs(12, 5, seed=8)
    target = target.clone()
    target[:3] = -100
    per = TF.class_balanced_loss(logits, target, counts, reduction="none")
    assert per[:3].eq(0).all()
    torch.testing.assert_close(
        TF.class_balanced_loss(logits, target, counts), per[3:].mean(), rtol=1e-12, atol=0
    )


# --- asymmetric ----------------------------------------------------------------------------


def _ridnik_asl(x, y, gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8):
    # AsymmetricLoss.forward from the authors' repository (src/loss_functions/losses.py).
    x_sigmoid = torch.sigmoid(x)
    xs_pos = x_sigmoid
    xs_neg = 1 - x_sigmoid
    if clip is not None and clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    los_pos = y * torch.log(xs_pos.clamp(min=eps))
    los_neg = (1 - y) * torch.log(xs_neg.clamp(min=eps))
    loss = los_pos + los_neg
    if gamma_neg > 0 or gamma_pos > 0:
        pt0 = xs_pos * y
        pt1 = xs_neg * (1 - y)
        pt = pt0 + pt1
        one_sided_gamma = gamma_pos * y + gamma_neg * (1 - y)
        one_sided_w = torch.pow(1 - pt, one_sided_gamma)
        loss *= one_sided_w
    return -loss.sum()


@pytest.mark.parametrize(
    ("gamma_pos", "gamma_neg", "clip"), [(1.0, 4.0, 0.05), (0.0, 2.0, 0.2), (0.0, 0.0, 0.0)]
)
def test_asymmetric_matches_ridnik_et_al(gamma_pos, gamma_neg, clip):
    g = torch.Generator().manual_seed(9)
    logits = torch.randn(8, 6, generator=g, dtype=torch.float64) * 2
    targets = (torch.rand(8, 6, generator=g) < 0.3).double()
    expected = _ridnik_asl(logits, targets, gamma_neg, gamma_pos, clip)
    ours = TF.asymmetric_loss(
        logits, targets, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip, reduction="sum"
    )
    torch.testing.assert_close(ours, expected, rtol=1e-10, atol=1e-12)
    mean = TF.asymmetric_loss(logits, targets, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip)
    torch.testing.assert_close(mean, expected / targets.numel(), rtol=1e-10, atol=1e-12)


def test_asymmetric_without_focusing_is_bce():
    g = torch.Generator().manual_seed(10)
    logits = torch.randn(5, 3, generator=g, dtype=torch.float64)
    targets = (torch.rand(5, 3, generator=g) < 0.5).double()
    ours = TF.asymmetric_loss(logits, targets, gamma_pos=0.0, gamma_neg=0.0, clip=0.0)
    torch.testing.assert_close(ours, F.binary_cross_entropy_with_logits(logits, targets))


# --- cost-sensitive ------------------------------------------------------------------------


def test_cost_sensitive_is_expected_cost():
    logits, target, _ = _inputs(10, 4, seed=11)
    cost = torch.rand(4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(12))
    p = np.exp(_np_log_softmax(logits.numpy()))
    expected = [sum(cost[y, j].item() * p[i, j] for j in range(4)) for i, y in enumerate(target)]
    _close(TF.cost_sensitive_loss(logits, target, cost, reduction="none"), expected)
    _close(TF.cost_sensitive_loss(logits, target, cost), np.mean(expected))


# --- gradients -----------------------------------------------------------------------------

_COUNTS = torch.tensor([40.0, 9.0, 3.0, 1.0], dtype=torch.float64)
_CASES = {
    "focal": lambda x, t: TF.focal_loss(x, t, gamma=2.0, alpha=[0.2, 0.3, 0.4, 0.5]),
    "focal_smoothing": lambda x, t: TF.focal_loss(x, t, gamma=1.5, label_smoothing=0.1),
    "ldam": lambda x, t: TF.ldam_loss(x, t, _COUNTS, scale=5.0),
    "logit_adjusted": lambda x, t: TF.logit_adjusted_loss(x, t, _COUNTS, tau=1.3),
    "balanced_softmax": lambda x, t: TF.balanced_softmax_loss(x, t, _COUNTS),
    "vs": lambda x, t: TF.vs_loss(x, t, _COUNTS),
    "class_balanced_ce": lambda x, t: TF.class_balanced_loss(x, t, _COUNTS),
    "class_balanced_focal": lambda x, t: TF.class_balanced_loss(x, t, _COUNTS, base="focal"),
    "class_balanced_sigmoid": lambda x, t: TF.class_balanced_loss(x, t, _COUNTS, base="sigmoid"),
    "cost_sensitive": lambda x, t: TF.cost_sensitive_loss(x, t, _COUNTS.outer(_COUNTS).sqrt()),
    "binary_focal": lambda x, t: TF.binary_focal_loss(x, (t.unsqueeze(1) == torch.arange(4))),
    "asymmetric": lambda x, t: TF.asymmetric_loss(x, (t.unsqueeze(1) == torch.arange(4))),
}


_FUSED = {
    "ldam",
    "logit_adjusted",
    "balanced_softmax",
    "vs",
    "class_balanced_ce",
    "cost_sensitive",
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_gradcheck(name):
    g = torch.Generator().manual_seed(13)
    logits = torch.randn(6, 4, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([0, 1, 2, 3, 0, 2])
    assert torch.autograd.gradcheck(lambda x: _CASES[name](x, target), (logits,))
    if name in _FUSED:  # their hand-written backward falls back to autograd for 2nd order
        assert torch.autograd.gradgradcheck(lambda x: _CASES[name](x, target), (logits,))


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_fused_gradients_with_weights_and_ignored_rows(reduction):
    g = torch.Generator().manual_seed(14)
    logits = torch.randn(7, 4, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([0, 1, -100, 3, 0, 2, -100])
    weight = torch.tensor([0.5, 1.0, 2.0, 3.0], dtype=torch.float64)

    def loss(x):
        return TF.ldam_loss(x, target, _COUNTS, scale=4.0, weight=weight, reduction=reduction)

    assert torch.autograd.gradcheck(loss, (logits,))
    assert torch.autograd.gradgradcheck(loss, (logits,))
