from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from scipy import stats

from torchbalance import metrics as M
from torchbalance.exceptions import DataValidationError, InvalidParameterError


def test_bootstrap_is_stratified_reproducible_and_covers():
    gen = torch.Generator().manual_seed(0)
    y = torch.cat([torch.zeros(180, dtype=torch.long), torch.ones(20, dtype=torch.long)])
    pred = torch.where(torch.rand(200, generator=gen) < 0.8, y, 1 - y)
    seen = []

    def metric(a, b):
        seen.append(int(a.sum()))  # positives per resample
        return M.balanced_accuracy_score(a, b)

    res = M.bootstrap_ci(metric, y, pred, n_boot=300, generator=3)
    assert set(seen) == {20}  # every resample keeps the class counts
    assert res.low <= res.estimate <= res.high
    assert res.samples.shape == (300,)
    q = np.quantile(res.samples.numpy(), [0.025, 0.975])
    assert (res.low, res.high) == pytest.approx(tuple(q))
    again = M.bootstrap_ci(M.balanced_accuracy_score, y, pred, n_boot=300, generator=3)
    assert torch.equal(again.samples, res.samples)
    plain = M.bootstrap_ci(
        M.balanced_accuracy_score, y, pred, n_boot=50, stratified=False, generator=1
    )
    assert plain.samples.shape == (50,)
    # numpy inputs and a scikit-learn metric work the same way
    from sklearn.metrics import balanced_accuracy_score

    np_res = M.bootstrap_ci(
        balanced_accuracy_score, y.numpy(), pred.numpy(), n_boot=300, generator=3
    )
    np.testing.assert_allclose(np_res.samples.numpy(), res.samples.numpy())


def test_bootstrap_bad_input():
    y = torch.tensor([0, 1, 1])
    with pytest.raises(InvalidParameterError, match="n_boot=0 is invalid"):
        M.bootstrap_ci(M.f1_score, y, y, n_boot=0)
    with pytest.raises(InvalidParameterError, match="alpha=1.5 is invalid"):
        M.bootstrap_ci(M.f1_score, y, y, alpha=1.5)
    with pytest.raises(DataValidationError, match="y_true has 3, y_score has 2"):
        M.bootstrap_ci(M.f1_score, y, y[:2])


def test_paired_comparison_against_scipy_and_brute_force():
    rng = np.random.default_rng(0)
    a = 0.8 + 0.02 * rng.standard_normal(10)
    b = a - 0.01 + 0.01 * rng.standard_normal(10)
    res = M.paired_comparison(a, b)
    assert res.t_statistic == pytest.approx(stats.ttest_rel(a, b).statistic)
    d = a - b
    perms = np.array([np.mean(np.array(s) * d) for s in itertools.product([1, -1], repeat=10)])
    assert res.p_value == pytest.approx(np.mean(np.abs(perms) >= abs(d.mean()) - 1e-12))
    greater = M.paired_comparison(a, b, alternative="greater")
    assert greater.p_value == pytest.approx(np.mean(perms >= d.mean() - 1e-12))
    corrected = M.paired_comparison(a, b, test_fraction=0.2)
    k = len(d)
    want = d.mean() / np.sqrt((1 / k + 0.25) * d.var(ddof=1))
    assert corrected.t_statistic == pytest.approx(want)
    many = M.paired_comparison(rng.random(30), rng.random(30), generator=0, n_permutations=2000)
    assert 0 <= many.p_value <= 1
    with pytest.raises(DataValidationError, match="scores_a has 3, scores_b has 2"):
        M.paired_comparison([1, 2, 3], [1, 2])
    with pytest.raises(InvalidParameterError, match="alternative='bigger' is invalid"):
        M.paired_comparison([1, 2], [1, 2], alternative="bigger")


