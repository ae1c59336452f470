from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import torch

from torchbalance.base import BaseResampler
from torchbalance.datasets import load_digits_lt, make_classification
from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.experiment import (
    SCHEMA_VERSION,
    Setting,
    Strategy,
    compare,
    register_strategy,
    render_report,
    resolve_strategies,
    unregister_strategy,
    write_report,
)
from torchbalance.under_sampling._base import _SelectionMixin

X, Y = make_classification(
    360, n_features=6, n_informative=3, n_classes=3, weights=[0.7, 0.2, 0.1], generator=0
)
FEW = ["baseline", "class_weighted", "posthoc_adjustment"]


def _small(**kwargs):
    options = {"strategies": FEW, "cv": 3, "epochs": 3, "progress": False}
    options.update(kwargs)
    return compare(X, Y, **options)


def test_every_strategy_sees_the_same_folds_and_the_result_is_complete():
    result = _small()
    board = result.leaderboard()
    assert [row["mean"] for row in board] == sorted((row["mean"] for row in board), reverse=True)
    assert {row["strategy"] for row in board} == set(FEW)
    folds = [[(f["n_train"], f["n_test"]) for f in r.cv.folds] for r in result.results]
    assert folds[0] == folds[1] == folds[2] and len(folds[0]) == 3
    recalls = result.per_class_recall()
    assert all(len(v) == 3 for v in recalls.values())
    baseline = next(r for r in result.results if r.strategy.name == "baseline")
    assert baseline.paired is None
    assert all(
        r.paired is not None and r.paired.n == 3 for r in result.results if r is not baseline
    )


def test_same_seed_same_numbers():
    first = _small(strategies=["baseline"]).leaderboard()
    again = _small(strategies=["baseline"]).leaderboard()
    for row in (first[0], again[0]):
        row.pop("fit_time")
    assert first == again


def test_long_tail_methods_beat_plain_cross_entropy_on_long_tailed_digits():
    result = compare(
        load_digits_lt(),
        strategies=["baseline", "logit_adjusted", "posthoc_adjustment", "balanced_sampler"],
        repeats=3,
        progress=False,
    )
    means = {row["strategy"]: row["mean"] for row in result.leaderboard()}
    for name in ("logit_adjusted", "posthoc_adjustment", "balanced_sampler"):
        assert means[name] > means["baseline"] + 0.01, means


class _Refuses(BaseResampler):
    _sampling_type = "over-sampling"

    def __init__(self, *, sampling_strategy="auto"):
        self.sampling_strategy = sampling_strategy

    def _fit_resample(self, X, y, strategy):
        raise DataValidationError("_Refuses: this data is not for me")


class _WipesClassTwo(_SelectionMixin):
    """Drops every sample of class 2, as a cleaning rule can, and so warns."""

    _sampling_type = "clean-sampling"

    def __init__(self, *, sampling_strategy="all"):
        self.sampling_strategy = sampling_strategy

    def _fit_resample(self, X, y, strategy):
        return self._select(X, y, torch.nonzero(y != 2).reshape(-1), strategy)


def test_the_package_warnings_of_a_strategy_reach_every_report():
    register_strategy(
        Strategy(
            "wipes", "drops class 2", "resampler", lambda s: (s.classifier(), _WipesClassTwo())
        )
    )
    try:
        result = _small(strategies=["baseline", "wipes"])
    finally:
        unregister_strategy("wipes")
    (message,) = result.warnings()["wipes"]  # once, though every fold raised it
    assert "removed every sample of class(es) [2]" in message
    assert "baseline" not in result.warnings()
    assert "warning, wipes: " in render_report(result, "table")
    assert "## Warnings" in render_report(result, "markdown")
    strategies = json.loads(render_report(result, "json"))["strategies"]
    assert [s["warnings"] for s in strategies] == [[], [message]]


UNDER_SAMPLING = [
    "near_miss",
    "tomek_links",
    "enn",
    "ncr",
    "renn",
    "all_knn",
    "one_sided_selection",
    "condensed_nn",
    "cluster_centroids",
    "instance_hardness",
]


