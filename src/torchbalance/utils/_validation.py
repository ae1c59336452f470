"""Validation of input data at the package's boundary.

Tensors, NumPy arrays, pandas DataFrames/Series and nested sequences are accepted; work then
happens on tensors, and :class:`OutputConverter` gives results back in the caller's types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError

__all__ = ["OutputConverter", "check_X_y", "check_features", "check_labels"]

_LABEL_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool)


def _is_pandas(obj: Any, kind: str) -> bool:
    module = type(obj).__module__
    return module.startswith("pandas") and type(obj).__name__ == kind


@dataclass
class _LabelInfo:
    kind: str  # "tensor" | "numpy" | "pandas" | "list"
    dtype: Any = None
    name: Any = None
    classes: np.ndarray | None = None  # original labels when y was encoded to codes
    series_dtype: Any = None  # a Series' own dtype (categorical, nullable Int64, ...)


@dataclass
class _FeatureInfo:
    kind: str  # "tensor" | "numpy" | "pandas" | "list"
    dtype: Any = None
    columns: Any = None
    dtypes: Any = None


@dataclass
class OutputConverter:
    """Gives tensors back in the types the caller passed in.

    Built by :func:`check_X_y` / :func:`check_labels`; resamplers call :meth:`to_X` and
    :meth:`to_y` on their tensor results.
    """

    features: _FeatureInfo | None = None
    labels: _LabelInfo = field(default_factory=lambda: _LabelInfo("tensor"))

    @property
    def classes(self) -> np.ndarray | None:
        """Original label values when they were encoded to integer codes, else ``None``."""
        return self.labels.classes

    def encode_label(self, label: Any) -> Any:
        """The integer code used internally for an original ``label``."""
        classes = self.labels.classes
        if classes is None:
            return label
        hits = np.flatnonzero(classes == label)
        if hits.size == 0:
            return label  # unknown labels are reported by the caller's own checks
        return int(hits[0])

    def to_X(self, X: torch.Tensor) -> Any:
        """``X`` in the caller's feature type (tensor, ndarray, DataFrame or list)."""
        info = self.features
        if info is None or info.kind == "tensor":
            return X
        array = X.detach().cpu().numpy()
        if info.kind == "numpy":
            return array.astype(info.dtype, copy=False)
        if info.kind == "list":
            return array.tolist()
        import pandas as pd

        frame = pd.DataFrame(array, columns=info.columns)
        for position, dtype in enumerate(info.dtypes):
            if not isinstance(dtype, pd.api.extensions.ExtensionDtype):
                continue
            # pandas' nullable integers and booleans refuse a fractional float, as SMOTE's new
            # rows hold: cast as NumPy casts float to a plain int or bool column (towards zero;
            # non-zero is True)
            if dtype.kind in "iu":
                frame.iloc[:, position] = np.trunc(frame.iloc[:, position].to_numpy())
            elif dtype.kind == "b":
                frame.isetitem(position, frame.iloc[:, position].to_numpy() != 0)
        return frame.astype(info.dtypes)

    def label_array(self, y: torch.Tensor) -> np.ndarray:
        """``y`` as a NumPy array of the caller's label values, in their dtype (bool, float,
        int32, str ...): what a classifier's ``classes_`` holds."""
        values = self.to_y(y)
        return values.cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)

    def to_y(self, y: torch.Tensor) -> Any:
        """``y`` in the caller's label type, with original label values restored."""
        info = self.labels
        if info.kind == "tensor":
            return y.to(info.dtype) if info.dtype is not None else y
        codes = y.detach().cpu().numpy()
        values = info.classes[codes] if info.classes is not None else codes
        values = values.astype(info.dtype, copy=False)
        if info.kind == "numpy":
            return values
        if info.kind == "list":
            return values.tolist()
        import pandas as pd

        return pd.Series(values, name=info.name).astype(info.series_dtype)


