"""The installed ``torchbalance`` console script, run as a separate process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = shutil.which("torchbalance", path=str(Path(sys.executable).parent)) or shutil.which(
    "torchbalance"
)

pytestmark = pytest.mark.skipif(SCRIPT is None, reason="the torchbalance script is not installed")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT is not None
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def test_inspect_default_json():
    result = _run("inspect", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"]["name"] == "digits_lt"
    assert [c["count"] for c in report["classes"]] == [150, 97, 62, 40, 26, 17, 11, 7, 4, 3]


def test_bad_input_is_one_line_on_stderr_without_traceback(tmp_path):
    (tmp_path / "one.csv").write_text("x,label\n1,a\n2,a\n")
    result = _run("inspect", "one.csv", "--target", "label", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "torchbalance inspect: error: load_table: column 'label' of 'one.csv' holds a single "
        "class ('a'); at least two classes are needed."
    ]


def test_module_entry_point_and_version():
    result = subprocess.run(
        [sys.executable, "-m", "torchbalance.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("torchbalance ")
