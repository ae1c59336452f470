"""One torch thread for the ensemble tests: their tensors are tiny, and on a shared 2-core
machine a second OpenMP thread only adds waiting (a tiny backward pass took 80 ms instead of
1 ms under load)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
