"""``utils.quantile``: ``torch.quantile`` without its 2**24-element limit."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.utils import quantile


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50),
    q=st.floats(0.0, 1.0),
)
def test_equals_torch_quantile(values, q):
    tensor = torch.tensor(values, dtype=torch.float64)
    assert torch.equal(quantile(tensor, q), torch.quantile(tensor, q))


def test_more_values_than_torch_quantile_takes():
    values = torch.rand(2**24 + 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    got = quantile(values, torch.tensor([0.1, 0.5, 0.99], dtype=torch.float64))
    want = np.quantile(values.numpy(), [0.1, 0.5, 0.99])
    np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-15)
