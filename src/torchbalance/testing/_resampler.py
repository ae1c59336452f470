"""Conformance checks for resamplers (subclasses of :class:`torchbalance.base.BaseResampler`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..base import BaseResampler, clone
from ..exceptions import DataValidationError, InvalidParameterError
from ._params import check_params_contract

Check = Callable[[], None]

_COUNTS = {0: 30, 1: 18, 2: 8}


def _toy_data(dtype: torch.dtype = torch.float64, device: str = "cpu") -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(0)
    y = torch.cat([torch.full((n,), label) for label, n in _COUNTS.items()])
    X = torch.randn(len(y), 4, generator=generator, dtype=torch.float64) + y[:, None] * 1.5
    permutation = torch.randperm(len(y), generator=generator)
    return X[permutation].to(device=device, dtype=dtype), y[permutation].to(device)


def _seeded(resampler: BaseResampler, seed: int = 0) -> BaseResampler:
    twin = clone(resampler)
    if "generator" in twin.get_params(deep=False):
        twin.set_params(generator=seed)
    return twin


def _check_params(resampler: BaseResampler) -> None:
    check_params_contract(resampler)


def _check_idempotent_with_int_seed(resampler: BaseResampler) -> None:
    X, y = _toy_data()
    first = _seeded(resampler).fit_resample(X, y)
    second = _seeded(resampler).fit_resample(X, y)
    name = type(resampler).__name__
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1]), (
        f"{name}: two fit_resample calls with generator=0 gave different results."
    )
    again = _seeded(resampler)
    a, b = again.fit_resample(X, y), again.fit_resample(X, y)
    assert torch.equal(a[0], b[0]), f"{name}: refitting one object with an int seed differs."


def _check_dtype_and_device(resampler: BaseResampler) -> None:
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    name = type(resampler).__name__
    for device in devices:
        for dtype in (torch.float32, torch.float64):
            X, y = _toy_data(dtype, device)
            X_res, y_res = _seeded(resampler).fit_resample(X, y)
            assert isinstance(X_res, torch.Tensor) and isinstance(y_res, torch.Tensor)
            assert X_res.dtype == dtype, f"{name}: X dtype {dtype} came back as {X_res.dtype}."
            assert y_res.dtype == y.dtype, f"{name}: y dtype {y.dtype} came back as {y_res.dtype}."
            assert X_res.device == X.device and y_res.device == y.device, (
                f"{name}: results left {X.device}."
            )
            assert X_res.dim() == 2 and X_res.shape[1] == X.shape[1]
            assert X_res.shape[0] == y_res.shape[0]


def _check_counts_match_strategy(resampler: BaseResampler) -> None:
    kind = resampler._sampling_type
    if kind not in ("over-sampling", "under-sampling", "clean-sampling"):
        return
    X, y = _toy_data()
    fitted = _seeded(resampler)
    _, y_res = fitted.fit_resample(X, y)
    before = dict(zip(*(t.tolist() for t in torch.unique(y, return_counts=True)), strict=True))
    after = dict(zip(*(t.tolist() for t in torch.unique(y_res, return_counts=True)), strict=True))
    name = type(resampler).__name__
    for label, n in fitted.sampling_strategy_.items():
        if kind == "over-sampling":
            assert after.get(label, 0) == before[label] + n, (
                f"{name}: class {label} should have {before[label] + n} samples, has "
                f"{after.get(label, 0)}."
            )
        elif kind == "under-sampling":
            assert after.get(label, 0) == n, (
                f"{name}: class {label} should keep {n} samples, kept {after.get(label, 0)}."
            )
        elif kind == "clean-sampling":
            assert after.get(label, 0) <= before[label], f"{name}: cleaning added samples."
    for label in set(before) - set(fitted.sampling_strategy_):
        assert after.get(label, 0) == before[label], (
            f"{name}: class {label} is not targeted but changed size."
        )


def _check_sample_indices(resampler: BaseResampler) -> None:
    X, y = _toy_data()
    fitted = _seeded(resampler)
    X_res, y_res = fitted.fit_resample(X, y)
    indices = getattr(fitted, "sample_indices_", None)
    if indices is None:
        return
    name = type(resampler).__name__
    assert isinstance(indices, torch.Tensor) and indices.dtype == torch.int64, (
        f"{name}: sample_indices_ must be an int64 tensor."
    )
    assert torch.equal(X[indices], X_res) and torch.equal(y[indices], y_res), (
        f"{name}: X[sample_indices_] must equal the resampled X."
    )


def _check_containers(resampler: BaseResampler) -> None:
    X, y = _toy_data()
    name = type(resampler).__name__
    X_np, y_np = X.numpy(), y.numpy()
    X_res, y_res = _seeded(resampler).fit_resample(X_np, y_np)
    assert isinstance(X_res, np.ndarray) and isinstance(y_res, np.ndarray), (
        f"{name}: NumPy in must give NumPy out."
    )
    assert X_res.dtype == X_np.dtype and y_res.dtype == y_np.dtype
    names = np.array(["ant", "bee", "cat"])[y_np]
    _, y_str = _seeded(resampler).fit_resample(X_np, names)
    assert set(y_str.tolist()) <= {"ant", "bee", "cat"}, f"{name}: string labels were lost."
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a test dependency
        return
    frame = pd.DataFrame(X_np, columns=[f"f{i}" for i in range(X_np.shape[1])])
    series = pd.Series(names, name="animal")
    X_df, y_s = _seeded(resampler).fit_resample(frame, series)
    assert isinstance(X_df, pd.DataFrame) and list(X_df.columns) == list(frame.columns), (
        f"{name}: a DataFrame must come back with its columns."
    )
    assert isinstance(y_s, pd.Series) and y_s.name == "animal"


def _check_inputs_untouched(resampler: BaseResampler) -> None:
    X, y = _toy_data()
    X_copy, y_copy = X.clone(), y.clone()
    _seeded(resampler).fit_resample(X, y)
    assert torch.equal(X, X_copy) and torch.equal(y, y_copy), (
        f"{type(resampler).__name__}: fit_resample modified its inputs."
    )


def _expect_refusal(resampler: BaseResampler, X: Any, y: Any, what: str) -> None:
    try:
        _seeded(resampler).fit_resample(X, y)
    except DataValidationError:
        return
    raise AssertionError(f"{type(resampler).__name__}: {what} was not refused.")


def _check_bad_input_refused(resampler: BaseResampler) -> None:
    X, y = _toy_data()
    with_nan = X.clone()
    with_nan[0, 0] = float("nan")
    if not resampler._allow_nan:
        _expect_refusal(resampler, with_nan, y, "NaN in X")
    _expect_refusal(resampler, X, y[:-1], "y shorter than X")
    _expect_refusal(resampler, X, torch.zeros_like(y), "a single class")
    _expect_refusal(resampler, X[0], y, "1-D X")
    _expect_refusal(resampler, X, y.double(), "float labels")


def _check_input_requiring_grad(resampler: BaseResampler) -> None:
    """Features that require grad (embeddings straight from a model) resample like plain ones;
    resampling is data preparation, so nothing returned requires grad."""
    X, y = _toy_data(torch.float32)
    name = type(resampler).__name__
    X_res, y_res = _seeded(resampler).fit_resample(X.clone().requires_grad_(True), y)
    X_plain, y_plain = _seeded(resampler).fit_resample(X, y)
    assert not X_res.requires_grad, f"{name}: the resampled X requires grad."
    assert torch.equal(X_res, X_plain) and torch.equal(y_res, y_plain), (
        f"{name}: an X that requires grad resampled differently."
    )


def _check_numpy_integer_params(resampler: BaseResampler) -> None:
    """Integer parameters given as NumPy integers (``np.arange`` grids in a search) act as the
    same Python ints."""
    X, y = _toy_data()
    name = type(resampler).__name__
    plain = _seeded(resampler)
    ints = {
        key: np.int64(value)
        for key, value in plain.get_params(deep=False).items()
        if isinstance(value, int) and not isinstance(value, bool)
    }
    if not ints:
        return
    X_plain, y_plain = plain.fit_resample(X, y)
    X_res, y_res = clone(plain).set_params(**ints).fit_resample(X, y)
    assert torch.equal(X_res, X_plain) and torch.equal(y_res, y_plain), (
        f"{name}: NumPy integer parameters {sorted(ints)} gave a different result."
    )


def _check_sample_weight(resampler: BaseResampler) -> None:
    """Unit weights stay unit weights (kept, copied or interpolated rows alike), one per
    output row, and weights change nothing else; or ``sample_weight`` is refused cleanly."""
    X, y = _toy_data()
    name = type(resampler).__name__
    try:
        X_res, y_res, w_res = _seeded(resampler).fit_resample(
            X, y, sample_weight=torch.ones(len(y), dtype=torch.float64)
        )
    except InvalidParameterError as error:
        refusal = str(error)
        assert "sample_weight" in refusal, f"{name}: refusal does not name sample_weight."
        return
    X_plain, y_plain = _seeded(resampler).fit_resample(X, y)
    assert torch.equal(X_res, X_plain) and torch.equal(y_res, y_plain), (
        f"{name}: passing sample_weight changed the resampled data."
    )
    assert w_res.shape == y_res.shape, f"{name}: {w_res.shape[0]} weights, {len(y_res)} rows."
    assert bool((w_res == 1).all()), f"{name}: unit weights did not stay 1."


def resampler_checks(resampler: BaseResampler) -> list[tuple[str, Check]]:
    """The conformance checks for ``resampler``, as ``(name, check)`` pairs.

    Each check builds its own data and clones the resampler, so they run in any order.

    Example:
        >>> from torchbalance.base import FunctionResampler
        >>> [name for name, _ in resampler_checks(FunctionResampler())][:3]
        ['params', 'idempotent_with_int_seed', 'dtype_and_device']
    """
    checks: dict[str, Callable[[BaseResampler], None]] = {
        "params": _check_params,
        "idempotent_with_int_seed": _check_idempotent_with_int_seed,
        "dtype_and_device": _check_dtype_and_device,
        "counts_match_strategy": _check_counts_match_strategy,
        "sample_indices": _check_sample_indices,
        "containers": _check_containers,
        "inputs_untouched": _check_inputs_untouched,
        "bad_input_refused": _check_bad_input_refused,
        "sample_weight": _check_sample_weight,
        "input_requiring_grad": _check_input_requiring_grad,
        "numpy_integer_params": _check_numpy_integer_params,
    }
    return [(name, _bind(check, resampler)) for name, check in checks.items()]


def _bind(check: Callable[[BaseResampler], None], resampler: BaseResampler) -> Check:
    def run() -> None:
        check(resampler)

    return run


def check_resampler(resampler: BaseResampler) -> None:
    """Run every conformance check on ``resampler``.

    Checks: the configuration contract; identical results with an int seed; dtype and device
    preserved (CUDA too when present); per-class counts equal to ``sampling_strategy_``;
    ``sample_indices_`` consistent with the output; NumPy, string-label and pandas
    round trips; inputs left untouched; NaN, mismatched lengths, one class, 1-D X and float
    labels refused with :class:`~torchbalance.exceptions.DataValidationError`; unit
    ``sample_weight`` carried through as unit weights, one per output row (or refused with an
    :class:`~torchbalance.exceptions.InvalidParameterError` naming it); features that require
    grad resampled like plain ones, with nothing returned requiring grad; integer parameters
    given as NumPy integers (the generator seed included) acting as Python ints.

    Raises:
        AssertionError: From the first failing check, naming the resampler and the problem.

    Example:
        >>> from torchbalance.base import FunctionResampler
        >>> check_resampler(FunctionResampler())
    """
    for _, check in resampler_checks(resampler):
        check()