def _encode_label_array(values: np.ndarray, owner: str) -> tuple[torch.Tensor, np.ndarray | None]:
    if values.dtype.kind in "iub":
        return torch.from_numpy(values.astype(np.int64)), None
    if values.dtype.kind == "f":
        if np.isnan(values).any():
            raise DataValidationError(f"{owner}: y contains NaN; every sample needs a label.")
        if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
            bad = values[~(values == np.round(values))][:3].tolist()
            raise DataValidationError(
                f"{owner}: Unknown label type: continuous. y holds non-integer values such as "
                f"{bad}; class labels must be integers or strings (is this a regression target?)."
            )
        return torch.from_numpy(values.astype(np.int64)), None
    if values.dtype.kind in "OUS":
        flat = values.tolist()
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in flat):
            raise DataValidationError(f"{owner}: y contains missing labels (None or NaN).")
        try:
            classes, codes = np.unique(values, return_inverse=True)
        except TypeError as error:
            kinds = sorted({type(v).__name__ for v in flat})
            raise DataValidationError(
                f"{owner}: y mixes label types {kinds}; use one type for all labels."
            ) from error
        return torch.from_numpy(codes.reshape(-1).astype(np.int64)), classes
    raise DataValidationError(
        f"{owner}: y has dtype {values.dtype}, which cannot hold class labels; "
        "use integers or strings."
    )


def check_labels(y: Any, *, owner: str = "check_labels") -> tuple[torch.Tensor, OutputConverter]:
    """Validate 1-D class labels and return them as an int64 tensor.

    Integer labels keep their values (any integers, negative too). String or other non-numeric
    labels (NumPy/pandas only) are encoded to codes ``0..C-1`` in sorted order; the converter
    maps them back.

    Args:
        y: Labels of shape ``(n_samples,)``: integer or bool tensor, NumPy array, pandas Series
            or list.
        owner: Name used in error messages.

    Returns:
        ``(labels, converter)``: an int64 tensor on ``y``'s device, and an
        :class:`OutputConverter` whose ``to_y`` restores the caller's type and values.

    Raises:
        DataValidationError: Empty, not 1-D, float tensor, NaN/missing or mixed-type labels.

    Example:
        >>> import numpy as np
        >>> codes, converter = check_labels(np.array(["cat", "dog", "cat"]))
        >>> codes.tolist(), converter.to_y(codes).tolist()
        ([0, 1, 0], ['cat', 'dog', 'cat'])
    """
    if y is None:
        raise DataValidationError(
            f"{owner}: requires y to be passed, but the target y is None; pass the class labels."
        )
    if isinstance(y, torch.Tensor):
        if y.dim() != 1:
            raise DataValidationError(
                f"{owner}: y must be 1-D (n_samples,), got shape {tuple(y.shape)}."
            )
        if y.dtype not in _LABEL_DTYPES:
            raise DataValidationError(
                f"{owner}: y has dtype {y.dtype}; class labels must be an integer tensor "
                "(use y.long())."
            )
        if y.numel() == 0:
            raise DataValidationError(f"{owner}: y is empty; at least one sample is needed.")
        return y.long(), OutputConverter(labels=_LabelInfo("tensor", dtype=y.dtype))

    if _is_pandas(y, "Series"):
        if bool(y.isna().any()):  # pd.NA of nullable dtypes is neither None nor NaN
            raise DataValidationError(f"{owner}: y contains missing labels (None, NaN or NA).")
        info = _LabelInfo("pandas", name=y.name, series_dtype=y.dtype)
        values = y.to_numpy()
        if values.dtype.kind == "O" and not isinstance(y.dtype, np.dtype):
            # a nullable integer or boolean Series without NA: its plain NumPy counterpart
            values = values.astype(getattr(y.dtype, "numpy_dtype", object))
    elif _is_pandas(y, "DataFrame"):
        raise DataValidationError(
            f"{owner}: y is a DataFrame; pass a single column (a Series) of labels."
        )
    elif isinstance(y, np.ndarray):
        info = _LabelInfo("numpy")
        values = y
    else:
        info = _LabelInfo("list")
        values = np.asarray(y)
        if values.dtype.kind == "U" and not all(isinstance(v, str) for v in y):
            # NumPy turns [1, "1"] into strings, merging two labels: keep the types as given,
            # so that mixed types are refused as for an object array
            values = np.asarray(y, dtype=object)
    if values.ndim == 2 and values.shape[1] == 1:
        raise DataValidationError(
            f"{owner}: y has shape {values.shape}; pass a 1-D array (use y.ravel())."
        )
    if values.ndim != 1:
        raise DataValidationError(f"{owner}: y must be 1-D (n_samples,), got shape {values.shape}.")
    if values.size == 0:
        raise DataValidationError(f"{owner}: y is empty; at least one sample is needed.")
    codes, classes = _encode_label_array(values, owner)
    info.dtype = values.dtype
    info.classes = classes
    return codes, OutputConverter(labels=info)