def test_under_sampling_strategies_run_inside_the_folds():
    tabular = Setting(input_shape=(6,), class_counts=(100, 20, 5), min_train_count=4)
    default = {s.name for s in resolve_strategies(None, tabular)[0]}
    assert {"near_miss", "tomek_links", "enn", "ncr"} <= default
    every = {s.name for s in resolve_strategies("all", tabular)[0]}
    assert set(UNDER_SAMPLING) <= every
    result = _small(strategies=["baseline", *UNDER_SAMPLING], cv=2, epochs=1)
    assert [r.strategy.name for r in result.results] == ["baseline", *UNDER_SAMPLING]
    train_sizes = {r.strategy.name: [f["n_train"] for f in r.cv.folds] for r in result.results}
    assert len(set(map(tuple, train_sizes.values()))) == 1  # the same folds for everyone
    images = Setting(input_shape=(1, 8, 8), class_counts=(100, 20, 5), min_train_count=4)
    left_out = resolve_strategies("all", images)[1]
    assert set(UNDER_SAMPLING) <= set(left_out)


def test_inner_cross_validation_is_sized_from_the_rarest_training_class():
    # 2 rare training rows: the strategies' own folds shrink to 2 instead of failing
    from torchbalance.experiment import get_strategy

    for count, folds in ((2, (2, 2)), (4, (3, 4)), (40, (3, 5))):
        setting = Setting(input_shape=(4,), class_counts=(90, 10), min_train_count=count)
        tuner, _ = get_strategy("threshold_tuning").build(setting)
        _, hardness = get_strategy("instance_hardness").build(setting)
        assert (tuner.cv, hardness.cv) == folds


def test_custom_strategy_and_a_failing_one_is_reported_not_fatal():
    register_strategy(
        Strategy("refuses", "always fails", "resampler", lambda s: (s.classifier(), _Refuses()))
    )
    register_strategy(
        Strategy(
            "wide", "a wider MLP", "baseline", lambda s: (s.classifier(hidden_sizes=(256,)), None)
        )
    )
    try:
        result = _small(strategies=["baseline", "refuses", "wide"])
    finally:
        unregister_strategy("refuses")
        unregister_strategy("wide")
    assert [r.strategy.name for r in result.results] == ["baseline", "wide"]
    assert "this data is not for me" in result.skipped["refuses"]


