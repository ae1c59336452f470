"""examples/ddp_long_tail.py: 2 processes on CPU (gloo), crash after a checkpoint, exact resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.distributed as dist
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, recall_score

from torchbalance.datasets import load_digits_lt

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "ddp_long_tail.py"
WORLD = 2
COMMON = [
    "--epochs",
    "3",
    "--steps-per-epoch",
    "4",
    "--batch-size",
    "16",
    "--checkpoint-every",
    "3",
]

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the gloo backend is not available",
)


def _torchrun(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",  # rendezvous on a free local port
        f"--nproc_per_node={WORLD}",
        str(SCRIPT),
        *COMMON,
        *args,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _steps(log: Path) -> dict[int, list[int]]:
    """``{global step: indices}`` from one rank's JSON-lines log."""
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return {r["step"]: r["indices"] for r in records}


def test_resume_after_crash_sees_the_same_indices_and_metrics_match_one_process(
    tmp_path: Path, example: Callable[[str], ModuleType]
) -> None:
    full = _torchrun(
        ["--checkpoint", "full.pt", "--log-indices", "full", "--metrics-out", "full.json"],
        tmp_path,
    )
    assert full.returncode == 0, full.stderr[-3000:]

    crash = _torchrun(
        ["--checkpoint", "run.pt", "--log-indices", "crash", "--stop-after-step", "7"], tmp_path
    )
    module = example("ddp_long_tail")
    assert crash.returncode != 0 and "simulated crash after step 7" in crash.stdout, crash.stderr
    saved = torch.load(tmp_path / "run.pt", map_location="cpu", weights_only=True)
    # the last checkpoint is step 6: the middle of epoch 1 (4 steps per epoch)
    assert (saved["global_step"], saved["epoch"], saved["step_in_epoch"]) == (6, 1, 2)
    assert [s["position"] for s in saved["sampler"]] == [32, 32]
    assert not (tmp_path / "run.pt.tmp").exists()

    resume = _torchrun(
        ["--checkpoint", "run.pt", "--log-indices", "resume", "--resume", "--metrics-out",
         "resume.json"],
        tmp_path,
    )  # fmt: skip
    assert resume.returncode == 0, resume.stderr[-3000:]
    assert "resumed from run.pt: epoch 1, step 2" in resume.stdout

    total_steps = 3 * 4
    for rank in range(WORLD):
        expected = _steps(tmp_path / f"full.rank{rank}")
        assert sorted(expected) == list(range(1, total_steps + 1))
        crashed = _steps(tmp_path / f"crash.rank{rank}")
        assert sorted(crashed) == list(range(1, 8))  # step 7 ran but was never checkpointed
        resumed = _steps(tmp_path / f"resume.rank{rank}")
        assert sorted(resumed) == list(range(7, total_steps + 1))  # step 7 is replayed
        stitched = {s: crashed[s] for s in range(1, 7)} | resumed
        assert stitched == expected, f"rank {rank} saw other indices after resuming"
        assert all(len(indices) == 16 for indices in expected.values())
    # the two ranks' shards are disjoint positions of one global draw
    assert _steps(tmp_path / "full.rank0") != _steps(tmp_path / "full.rank1")

    # the resumed model is the uninterrupted one
    final_full = torch.load(tmp_path / "full.pt", map_location="cpu", weights_only=True)
    final_resumed = torch.load(tmp_path / "run.pt", map_location="cpu", weights_only=True)
    assert final_resumed["global_step"] == final_full["global_step"] == total_steps
    for name, value in final_full["model"].items():
        torch.testing.assert_close(final_resumed["model"][name], value, rtol=1e-5, atol=1e-6)

    # metrics synced across the 2 ranks == one process evaluating the final model on all rows
    synced = json.loads((tmp_path / "resume.json").read_text())
    model = module.build_model("ldam_drw")
    model.load_state_dict(final_resumed["model"])
    model.eval()
    data = load_digits_lt()
    with torch.no_grad():
        pred = model(data.X_test).argmax(1).numpy()
    y = data.y_test.numpy()
    labels = list(range(10))
    assert synced["confusion_matrix"] == confusion_matrix(y, pred, labels=labels).tolist()
    assert int(np.sum(synced["confusion_matrix"])) == len(y)  # every row counted exactly once
    assert synced["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert synced["accuracy"] == pytest.approx(float(np.mean(pred == y)))
    expected_recall = recall_score(y, pred, labels=labels, average=None, zero_division=0)
    np.testing.assert_allclose(synced["recall"], expected_recall, rtol=1e-12)
    full_metrics = json.loads((tmp_path / "full.json").read_text())
    assert full_metrics["confusion_matrix"] == synced["confusion_matrix"]


def test_validation_shards_cover_every_row_once(example: Callable[[str], ModuleType]) -> None:
    module = example("ddp_long_tail")
    shards = [module.validation_shard(11, r, 3) for r in range(3)]
    assert sorted(torch.cat(shards).tolist()) == list(range(11))


def test_single_process_run_and_resume_guards(
    tmp_path: Path, example: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    module = example("ddp_long_tail")
    checkpoint, metrics = tmp_path / "one.pt", tmp_path / "one.json"
    argv = ["--epochs", "2", "--steps-per-epoch", "2", "--batch-size", "8"]
    argv += ["--checkpoint", str(checkpoint), "--metrics-out", str(metrics)]
    assert module.main([*argv, "--loss", "logit_adjusted"]) == 0
    saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
    assert (saved["world_size"], saved["epoch"], saved["global_step"]) == (1, 2, 4)
    assert saved["sampler"][0]["epoch"] == 2 and saved["sampler"][0]["position"] == 0
    result = json.loads(metrics.read_text())
    assert int(np.sum(result["confusion_matrix"])) == 280  # the whole validation split
    with pytest.raises(SystemExit, match="no checkpoint"):
        module.main(["--resume", "--checkpoint", str(tmp_path / "missing.pt")])
    saved["world_size"] = 2
    torch.save(saved, checkpoint)
    with pytest.raises(SystemExit, match="written by 2 processes"):
        module.main([*argv, "--resume", "--loss", "logit_adjusted"])
