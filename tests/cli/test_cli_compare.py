"""``torchbalance compare`` and ``torchbalance resample``, run as separate processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = shutil.which("torchbalance", path=str(Path(sys.executable).parent)) or shutil.which(
    "torchbalance"
)

pytestmark = pytest.mark.skipif(SCRIPT is None, reason="the torchbalance script is not installed")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=300, cwd=cwd, check=False
    )


def _table(path: Path, labels: list[str], seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["a,b,colour,label"]
    for i, label in enumerate(labels):
        shift = 2.0 if label == "fraud" else 0.0
        lines.append(
            f"{rng.normal() + shift:.4f},{rng.normal():.4f},{'red' if i % 3 else 'blue'},{label}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_compare_built_in_data_json_and_report_files(tmp_path):
    result = _run(
        "compare",
        "--strategies",
        "baseline,posthoc_adjustment",
        "--epochs",
        "2",
        "--repeats",
        "2",
        "--format",
        "json",
        "--out",
        str(tmp_path / "report"),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["dataset"] == "digits_lt"
    assert [row["strategy"] for row in data["leaderboard"]].sort() is None
    assert len(data["leaderboard"]) == 2 and "compare: [2/2]" in result.stderr
    for name in ("report.html", "report.md", "results.json"):
        assert (tmp_path / "report" / name).stat().st_size > 0


def test_compare_a_csv_file_prints_the_leaderboard(tmp_path):
    csv = _table(tmp_path / "fraud.csv", ["fraud" if i % 10 == 0 else "ok" for i in range(150)])
    result = _run(
        "compare",
        str(csv),
        "--target",
        "label",
        "--strategies",
        "baseline,class_weighted",
        "--cv",
        "3",
        "--epochs",
        "2",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert "recommendation:" in result.stdout and "class_weighted" in result.stdout
    assert "data: fraud.csv, 3-fold" in result.stdout
    assert result.stderr == ""


def test_list_strategies_and_module_entry_point():
    listing = _run("compare", "--list-strategies")
    assert listing.returncode == 0 and "logit_adjusted" in listing.stdout
    assert "minority_augmentation" in listing.stdout
    version = subprocess.run(
        [sys.executable, "-m", "torchbalance", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert version.returncode == 0 and version.stdout.startswith("torchbalance ")


@pytest.mark.parametrize(
    ("labels", "args", "message"),
    [
        (None, ["missing.csv", "--target", "label"], "missing.csv"),
        (["ok"] * 20 + ["fraud"] * 10, ["data.csv", "--target", "kind"], "'kind'"),
        (["ok"] * 30, ["data.csv", "--target", "label"], "single class"),
        (["ok"] * 20 + [""] * 2 + ["fraud"] * 10, ["data.csv", "--target", "label"], "label"),
        (["ok"] * 30 + ["fraud"] * 2, ["data.csv", "--target", "label"], "fraud"),
        (
            ["ok"] * 20 + ["fraud"] * 10,
            ["data.csv", "--target", "label", "--strategies", "magic"],
            "unknown strategy 'magic'",
        ),
        (
            ["ok"] * 20 + ["fraud"] * 10,
            ["data.csv", "--target", "label", "--lr", "-1"],
            "--lr -1.0: give a positive step size",
        ),
        (
            ["ok"] * 20 + ["fraud"] * 10,
            ["data.csv", "--target", "label", "--metric", "foo"],
            "--metric foo: use one of",
        ),
        (
            ["ok"] * 20 + ["fraud"] * 10,
            ["data.csv", "--target", "label", "--batch-size", "0"],
            "--batch-size 0: give a positive whole number",
        ),
        (None, ["--cv", "3"], "--cv applies to PATH"),
        (
            ["ok"] * 20 + ["fraud"] * 10,
            ["data.csv", "--target", "label", "--strategies", ""],
            "--strategies is empty",
        ),
        (
            ["ok"] * 20 + ["fraud"] * 10,
            ["data.csv", "--target", "label", "--out", "data.csv"],
            "--out data.csv is a file",
        ),
    ],
    ids=[
        "missing file",
        "missing column",
        "one class",
        "missing labels",
        "tiny class",
        "unknown",
        "negative lr",
        "unknown metric",
        "no batch",
        "cv without PATH",
        "no strategies",
        "out is a file",
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, labels, args, message):
    if labels is not None:
        _table(tmp_path / "data.csv", labels)
    result = _run("compare", *args, "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("torchbalance compare: error: ")
    assert message in lines[0] and "Traceback" not in result.stderr


def test_resample_a_table(tmp_path):
    pytest.importorskip("torchbalance.over_sampling")
    csv = _table(tmp_path / "fraud.csv", ["fraud" if i % 10 == 0 else "ok" for i in range(100)])
    out = tmp_path / "balanced.csv"
    result = _run(
        "resample", str(csv), "--target", "label", "--method", "RandomOverSampler", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    rows = out.read_text().splitlines()
    assert rows[0].split(",")[-1] == "label"
    assert sum(r.endswith(",fraud") for r in rows) == sum(r.endswith(",ok") for r in rows) == 90
    bad = _run("resample", str(csv), "--target", "label", "--method", "Magic", "-o", str(out))
    assert bad.returncode == 2 and "unknown --method 'Magic'" in bad.stderr


def test_resample_keeps_categories_with_smotenc_and_refuses_smote(tmp_path):
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 60
    frame = pd.DataFrame(
        {
            "amount": rng.normal(size=n),
            "colour": rng.choice(["red", "blue", "green"], n),
            "label": ["fraud" if i % 6 == 0 else "ok" for i in range(n)],
        }
    )
    csv = tmp_path / "shop.csv"
    frame.to_csv(csv, index=False)
    out = tmp_path / "balanced.csv"
    result = _run("resample", str(csv), "--target", "label", "--method", "SMOTENC", "-o", str(out))
    assert result.returncode == 0, result.stderr
    balanced = pd.read_csv(out)
    assert list(balanced.columns) == ["amount", "colour", "label"]
    assert set(balanced["colour"]) <= {"red", "blue", "green"}
    assert (balanced["label"] == "fraud").sum() == (balanced["label"] == "ok").sum() == 50
    refused = _run("resample", str(csv), "--target", "label", "--method", "SMOTE", "-o", str(out))
    assert refused.returncode == 2 and "--method SMOTENC" in refused.stderr


def test_compare_leaves_synthesizing_strategies_out_on_text_columns(tmp_path):
    path = _table(tmp_path / "t.csv", ["ok"] * 80 + ["fraud"] * 20)
    named = _run(
        "compare", str(path), "--target", "label", "--strategies", "baseline,smote", "--quiet"
    )
    assert named.returncode == 2 and "invent categories" in named.stderr
    fast = _run(
        "compare",
        str(path),
        "--target",
        "label",
        "--strategies",
        "fast",
        "--epochs",
        "2",
        "--quiet",
        "--format",
        "json",
    )
    assert fast.returncode == 0, fast.stderr
    assert "invent categories" in json.loads(fast.stdout)["skipped"]["minority_augmentation"]


def _with_missing_colours(path: Path) -> Path:
    rng = np.random.default_rng(0)
    colours = ["red", "blue", "green", ""]
    lines = ["a,colour,y"] + [
        f"{rng.random():.3f},{colours[i % 4]},{0 if i < 30 else 1}" for i in range(40)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_resample_keeps_missing_categories_missing(tmp_path):
    import pandas as pd

    path = _with_missing_colours(tmp_path / "colours.csv")
    out = tmp_path / "out.csv"
    for method in ("smotenc", "smoten"):
        result = _run("resample", str(path), "--target", "y", "--method", method, "-o", str(out))
        assert result.returncode == 0, result.stderr
        written, original = pd.read_csv(out), pd.read_csv(path)
        # the original rows come back as they were, missing colours included
        pd.testing.assert_frame_equal(written.iloc[:40], original, check_dtype=False)


def test_resample_writes_the_file_s_own_rows_for_methods_that_keep_rows(tmp_path):
    import pandas as pd

    path = _with_missing_colours(tmp_path / "colours.csv")
    out = tmp_path / "kept.csv"
    result = _run(
        "resample", str(path), "--target", "y", "--method", "randomundersampler", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    written, original = pd.read_csv(out), pd.read_csv(path)
    assert list(written.columns) == ["a", "colour", "y"]  # no indicator columns
    merged = written.merge(original, how="left", indicator=True)
    assert (merged["_merge"] == "both").all() and len(written) == 20


def test_resample_refuses_its_input_as_output_and_leaves_files_whole_on_error(tmp_path):
    path = _with_missing_colours(tmp_path / "colours.csv")
    same = _run("resample", str(path), "--target", "y", "--method", "tomeklinks", "-o", str(path))
    assert same.returncode == 2 and "is the input file" in same.stderr
    kept = tmp_path / "kept.csv"
    kept.write_text("precious\n")
    failed = _run(
        "resample", str(path), "--target", "nope", "--method", "tomeklinks", "-o", str(kept)
    )
    assert failed.returncode == 2 and kept.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".resample-")] == []
    big_seed = _run(
        "resample",
        str(path),
        "--target",
        "y",
        "--method",
        "randomundersampler",
        "--seed",
        str(2**70),
        "-o",
        str(kept),
    )
    assert big_seed.returncode == 2 and "below 2**64" in big_seed.stderr


def test_resample_keeps_the_file_s_column_order(tmp_path):
    path = tmp_path / "mid.csv"
    rows = [f"{i:.1f},{int(i % 4 == 0)},{2 * i:.1f}" for i in range(40)]
    path.write_text("a,y,b\n" + "\n".join(rows) + "\n")
    for method in ("randomundersampler", "smote"):
        out = tmp_path / f"{method}.csv"
        result = _run("resample", str(path), "--target", "y", "--method", method, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_text().splitlines()[0] == "a,y,b"


def test_resample_names_boolean_classes_in_a_strategy(tmp_path):
    import pandas as pd

    pytest.importorskip("pyarrow")
    path = tmp_path / "flags.parquet"
    pd.DataFrame({"a": np.arange(40.0), "y": [True] * 10 + [False] * 30}).to_parquet(path)
    out = tmp_path / "out.parquet"
    for key in ("true", "1"):
        result = _run(
            "resample",
            str(path),
            "--target",
            "y",
            "--method",
            "randomoversampler",
            "--sampling-strategy",
            f'{{"{key}": 20}}',
            "-o",
            str(out),
        )
        assert result.returncode == 0, result.stderr
        assert int(pd.read_parquet(out)["y"].sum()) == 20


def test_sep_reads_and_writes_semicolon_files(tmp_path):
    path = tmp_path / "semi.csv"
    rows = [f"{i};{i % 3};{int(i % 5 == 0)}" for i in range(40)]
    path.write_text("a;b;y\n" + "\n".join(rows) + "\n")
    inspected = _run("inspect", str(path), "--target", "y", "--sep", ";", "--format", "json")
    assert inspected.returncode == 0, inspected.stderr
    classes = json.loads(inspected.stdout)["classes"]
    assert [(c["label"], c["count"]) for c in classes] == [(0, 32), (1, 8)]
    out = tmp_path / "out.csv"
    result = _run(
        "resample",
        str(path),
        "--target",
        "y",
        "--sep",
        ";",
        "--method",
        "randomundersampler",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "a;b;y" and len(lines) == 17
    tabbed = tmp_path / "tab.csv"
    tabbed.write_text(path.read_text().replace(";", "\t"))
    for sep in ("\\t", "tab"):  # what a shell passes for '\t'
        assert _run("inspect", str(tabbed), "--target", "y", "--sep", sep).returncode == 0
    for args, message in (
        (["inspect", "--sep", ";"], "--sep applies to PATH only"),
        (["inspect", str(path), "--target", "y", "--sep", ""], "give one character"),
        (["inspect", str(path), "--target", "y", "--sep", "::"], "give one character"),
        (["inspect", "t.parquet", "--target", "y", "--sep", ";"], "a Parquet file has no"),
    ):
        bad = _run(*args)
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr


def test_missing_feature_values_are_named_by_column(tmp_path):
    path = _table(tmp_path / "holes.csv", ["ok"] * 20 + ["fraud"] * 10)
    lines = path.read_text().splitlines()
    lines[3] = "," + lines[3].split(",", 1)[1]  # an empty cell in column a
    path.write_text("\n".join(lines) + "\n")
    result = _run("compare", str(path), "--target", "label", "--epochs", "1")
    assert result.returncode == 2
    assert "missing feature values in 'a' (1)" in result.stderr, result.stderr