def test_plots_return_figures():
    pytest.importorskip("matplotlib")
    gen = torch.Generator().manual_seed(0)
    y = torch.randint(0, 3, (200,), generator=gen)
    probs = (torch.randn(200, 3, generator=gen) + 2 * torch.nn.functional.one_hot(y, 3)).softmax(1)
    pred = probs.argmax(1)
    fig = M.plot_confusion_matrix(y, pred, class_names=["a", "b", "c"])
    image = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(np.asarray(image).sum(1), 1.0)  # normalised per true class
    fig = M.plot_per_class_recall(y, pred)
    heights = [bar.get_height() for bar in fig.axes[0].patches]
    np.testing.assert_allclose(heights, M.recall_score(y, pred, average=None).numpy())
    fig = M.plot_roc_curves(y, probs)
    assert len(fig.axes[0].lines) == 4  # three classes and the diagonal
    fig = M.plot_precision_recall_curves(y, probs)
    assert len(fig.axes[0].lines) == 3
    fig = M.plot_reliability_diagram(y, probs, n_bins=10)
    assert fig.axes[0].get_title() == "Reliability diagram"
    fig.canvas.draw()  # renders with Agg, nothing displayed
    with pytest.raises(DataValidationError, match="class_names has 2 names for 3 classes"):
        M.plot_confusion_matrix(y, pred, class_names=["a", "b"])


@pytest.mark.parametrize("plot", ["plot_roc_curves", "plot_precision_recall_curves"])
def test_curve_plots_refuse_labels_that_are_not_column_indices(plot):
    pytest.importorskip("matplotlib")
    # labels {1, 2} with a 1-D score drew an inverted curve; {0, 1, 3} dropped class 3
    with pytest.raises(DataValidationError, match=r"outside 0\.\.1"):
        getattr(M, plot)(torch.tensor([1, 1, 2, 2]), torch.tensor([0.1, 0.3, 0.8, 0.9]))
    probs = torch.full((4, 3), 1 / 3)
    with pytest.raises(DataValidationError, match=r"outside 0\.\.2"):
        getattr(M, plot)(torch.tensor([0, 1, 3, 3]), probs)


def test_monte_carlo_p_values_are_never_zero():
    # above 16 paired runs the sign flips are sampled; the observed pattern counts too
    a = [0.8 + 0.01 * i for i in range(20)]
    result = M.paired_comparison(a, [x - 0.02 for x in a], alternative="greater", generator=0)
    assert 0.0 < result.p_value <= 1.0 / 1.0e3


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_paired_t_test_equals_scipy_and_its_corrected_form(alternative):
    rng = np.random.default_rng(0)
    a = rng.normal(0.80, 0.02, 12)
    b = a - rng.normal(0.01, 0.02, 12)
    plain = M.paired_comparison(a, b, alternative=alternative, test="t")
    want = stats.ttest_rel(a, b, alternative=alternative)
    assert plain.t_statistic == pytest.approx(want.statistic)
    assert plain.p_value == pytest.approx(want.pvalue, rel=1e-9)
    # Nadeau-Bengio / Bouckaert-Frank: variance (1/k + n_test/n_train), k - 1 degrees of freedom
    corrected = M.paired_comparison(a, b, alternative=alternative, test="t", test_fraction=0.2)
    d = a - b
    t = d.mean() / np.sqrt((1 / 12 + 0.25) * d.var(ddof=1))
    p = {
        "greater": stats.t.sf(t, 11),
        "less": stats.t.cdf(t, 11),
        "two-sided": 2 * stats.t.sf(abs(t), 11),
    }[alternative]
    assert corrected.t_statistic == pytest.approx(t)
    assert corrected.p_value == pytest.approx(p, rel=1e-9)


def test_paired_t_test_of_constant_differences_falls_back_to_the_sign_flip():
    # no spread (exactly, or up to rounding): t is undefined, and p is not 0 but 1 / 2**k
    better = M.paired_comparison([0.75, 0.5], [0.5, 0.25], alternative="greater", test="t")
    assert better.p_value == 0.25
    rounded = M.paired_comparison([0.15, 0.25], [0.20, 0.30], alternative="less", test="t")
    assert rounded.p_value == 0.25
    same = M.paired_comparison([0.9, 0.8], [0.9, 0.8], alternative="greater", test="t")
    assert same.p_value == 1.0
    with pytest.raises(InvalidParameterError, match="test='z' is invalid"):
        M.paired_comparison([0.9, 0.8], [0.9, 0.8], test="z")