_FINITE_CHUNK = 1 << 20  # elements checked at a time when the fast test is inconclusive


def _check_finite(X: torch.Tensor, owner: str) -> None:
    # NaN and inf propagate into the sum, which needs no temporary of X's size
    # (torch.isfinite(X) builds several); a sum that overflows is settled chunk by chunk.
    if not X.is_floating_point() or bool(torch.isfinite(X.sum())):
        return
    flat = X.reshape(-1)
    n_nan = n_inf = 0
    for start in range(0, flat.numel(), _FINITE_CHUNK):
        chunk = flat[start : start + _FINITE_CHUNK]
        n_nan += int(torch.isnan(chunk).sum())
        n_inf += int(torch.isinf(chunk).sum())
    if n_nan or n_inf:
        raise DataValidationError(
            f"{owner}: X contains {n_nan} NaN and {n_inf} infinite values; impute or drop "
            "them first (e.g. sklearn.impute.SimpleImputer)."
        )


def _frame_to_numpy(X: Any) -> np.ndarray:
    """A numeric DataFrame's values in their common NumPy dtype; nullable (extension) columns
    give their NumPy counterparts, with ``pd.NA`` as NaN (which the NaN check then reports)."""
    if not X.shape[1]:
        return np.asarray(X.to_numpy())
    common = np.result_type(*(getattr(t, "numpy_dtype", t) for t in X.dtypes))
    if all(isinstance(t, np.dtype) for t in X.dtypes):
        return np.asarray(X.to_numpy(dtype=common))
    if common.kind in "biu" and not bool(X.isna().to_numpy().any()):
        return np.asarray(X.to_numpy(dtype=common))
    floating = common if common.kind == "f" else np.dtype(np.float64)
    return np.asarray(X.to_numpy(dtype=floating, na_value=np.nan))


