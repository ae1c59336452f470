from __future__ import annotations

import mmap
import pickle

import pytest
import torch

from torchbalance.samplers._huge_pages import HUGE_PAGE_MIN_BYTES, in_huge_pages


@pytest.mark.skipif(not hasattr(mmap, "MADV_HUGEPAGE"), reason="Linux only")
def test_a_large_table_is_copied_with_equal_values_and_stays_an_ordinary_tensor():
    table = torch.randperm(HUGE_PAGE_MIN_BYTES // 4 + 3).to(torch.int32)
    copy = in_huge_pages(table)
    assert copy.dtype == table.dtype and copy.shape == table.shape
    assert torch.equal(copy, table)
    assert copy.data_ptr() != table.data_ptr()
    copy[0] = -1  # writable, and its own memory
    assert int(table[0]) != -1
    assert torch.equal(pickle.loads(pickle.dumps(copy)), copy)


def test_small_tables_are_returned_as_they_are():
    table = torch.arange(10)
    assert in_huge_pages(table) is table
