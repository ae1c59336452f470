"""benchmarks/gpu.py, the one script for a lent GPU machine, must keep working on CPU."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu.py"


def test_gpu_script_runs_on_cpu_and_writes_one_table(tmp_path: Path) -> None:
    pytest.importorskip("imblearn")
    spec = importlib.util.spec_from_file_location("gpu_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "gpu.md"
    table = module.main(["--device", "cpu", "--quick", "--repeats", "1", "--output", str(out)])
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 8  # header + kNN, SMOTE, Tomek, sampler, 3 losses, report
    assert out.read_text().strip() == table.strip()
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert float(cells[2]) > 0 and float(cells[4]) > 0, row