def check_features(
    X: Any, *, owner: str = "check_features", allow_nan: bool = False, allow_nd: bool = False
) -> tuple[torch.Tensor, _FeatureInfo]:
    """Validate a 2-D feature matrix and return it as a tensor (no copy where possible).

    ``allow_nd`` also accepts ``(n_samples, *sample_shape)`` with any number of sample
    dimensions (images, sequences).

    Raises:
        DataValidationError: Not 2-D (or less than 2-D with ``allow_nd``), empty, sparse,
            non-numeric (e.g. categorical DataFrame columns, named), complex, or holding NaN/inf
            (unless ``allow_nan``).
    """
    if isinstance(X, torch.Tensor):
        tensor, info = X, _FeatureInfo("tensor", dtype=X.dtype)
        if X.is_complex():
            raise DataValidationError(
                f"{owner}: X is complex; Complex data not supported, features must be real."
            )
    else:
        if _is_pandas(X, "DataFrame"):
            non_numeric = [
                str(col)
                for col, dtype in X.dtypes.items()
                if not (dtype.kind in "biuf" if hasattr(dtype, "kind") else False)
            ]
            if non_numeric:
                raise DataValidationError(
                    f"{owner}: X has non-numeric (categorical or text) columns {non_numeric}; "
                    "encode them first: as integer codes (sklearn's OrdinalEncoder) for "
                    "SMOTENC / SMOTEN's categorical_features, else one-hot (pandas.get_dummies)."
                )
            info = _FeatureInfo("pandas", columns=X.columns, dtypes=X.dtypes)
            array = _frame_to_numpy(X)
        elif hasattr(X, "tocsr") or getattr(X, "layout", torch.strided) != torch.strided:
            raise DataValidationError(
                f"{owner}: X is a sparse {type(X).__name__}; sparse input is not supported, "
                "pass a dense array (X.toarray())."
            )
        elif isinstance(X, np.ndarray):
            info = _FeatureInfo("numpy", dtype=X.dtype)
            array = X
        else:
            try:
                array = np.asarray(X)
            except ValueError as error:
                raise DataValidationError(
                    f"{owner}: X is ragged; rows differ in length."
                ) from error
            info = _FeatureInfo("list", dtype=array.dtype)
        if array.dtype.kind == "c":
            raise DataValidationError(
                f"{owner}: X is complex; Complex data not supported, features must be real."
            )
        if array.dtype.kind == "O":  # numbers held as Python objects: convert, or say which fail
            try:
                array = array.astype(np.float64)
            except (TypeError, ValueError) as error:
                raise DataValidationError(
                    f"{owner}: X has dtype object with non-numeric values ({error}); features "
                    "must be numbers."
                ) from error
        if array.dtype.kind not in "biuf":
            raise DataValidationError(
                f"{owner}: X has dtype {array.dtype}; features must be numeric."
            )
        if not array.flags.writeable or not array.flags.c_contiguous:
            array = np.ascontiguousarray(array).copy()
        tensor = torch.from_numpy(array)
    if tensor.dim() != 2 and not (allow_nd and tensor.dim() > 2):
        raise DataValidationError(
            f"{owner}: X must be 2-D (n_samples, n_features), got shape {tuple(tensor.shape)}"
            + (
                "; Reshape your data: X.reshape(-1, 1) for a single feature."
                if tensor.dim() == 1
                else "."
            )
        )
    if tensor.numel() == 0:
        shape = tuple(tensor.shape)
        what = "0 sample(s)" if shape[0] == 0 else "0 feature(s)"
        raise DataValidationError(
            f"{owner}: X has {what} (shape={shape}) while a minimum of 1 is required; it needs "
            "at least one sample and one feature."
        )
    if not allow_nan:
        _check_finite(tensor, owner)
    return tensor, info


def check_X_y(
    X: Any, y: Any, *, owner: str = "check_X_y", allow_nan: bool = False, allow_nd: bool = False
) -> tuple[torch.Tensor, torch.Tensor, OutputConverter]:
    """Validate features and labels together, before any work is done.

    Args:
        X: Features of shape ``(n_samples, n_features)``: tensor, NumPy array, DataFrame or
            nested list; numeric and finite.
        y: Labels of shape ``(n_samples,)`` (see :func:`check_labels`).
        owner: Name used in error messages (the resampler's class name).
        allow_nan: Let NaN/inf through (for methods that handle missing values).
        allow_nd: Accept ``(n_samples, *sample_shape)`` features (see :func:`check_features`).

    Returns:
        ``(X, y, converter)``: ``X`` as a tensor of the caller's dtype, ``y`` as an int64
        tensor on the same device, and the :class:`OutputConverter` giving results back in
        the caller's types.

    Raises:
        DataValidationError: For any malformed input (shape, dtype, NaN/inf, mismatched
            lengths, X and y on different devices); the message names the problem and the fix.

    Example:
        >>> import numpy as np
        >>> X, y, converter = check_X_y(np.zeros((3, 2)), ["a", "b", "a"])
        >>> X.dtype, y.tolist(), converter.to_y(y)
        (torch.float64, [0, 1, 0], ['a', 'b', 'a'])
    """
    X_tensor, feature_info = check_features(X, owner=owner, allow_nan=allow_nan, allow_nd=allow_nd)
    y_tensor, converter = check_labels(y, owner=owner)
    converter.features = feature_info
    if X_tensor.shape[0] != y_tensor.shape[0]:
        raise DataValidationError(
            f"{owner}: X has {X_tensor.shape[0]} samples but y has {y_tensor.shape[0]}; "
            "they must have the same length."
        )
    if X_tensor.device != y_tensor.device:
        if isinstance(y, torch.Tensor):
            raise DataValidationError(
                f"{owner}: X is on {X_tensor.device} but y is on {y_tensor.device}; "
                "move both to one device (e.g. y.to(X.device))."
            )
        y_tensor = y_tensor.to(X_tensor.device)
    return X_tensor, y_tensor, converter