def test_default_and_fast_sets_and_what_is_left_out():
    tabular = Setting(input_shape=(6,), class_counts=(100, 20, 5), min_train_count=4)
    default, _ = resolve_strategies(None, tabular)
    fast, _ = resolve_strategies("fast", tabular)
    names = {s.name for s in default}
    assert {"baseline", "logit_adjusted", "balanced_sampler", "threshold_tuning"} <= names
    assert {"minority_augmentation", "random_over"} <= {s.name for s in fast}
    assert {s.name for s in fast} < names
    images = Setting(input_shape=(1, 8, 8), class_counts=(100, 20, 5), min_train_count=4)
    chosen, reasons = resolve_strategies("all", images)
    assert "smote" not in {s.name for s in chosen} and "smote" in reasons
    with pytest.raises(InvalidParameterError, match="cannot run here"):
        resolve_strategies(["smote"], images)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"strategies": ["nope"]}, InvalidParameterError, "unknown strategy 'nope'"),
        ({"primary": "auc"}, InvalidParameterError, "primary='auc'"),
        ({"model": "transformer"}, InvalidParameterError, "model='transformer'"),
        ({"cv": 1}, InvalidParameterError, "cv=1"),
        ({"epochs": 0}, InvalidParameterError, "epochs=0"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        _small(**kwargs)
    with pytest.raises(DataValidationError, match="single class"):
        compare(X, torch.zeros_like(Y), progress=False)


def test_reports_in_every_format(tmp_path):
    result = _small()
    table = render_report(result, "table")
    assert "recommendation:" in table and "baseline" in table
    assert render_report(result, "markdown").startswith("# torchbalance compare")
    data = json.loads(render_report(result, "json"))
    assert data["schema_version"] == SCHEMA_VERSION
    assert set(data) >= {
        "dataset",
        "protocol",
        "primary",
        "metrics",
        "class_labels",
        "setting",
        "recommendation",
        "skipped",
        "leaderboard",
        "strategies",
        "elapsed_seconds",
    }
    for strategy in data["strategies"]:
        assert len(strategy["folds"]) == 3
        assert set(strategy["summary_metrics"]) >= set(data["metrics"])
    paths = write_report(result, tmp_path / "out")
    page = paths["html"].read_text()
    assert page.count("<img") >= 3 and "data:image/png;base64," in page
    assert json.loads(paths["json"].read_text())["leaderboard"] == data["leaderboard"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_html_report_renders_every_image_in_headless_chromium(tmp_path):
    paths = write_report(_small(), tmp_path)
    script = tmp_path / "check.html"
    # the page reports, in its title, how many images decoded with a non-zero width
    page = (
        paths["html"]
        .read_text()
        .replace(
            "</body>",
            "<script>window.onload=()=>{const i=[...document.images];"
            "document.title=i.filter(x=>x.complete&&x.naturalWidth>0).length+'/'+i.length;}"
            "</script></body>",
        )
    )
    script.write_text(page)
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", script.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    title = result.stdout.split("<title>")[1].split("</title>")[0]
    loaded, total = (int(v) for v in title.split("/"))
    assert total >= 3 and loaded == total, title


def _plus(base: list[float], gains: list[float]) -> list[float]:
    return [b + g for b, g in zip(base, gains, strict=True)]


def _from_scores(
    per_fold: dict[str, list[float]],
    test_fraction: float | None = 0.2,
    primary: str = "balanced_accuracy",
):
    """A ComparisonResult built from hand-written per-fold scores of one metric."""
    from torchbalance.experiment import ComparisonResult, StrategyResult, list_strategies
    from torchbalance.experiment._setting import Setting
    from torchbalance.metrics import paired_comparison
    from torchbalance.model_selection import CVResult, fold_mean_interval
    from torchbalance.model_selection._scoring import LOWER_IS_BETTER

    known = list_strategies()
    results = []
    for name, scores in per_fold.items():
        rows = [{"repeat": 0, "fold": i, primary: v, "fit_time": 0.1} for i, v in enumerate(scores)]
        summary = {primary: fold_mean_interval(scores, test_fraction=test_fraction)}
        results.append(
            StrategyResult(known.get(name, known["baseline"]), CVResult(rows, summary, 0.95))
        )
        if name != "baseline" and "baseline" in per_fold:
            results[-1].paired = paired_comparison(
                scores,
                per_fold["baseline"],
                alternative="less" if primary in LOWER_IS_BETTER else "greater",
                test="t",
                test_fraction=test_fraction,
            )
    setting = Setting(input_shape=(4,), class_counts=(90, 10), min_train_count=8)
    return ComparisonResult(
        results=results,
        primary=primary,
        metrics=[primary],
        class_labels=[0, 1],
        skipped={},
        setting=setting,
        protocol="5-fold",
        dataset="d",
        elapsed=1.0,
    )


def test_holm_adjusts_the_p_values_for_the_number_of_strategies():
    base = [0.70, 0.72, 0.68, 0.71, 0.69, 0.70, 0.73, 0.69, 0.70, 0.71]
    result = _from_scores(
        {
            "baseline": base,
            "smote": _plus(base, [0.05, 0.06, 0.05, 0.07, 0.05] * 2),
            "focal": _plus(base, [0.01, -0.02, 0.03, 0.0, 0.01] * 2),
            "enn": _plus(base, [-0.01, 0.02, 0.0, 0.01, -0.02] * 2),
        }
    )
    raw = {r.strategy.name: r.paired.p_value for r in result.results if r.paired is not None}
    ordered = sorted(raw, key=raw.get)
    holm = result.adjusted_p_values()
    running = 0.0
    for position, name in enumerate(ordered):  # Holm (1979) step-down, by hand
        running = max(running, min(1.0, (3 - position) * raw[name]))
        assert holm[name] == pytest.approx(running)
    assert holm["smote"] <= 0.05 and result.recommendation().startswith("Use smote")
    assert "after Holm's adjustment for 3 strategies" in result.recommendation()


def test_the_recommendation_is_the_best_strategy_that_survives_the_adjustment():
    # the top mean is noise (it lost on two folds); a steadier strategy gains on every fold
    base = [0.70, 0.72, 0.68, 0.71, 0.69] * 2
    result = _from_scores(
        {
            "baseline": base,
            "focal": [0.95, 0.60, 0.90, 0.62, 0.93] * 2,
            "smote": [v + 0.04 + 0.002 * (i % 3) for i, v in enumerate(base)],
        }
    )
    assert result.leaderboard()[0]["strategy"] == "focal"
    line = result.recommendation()
    assert line.startswith("Use smote"), line
    assert "focal ranks higher" in line and "within noise" in line


def test_no_recommendation_when_nothing_survives_the_adjustment():
    base = [0.70, 0.72, 0.68, 0.71, 0.69]
    noise = [[0.01, -0.02, 0.03, 0.0, 0.01], [0.02, 0.01, -0.01, 0.02, -0.02]]
    result = _from_scores(
        {
            "baseline": base,
            "focal": _plus(base, noise[0]),
            "smote": _plus(base, noise[1]),
        }
    )
    assert result.recommendation().startswith("No strategy beats the baseline")
    assert "2 comparisons" in result.recommendation()


def test_a_lower_is_better_primary_recommends_the_lowest_and_says_lower():
    base = [0.10, 0.12, 0.09, 0.11, 0.10] * 2
    calibrated = _from_scores(
        {
            "baseline": base,
            "smote": [v + 0.03 for v in base],  # worse calibrated on every fold
            "posthoc_adjustment": [v - 0.05 - 0.002 * (i % 3) for i, v in enumerate(base)],
        },
        primary="ece",
    )
    assert calibrated.leaderboard()[0]["strategy"] == "posthoc_adjustment"
    line = calibrated.recommendation()
    assert line.startswith("Use posthoc_adjustment: ece 0.05"), line
    assert "-0.05" in line and "over the baseline" in line
    worse = _from_scores({"baseline": base, "smote": [v + 0.03 for v in base]}, primary="ece")
    assert worse.recommendation() == "Keep baseline: no strategy scored a lower mean ece."


def test_more_repeats_of_the_same_folds_do_not_drive_p_to_zero():
    # the corrected test's p has a floor (the t of infinitely many repeats: the variance term
    # n_test / n_train does not shrink); a test that takes the runs as independent has none
    from torchbalance.metrics import paired_comparison

    base = [0.70, 0.72, 0.68, 0.71, 0.69]
    better = _plus(base, [0.03, -0.01, 0.05, 0.0, 0.04])
    corrected = _from_scores({"baseline": base * 20, "smote": better * 20})
    assert corrected.adjusted_p_values()["smote"] > 0.03
    naive = paired_comparison(better * 20, base * 20, alternative="greater")
    assert naive.p_value < 0.001


class _Terminal:
    """A stderr stand-in that says it is a terminal and keeps what was written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_plain_lines_elsewhere(monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    _small(strategies=["baseline", "class_weighted"], progress=True)
    bars = [part for part in terminal.text.split("\r\x1b[K") if part.startswith("compare [")]
    assert any("6/6 fits" in bar for bar in bars) and any("1/6 fits" in bar for bar in bars)
    assert "compare: [2/2] class_weighted" in terminal.text
    assert terminal.text.endswith("\r\x1b[K")  # the bar is removed at the end
    monkeypatch.undo()
    _small(strategies=["baseline"], progress=True)
    err = capsys.readouterr().err
    assert err.startswith("compare: [1/1] baseline") and "\r" not in err and "[#" not in err


def test_the_report_names_the_interval_each_protocol_uses():
    from torchbalance.datasets import TrainTestData

    rotating = render_report(_small(), "table")
    assert "Intervals: Nadeau-Bengio corrected t" in rotating
    split = TrainTestData(
        X_train=X[:120],
        y_train=Y[:120],
        X_test=X[120:],
        y_test=Y[120:],
        name="toy",
        description="a toy split",
    )
    fixed = compare(split, strategies=["baseline"], repeats=2, epochs=2, progress=False)
    assert "Intervals: t over the seeds (one fixed split)" in render_report(fixed, "table")


def test_a_model_that_does_not_fit_the_samples_is_refused_up_front():
    with pytest.raises(InvalidParameterError, match="small_cnn: samples of shape"):
        _small(model="cnn")


def test_a_report_with_no_strategy_is_written(tmp_path):
    result = _from_scores({"baseline": [0.7, 0.8]})
    result.results.clear()
    paths = write_report(result, tmp_path)
    assert "No strategy ran." in paths["markdown"].read_text()
    assert json.loads(paths["json"].read_text())["leaderboard"] == []


def test_categorical_features_leave_out_the_strategies_that_synthesize_samples():
    result = _small(strategies="fast", categorical_features=[5])
    assert "minority_augmentation" not in {r.strategy.name for r in result.results}
    assert "invent categories" in result.skipped["minority_augmentation"]
    with pytest.raises(InvalidParameterError, match="'smote' cannot run here.*invent"):
        _small(strategies=["baseline", "smote"], categorical_features=[5])
    with pytest.raises(InvalidParameterError, match="categorical_features holds 6"):
        _small(categorical_features=[6])


def test_per_fold_rows_number_repeats_and_folds():
    result = _small(strategies=["baseline"], cv=2, repeats=2)
    rows = [(row["repeat"], row["fold"]) for row in result.results[0].cv.folds]
    assert rows == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_binary_pr_auc_is_the_same_class_in_every_fold():
    # 51 / 50 rows: folds whose own minority flips would average two classes' PR-AUC
    from sklearn.metrics import average_precision_score

    X2 = torch.randn(101, 4, generator=torch.Generator().manual_seed(1))
    y2 = torch.cat([torch.zeros(51), torch.ones(50)]).long()
    result = compare(
        X2,
        y2,
        strategies=["baseline"],
        cv=5,
        epochs=2,
        progress=False,
        metrics=["average_precision"],
    )
    cv = result.results[0].cv
    for row, fold in zip(cv.folds, cv.predictions, strict=True):
        want = average_precision_score(fold["y_true"].numpy() == 1, fold["y_proba"][:, 1])
        assert row["average_precision"] == pytest.approx(want)


def test_the_pr_curve_is_the_minority_s_whatever_the_label_order(monkeypatch, tmp_path):
    import torchbalance.metrics as metrics_module

    pytest.importorskip("matplotlib")
    shown = []
    real = metrics_module.plot_precision_recall_curves

    def recording(y_true, y_score, *, class_names=None):
        shown.append((class_names, float(y_true.double().mean())))
        return real(y_true, y_score, class_names=class_names)

    monkeypatch.setattr(metrics_module, "plot_precision_recall_curves", recording)
    X2, y2 = make_classification(200, n_features=4, weights=[0.8, 0.2], generator=0)
    labels = np.where(y2.numpy() == 1, "a_rare", "b_common")  # the minority sorts first
    result = compare(X2.numpy(), labels, strategies=["baseline"], cv=3, epochs=2, progress=False)
    write_report(result, tmp_path)
    assert shown and all(names == ["b_common", "a_rare"] for names, _ in shown)
    assert all(prevalence == pytest.approx(0.2, abs=0.02) for _, prevalence in shown)


def test_per_class_recall_intervals_stay_within_zero_and_one():
    from torchbalance.model_selection._scoring import score_range

    assert score_range("recall[fraud]") == (0.0, 1.0)
    result = _small(strategies=["baseline"])
    for name, interval in result.results[0].cv.summary.items():
        if name.startswith("recall["):
            assert 0.0 <= interval.low <= interval.high <= 1.0


def test_one_run_on_a_fixed_split_is_refused_before_any_training():
    data = load_digits_lt(imbalance_ratio=4, test_per_class=3)
    with pytest.raises(InvalidParameterError, match="repeats=1 on a fixed split"):
        compare(data, strategies=["baseline"], repeats=1, epochs=1, progress=False)


def test_report_wording_counts_groups_and_escapes():
    from torchbalance.experiment._report import _left_out, _markdown_table, _method_line

    base = [0.70, 0.72, 0.68, 0.71, 0.69] * 2
    one = _from_scores({"baseline": base, "smote": [v + 0.05 for v in base]})
    assert "after Holm's adjustment for 1 strategy)" in one.recommendation()
    assert "Holm-adjusted for the 1 strategy compared" in _method_line(one)
    alone = _from_scores({"baseline": base})
    assert alone.recommendation() == "Only baseline ran: nothing to compare it with."
    unpaired = _from_scores({"smote": [v + 0.05 for v in base], "focal": base})
    assert unpaired.recommendation().startswith("smote has the top mean balanced_accuracy")
    assert "no baseline was run" in unpaired.recommendation()
    one.skipped = {"smote": "why", "adasyn": "why", "enn": "other"}
    assert _left_out(one) == [(["smote", "adasyn"], "why"), (["enn"], "other")]
    table = _markdown_table(["recall", "in|ner", "<outer>"], [["baseline", "0.50", "0.75"]])
    header, _, row = table.splitlines()
    assert "in\\|ner" in header and "&lt;outer&gt;" in header
    assert header.replace("\\|", "").count("|") == row.count("|") == 4
