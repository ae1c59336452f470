"""Suite-wide settings.

pytest-xdist workers share the cores instead of oversubscribing them.

Each worker process would otherwise run torch with one intra-op thread per core, so ``-n 2``
on two cores runs four threads; the many tiny networks of the suite then mostly wait for each
other (a small backward pass took 80 ms instead of 1 ms on a busy 2-core machine). The
processes that tests start (the command line, ``torchrun``) inherit the same share through
``OMP_NUM_THREADS`` unless it is already set.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) makes every property test draw the same
examples on every run: CI checks a fixed sample and cannot turn red on a newly drawn one,
while local runs keep exploring new examples (and remember failures in ``.hypothesis/``).
"""

from __future__ import annotations

import os

import pytest
import torch
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config: pytest.Config) -> None:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    threads = max(1, (os.cpu_count() or 1) // workers)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    torch.set_num_threads(threads)