def check_sample_weight(
    sample_weight: Any, n_samples: int, *, owner: str = "check_sample_weight"
) -> tuple[torch.Tensor, Any]:
    """Validate per-sample weights: 1-D, ``n_samples`` long, finite and non-negative.

    Returns:
        ``(weights, give_back)``: a floating-point tensor (the input's float dtype, else
        float64; on the input's device for tensors) and a function that turns a tensor of
        weights back into the caller's type (tensor, else NumPy array; a Series gets a fresh
        index).

    Raises:
        DataValidationError: Wrong shape or length, non-numeric, NaN, infinite or negative.

    Example:
        >>> w, back = check_sample_weight([1, 2, 0.5], 3)
        >>> w.dtype, type(back(w * 2)).__name__
        (torch.float64, 'ndarray')
    """
    if isinstance(sample_weight, torch.Tensor):
        tensor = sample_weight
        if not tensor.is_floating_point():
            tensor = tensor.to(torch.float64)

        def give_back(w: torch.Tensor) -> Any:
            return w.to(device=sample_weight.device, dtype=tensor.dtype)

    else:
        series = _is_pandas(sample_weight, "Series")
        try:
            array = np.asarray(sample_weight, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise DataValidationError(
                f"{owner}: sample_weight must hold numbers ({error})."
            ) from error
        tensor = torch.from_numpy(np.ascontiguousarray(array).copy())

        def give_back(w: torch.Tensor) -> Any:
            values = w.detach().cpu().numpy()
            if series:
                import pandas as pd

                return pd.Series(values, name=sample_weight.name)
            return values

    if tensor.dim() != 1 or tensor.shape[0] != n_samples:
        raise DataValidationError(
            f"{owner}: sample_weight must have shape ({n_samples},), one weight per sample, "
            f"got {tuple(tensor.shape)}."
        )
    if not bool(torch.isfinite(tensor).all()) or bool((tensor < 0).any()):
        raise DataValidationError(
            f"{owner}: sample_weight must be finite and non-negative; it holds "
            f"{int((~torch.isfinite(tensor)).sum())} NaN/infinite and "
            f"{int((tensor < 0).sum())} negative values."
        )
    return tensor, give_back


def resolve_device(device: str | torch.device, owner: str) -> torch.device:
    """``device`` as a ``torch.device``; ``"auto"`` is CUDA when available, else the CPU.

    Raises:
        InvalidParameterError: ``device`` names no device torch knows, or CUDA when it is not
            available.

    Example:
        >>> resolve_device("cpu", "Owner")
        device(type='cpu')
    """
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidParameterError(
            f"{owner}: device={device!r} is invalid; it must be 'cpu', 'cuda', 'cuda:N', "
            "'auto' or a torch.device."
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            f"{owner}: device={device!r} but CUDA is not available here; use 'cpu' or 'auto'."
        )
    return resolved
