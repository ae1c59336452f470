from __future__ import annotations

import json
import shutil
import subprocess

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


def test_recommendation_says_when_too_few_runs_can_reach_significance():
    result = _small()  # 3 folds: the smallest one-sided sign-flip p-value is 1/8
    best = result.leaderboard()[0]
    line = result.recommendation()
    if best["strategy"] == "baseline":
        assert line.startswith("Keep baseline")
    else:
        assert line.startswith("Too few runs to tell: with 3 paired runs"), line
        assert "0.125" in line and best["strategy"] in line


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
