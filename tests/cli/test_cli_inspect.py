"""``torchbalance inspect`` / ``datasets`` / ``--version`` through ``main([...])``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

import torchbalance
from torchbalance.cli import main
from torchbalance.datasets import list_datasets, load_digits_lt

KEEL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "keel"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.strip() == f"torchbalance {torchbalance.__version__}"
    code, out, _ = _run(capsys, "--help")
    assert code == 0 and "inspect" in out and "datasets" in out
    code, out, _ = _run(capsys, "inspect", "--help")
    assert code == 0 and "--imbalance-ratio" in out and "--target" in out


def test_no_command_is_a_usage_error(capsys):
    code, _, err = _run(capsys)
    assert code == 2 and "required: COMMAND" in err


def test_default_is_the_long_tailed_digits(capsys):
    code, out, err = _run(capsys, "inspect")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("source") and "'digits_lt', training split" in lines[0]
    assert "imbalance_ratio=50.0" in lines[0]
    assert any(line.split() == ["imbalance", "ratio", "50.00", "(largest", "class", "/",
                                "smallest", "class)"] for line in lines)  # fmt: skip
    table_start = lines.index("class  count   share")
    rows = [line.split() for line in lines[table_start + 1 : table_start + 11]]
    counts = torch.bincount(load_digits_lt().y_train).tolist()
    assert [int(r[1]) for r in rows] == counts
    assert rows[0] == ["0", "150", "35.97%"]
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert warnings == [
        "warning: class 8 has 4 samples: too few for 5-fold stratified cross-validation "
        "(needs 5) and for SMOTE with k_neighbors=5 (needs 6)",
        "warning: class 9 has 3 samples: too few for 5-fold stratified cross-validation "
        "(needs 5) and for SMOTE with k_neighbors=5 (needs 6)",
    ]


def test_json_format_and_imbalance_ratio(capsys):
    code, out, _ = _run(capsys, "inspect", "--imbalance-ratio", "10", "--format", "json")
    assert code == 0
    report = json.loads(out)
    expected = torch.bincount(load_digits_lt(imbalance_ratio=10).y_train).tolist()
    assert [c["count"] for c in report["classes"]] == expected
    assert [c["label"] for c in report["classes"]] == list(range(10))
    assert sum(c["share"] for c in report["classes"]) == pytest.approx(1.0)
    assert report["imbalance_ratio"] == expected[0] / expected[-1]
    assert report["source"]["params"]["imbalance_ratio"] == 10.0
    assert report["n_samples"] == sum(expected) and report["warnings"] == []


def test_other_built_in_dataset(capsys):
    code, out, _ = _run(capsys, "inspect", "--dataset", "synthetic_lt", "--format", "json")
    assert code == 0 and json.loads(out)["source"]["name"] == "synthetic_lt"


def test_datasets_command(capsys):
    code, out, _ = _run(capsys, "datasets")
    assert code == 0
    for name, text in list_datasets().items():
        assert any(line.startswith(name) and line.endswith(text) for line in out.splitlines())
    code, out, _ = _run(capsys, "datasets", "--format", "json")
    assert json.loads(out) == list_datasets()


def test_csv_file_with_string_labels_and_categorical_features(capsys, tmp_path):
    path = tmp_path / "pets.csv"
    rows = ["size,colour,kind"] + [f"{i},red,cat" for i in range(12)] + ["1,blue,dog"] * 3
    path.write_text("\n".join(rows) + "\n")
    code, out, err = _run(capsys, "inspect", str(path), "--target", "kind")
    assert code == 0 and err == ""
    assert f"{path} (label column 'kind')" in out
    assert "2 (1 categorical: colour; encode them" in out
    assert "imbalance ratio  4.00" in out
    assert "cat       12  80.00%" in out and "dog        3  20.00%" in out
    assert "warning: class 'dog' has 3 samples" in out
    code, out, _ = _run(capsys, "inspect", str(path), "--target", "kind", "--format", "json")
    report = json.loads(out)
    assert report["classes"][1] == {"label": "dog", "count": 3, "share": 0.2}
    assert report["source"]["categorical_columns"] == ["colour"]
    assert len(report["warnings"]) == 1


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({}, ["missing.csv", "--target", "label"], "no such file"),
        ({"a.csv": "x,label\n1,a\n2,b\n"}, ["a.csv", "--target", "lable"], "did you mean 'label'"),
        ({"a.csv": "x,label\n1,a\n2,a\n"}, ["a.csv", "--target", "label"], "a single class"),
        ({"a.csv": "x,label\n1,a\n2,\n"}, ["a.csv", "--target", "label"], "1 of 2 rows"),
        ({"a.csv": bytes(range(256)) * 4}, ["a.csv", "--target", "label"], "cannot read"),
        ({"a.parquet": "junk"}, ["a.parquet", "--target", "label"], "cannot read"),
        ({"a.json": "{}"}, ["a.json", "--target", "label"], "cannot tell the format"),
        ({"a.csv": ""}, ["a.csv", "--target", "label"], "is empty"),
        ({"a.csv": "x,label\n1,a\n2,b\n"}, ["a.csv"], "PATH needs --target COL"),
        ({}, ["--target", "label"], "--target needs PATH"),
        (
            {"a.csv": "x,label\n1,a\n2,b\n"},
            ["a.csv", "--target", "label", "--imbalance-ratio", "3"],
            "--imbalance-ratio applies to the built-in data sets only",
        ),
        ({}, ["--imbalance-ratio", "0.5"], "imbalance_ratio=0.5 is invalid"),
        ({}, ["--imbalance-ratio", "1000"], "zero samples"),
        ({}, ["--dataset", "digts"], "did you mean 'digits_lt'"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, files, args, message):
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        _write(tmp_path, name, content)
    code, out, err = _run(capsys, "inspect", *args)
    assert code == 2 and out == ""
    assert err.startswith("torchbalance inspect: error: ")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert message in err
    assert "Traceback" not in err


def test_argparse_errors_exit_2(capsys):
    code, _, err = _run(capsys, "inspect", "--imbalance-ratio", "abc")
    assert code == 2 and "invalid float value: 'abc'" in err
    code, _, err = _run(capsys, "inspect", "--format", "xml")
    assert code == 2 and "invalid choice" in err


@pytest.mark.skipif(not KEEL.is_dir(), reason="the KEEL data sets are not beside the repository")
def test_keel_files(capsys):
    files = sorted(KEEL.glob("*.csv"))
    assert files
    for path in files:
        code, out, err = _run(capsys, "inspect", str(path), "--target", "label", "--format", "json")
        assert code == 0 and err == "", path.name
        report = json.loads(out)
        expected = pd.read_csv(path)["label"].value_counts().sort_index()
        assert [c["label"] for c in report["classes"]] == expected.index.tolist(), path.name
        assert [c["count"] for c in report["classes"]] == expected.tolist(), path.name
        assert report["imbalance_ratio"] == pytest.approx(expected.max() / expected.min())
        small = [n for n in expected.tolist() if n < 6]
        assert len(report["warnings"]) == len(small), path.name
    # And once as text, for the layout.
    code, out, _ = _run(capsys, "inspect", str(files[0]), "--target", "label")
    assert code == 0 and "features" in out and "(all numeric)" in out
