"""Labelled tables from CSV and Parquet files (the ``cli`` extra: needs pandas and pyarrow)."""

from __future__ import annotations

import difflib
import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..exceptions import DataValidationError, InvalidParameterError, TorchBalanceWarning
from ..utils import InstanceOf, Options, check_param, check_X_y, optional_import, warn_user

__all__ = ["Table", "load_table"]

_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_PARQUET_SUFFIXES = (".parquet", ".pq")
_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zip", ".zst")
_SUPPORTED = ".csv, .tsv (optionally compressed: .gz, .bz2, .xz, .zip, .zst), .parquet, .pq"


def _non_numeric(frame: Any) -> list[Any]:
    """Columns whose dtype is not bool, integer or float (text, category, dates, objects)."""
    return [col for col, dtype in frame.dtypes.items() if getattr(dtype, "kind", "O") not in "biuf"]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _columns_text(columns: Sequence[Any], limit: int = 20) -> str:
    names = [str(c) for c in columns]
    if len(names) <= limit:
        return str(names)
    shown = [*names[: limit - 5], "...", *names[-5:]]
    return f"{len(names)} columns: " + ", ".join(shown)


@dataclass(frozen=True, eq=False)
class Table:
    """Features and labels read from a table file by :func:`load_table`.

    Unpacks as ``X, y = load_table(...)``.

    Attributes:
        X: Every column but the target, a pandas DataFrame in file order (categorical
            columns kept as they are, or one-hot encoded with ``encode="onehot"``).
        y: The target column, a pandas Series with the file's label values (strings stay
            strings; integral floats become int64).
        target: Name of the target column.
        path: The file read.
        categorical_columns: The non-numeric feature columns of the file (before any
            encoding), in file order. Empty when every feature is numeric.
        encode: The ``encode`` argument used (``None`` or ``"onehot"``).
        one_hot_columns: The indicator columns ``encode="onehot"`` made (the last columns of
            ``X``); empty otherwise.
        columns: Every column of the file, the target included, in file order.
    """

    X: Any
    y: Any
    target: str
    path: Path
    categorical_columns: list[str] = field(default_factory=list)
    encode: str | None = None
    one_hot_columns: list[str] = field(default_factory=list)
    columns: list[Any] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.X, self.y))

    def __repr__(self) -> str:
        return (
            f"Table(path={str(self.path)!r}, target={self.target!r}, "
            f"n_samples={len(self.y)}, n_features={self.X.shape[1]}, "
            f"categorical_columns={self.categorical_columns})"
        )

    def to_tensors(
        self, *, dtype: torch.dtype = torch.float32
    ) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
        """Features and labels as tensors, for the numeric methods.

        Args:
            dtype: Floating dtype of the features.

        Returns:
            ``(X, y, classes)``: ``X`` of shape ``(n_samples, n_features)`` and dtype
            ``dtype``; ``y`` int64 codes ``0..C-1`` of shape ``(n_samples,)``; ``classes`` the
            original label of each code (``classes[y]`` gives the labels back).

        Raises:
            DataValidationError: Categorical feature columns remain (the message names them
                and the fix), or the features hold NaN/inf.
        """
        remaining = [str(c) for c in _non_numeric(self.X)]
        if remaining:
            raise DataValidationError(
                f"load_table: feature columns {remaining} of '{self.path}' are categorical "
                "(non-numeric) and numeric methods cannot use them; load with "
                "encode='onehot' or drop them (table.X.drop(columns=[...]))."
            )
        X, _, _ = check_X_y(
            self.X.to_numpy(dtype=np.float64), self.y.to_numpy(), owner="Table.to_tensors"
        )
        classes, codes = np.unique(self.y.to_numpy(), return_inverse=True)
        return X.to(dtype), torch.from_numpy(codes.reshape(-1).astype(np.int64)), classes


def _file_format(path: Path) -> tuple[str, str | None]:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in _CSV_SUFFIXES:
        return "csv", _CSV_SUFFIXES[last]
    if last in _PARQUET_SUFFIXES and path.suffix.lower() == last:
        return "parquet", None
    raise DataValidationError(
        f"load_table: cannot tell the format of '{path}' from its extension "
        f"'{''.join(path.suffixes) or '(none)'}'; supported: {_SUPPORTED}."
    )


def _read(path: Path, kind: str, sep: str | None, pd: Any) -> Any:
    try:
        if kind == "parquet":
            optional_import("pyarrow", extra="cli", purpose="load_table (Parquet files)")
            return pd.read_parquet(path)
        frame = pd.read_csv(path, sep=sep)
    except pd.errors.EmptyDataError as error:
        raise DataValidationError(
            f"load_table: '{path}' is empty; it has no header row."
        ) from error
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataValidationError(
            f"load_table: cannot read '{path}' as {kind.upper()}: {reason}"
        ) from error
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        # pandas makes the first field(s) the row index when rows are longer than the header
        extra = index.nlevels
        raise DataValidationError(
            f"load_table: the data rows of '{path}' have {extra} field(s) more than its header, "
            "so no column name fits them. Either the rows start with row names (R's "
            "write.table: write with row.names=FALSE, or name that column in the header) or "
            "every row ends with a separator (remove it)."
        )
    return frame


def _check_column_names(frame: Any, path: Path, kind: str, sep: str | None, pd: Any) -> None:
    """Refuse repeated column names (pandas reads a second "a" of a CSV as "a.1", a name the
    user never wrote) and warn about unnamed ones, typically an index that ``to_csv`` wrote."""
    names = [str(c) for c in frame.columns]
    if kind == "csv":
        header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False)
        names = [str(c) for c in header.iloc[0].tolist()]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise DataValidationError(
            f"load_table: '{path}' has more than one column named {repeated}; give each column "
            "its own name."
        )
    unnamed = [str(c) for c, name in zip(frame.columns, names, strict=True) if name == ""]
    if unnamed:
        warn_user(
            f"load_table: {len(unnamed)} column(s) of '{path}' have no name (read as "
            f"{unnamed[0]!r}) and are kept as features. If one is an index written by "
            "DataFrame.to_csv, drop it, or write the file with index=False (pandas: "
            "read_csv(..., index_col=0)).",
            TorchBalanceWarning,
        )


def _missing_target_message(path: Path, target: str, columns: Sequence[Any]) -> str:
    names = [str(c) for c in columns]
    same_case = [n for n in names if n.lower() == target.lower()]
    close = same_case or difflib.get_close_matches(target, names, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return (
        f"load_table: no column {target!r} in '{path}'{hint}; the columns are "
        f"{_columns_text(names)}."
    )


_INTEGER = re.compile(r"0|-?[1-9][0-9]*")  # "-0" is not how an integer prints


def _labels_from_text(text: Any, path: Path, target: str) -> Any:
    """Labels read as text: integers when every label is written as one ("1.0" too, when
    that is how the number prints), else the strings themselves, so distinct texts stay
    distinct classes ("1" and "01"; "NA", "None" or "True" are labels, not missing or bool).
    Only empty cells are missing."""
    filled = text.where(text != "", None)
    values = filled.dropna().tolist()
    if not values:
        return filled
    if all(_INTEGER.fullmatch(v) for v in values):
        return filled.map(int, na_action="ignore")
    numbers = [_canonical_number(v) for v in values]
    if any(n is None for n in numbers):
        return filled
    fractional = [n for n in numbers if n is not None and not n.is_integer()]
    if fractional:
        raise DataValidationError(
            f"load_table: column {target!r} of '{path}' holds non-integer numbers such as "
            f"{fractional[:3]}; class labels must be integers or strings (is this a "
            "regression target?)."
        )
    return filled.map(lambda v: int(float(v)), na_action="ignore")


def _canonical_number(text: str) -> float | None:
    """The number ``text`` writes, if it is written the way that float prints (``"2.0"``),
    else ``None`` (``"02"``, ``"inf"``, ``"cat"``)."""
    try:
        value = float(text)
    except ValueError:
        return None
    negative_zero = value == 0 and math.copysign(1.0, value) < 0  # "-0.0" would merge with "0.0"
    return value if math.isfinite(value) and repr(value) == text and not negative_zero else None


def _check_scalar_values(frame: Any, path: Path) -> None:
    """Refuse columns of lists, dicts or arrays (Parquet allows them): neither features nor
    labels can be made of them."""
    for column in [c for c, dtype in frame.dtypes.items() if str(dtype) == "object"]:
        nested = frame[column].map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray)))
        if bool(nested.any()):
            row = int(np.flatnonzero(nested.to_numpy())[0])
            raise DataValidationError(
                f"load_table: column {column!r} of '{path}' holds "
                f"{type(frame[column].iloc[row]).__name__} values (row {row}); features and "
                "labels must be numbers or text. Flatten or drop that column first."
            )


def _warn_near_duplicate_labels(y: Any, path: Path, target: str) -> None:
    """Labels are read as written, so "yes" and "yes " are two classes: say so."""
    labels = [v for v in y.unique() if isinstance(v, str)]
    by_stripped: dict[str, list[str]] = {}
    for label in labels:
        by_stripped.setdefault(label.strip(), []).append(label)
    clashes = [sorted(group) for group in by_stripped.values() if len(group) > 1]
    if clashes:
        warn_user(
            f"load_table: column {target!r} of '{path}' has labels that differ only by "
            f"surrounding spaces, kept as separate classes: {clashes[:3]!r}. Strip them in "
            "the file if they are one class.",
            TorchBalanceWarning,
        )


def _check_labels(y: Any, path: Path, target: str) -> Any:
    missing = y.isna().to_numpy()
    if missing.any():
        rows = np.flatnonzero(missing)
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if rows.size > 5 else "")
        verb, noun = ("has", "row") if rows.size == 1 else ("have", "rows")
        raise DataValidationError(
            f"load_table: {rows.size} of {y.shape[0]} rows of '{path}' {verb} no label in "
            f"column {target!r} ({noun} {shown}, counting data rows from 0); drop or fill "
            f"{'it' if rows.size == 1 else 'them'} first."
        )
    if y.dtype == object and all(isinstance(v, (int, np.integer)) for v in y):
        try:
            y = y.astype(np.int64)
        except OverflowError:
            raise DataValidationError(
                f"load_table: column {target!r} of '{path}' holds integer labels beyond int64; "
                "give such labels a non-digit character to keep them as class names."
            ) from None
    if y.dtype.kind == "f":
        values = y.to_numpy()
        fractional = values[~np.isfinite(values) | (values != np.round(values))]
        if fractional.size:
            raise DataValidationError(
                f"load_table: column {target!r} of '{path}' holds non-integer numbers such as "
                f"{fractional[:3].tolist()}; class labels must be integers or strings "
                "(is this a regression target?)."
            )
        y = y.astype(np.int64)
    _warn_near_duplicate_labels(y, path, target)
    n_classes = y.nunique()
    if n_classes < 2:
        raise DataValidationError(
            f"load_table: column {target!r} of '{path}' holds a single class "
            f"({_plain(y.iloc[0])!r}); at least two classes are needed."
        )
    return y


def _one_hot(X: Any, columns: Sequence[str], pd: Any, taken: set[str]) -> Any:
    """Dummies (int64 0/1, named ``<column>_<value>``) after the other columns, as
    ``pandas.get_dummies`` orders them; a column with missing values also gets ``<column>_nan``.
    """
    parts = [X.drop(columns=list(columns))]
    for column in columns:
        values = X[column]
        parts.append(
            pd.get_dummies(
                values, prefix=column, dummy_na=bool(values.isna().any()), dtype=np.int64
            )
        )
    encoded = pd.concat(parts, axis=1)
    counts = Counter(str(c) for c in encoded.columns)
    clashes = sorted({name for name, count in counts.items() if count > 1} | set(counts) & taken)
    if clashes:
        raise DataValidationError(
            f"load_table: one-hot encoding makes columns named {clashes[:5]}, which other "
            "columns of the file (or the target) already use; rename those columns first."
        )
    return encoded


def load_table(
    path: str | os.PathLike[str],
    *,
    target: str,
    encode: str | None = None,
    sep: str | None = None,
) -> Table:
    """Read a labelled table from a CSV or Parquet file.

    The format follows the extension: ``.csv`` (comma), ``.tsv`` (tab), either optionally
    compressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``, ``.zst``), or ``.parquet`` / ``.pq``.
    Needs pandas (and pyarrow for Parquet): ``pip install 'torchbalance[cli]'``.

    Nothing is dropped or changed silently. Non-numeric feature columns are reported in
    ``categorical_columns`` and kept as they are (so ``Table.to_tensors`` and every numeric
    method refuse them by name), unless ``encode="onehot"`` replaces each by int64 indicator
    columns ``<column>_<value>`` (plus ``<column>_nan`` when the column has missing values).
    Missing labels, a single class and non-integer numeric labels are refused; missing
    feature values are left for the methods to refuse or handle. A column without a name
    (often an index that ``DataFrame.to_csv`` wrote) is kept as a feature, with a warning.

    Args:
        path: The file.
        target: Name of the label column.
        encode: ``None`` (keep categorical columns) or ``"onehot"``.
        sep: Field separator for CSV files (default ``","``, ``"\\t"`` for ``.tsv``); not
            for Parquet.

    Returns:
        A :class:`Table`: ``X`` (DataFrame of the other columns), ``y`` (Series of labels,
        strings kept), ``categorical_columns``, and the file's ``path`` and ``target``.

    Raises:
        DataValidationError: A missing file, an unknown extension, an unreadable or empty file,
            two columns with one name, a missing target column (the columns and close names
            are listed), rows without a label (how many, and which), non-integer numeric
            labels, or a single class.
        InvalidParameterError: ``sep`` for a Parquet file.
        ImportError: pandas (or pyarrow, for Parquet) is not installed; names the extra.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "pets.csv").write_text("weight,colour,kind\\n4.1,black,cat\\n"
        ...     "30.5,brown,dog\\n3.8,white,cat\\n")
        >>> table = load_table(folder / "pets.csv", target="kind")
        >>> table.y.tolist(), table.categorical_columns
        (['cat', 'dog', 'cat'], ['colour'])
        >>> list(load_table(folder / "pets.csv", target="kind", encode="onehot").X.columns)
        ['weight', 'colour_black', 'colour_brown', 'colour_white']
    """
    owner = "load_table"
    check_param(owner, "path", path, [InstanceOf((str, os.PathLike), name="a file path")])
    check_param(owner, "target", target, [str])
    check_param(owner, "encode", encode, [None, Options(("onehot",))])
    check_param(owner, "sep", sep, [None, str])
    file = Path(path)
    if not file.exists():
        raise DataValidationError(f"load_table: no such file: '{file}'.")
    if file.is_dir():
        raise DataValidationError(f"load_table: '{file}' is a directory; give a file.")
    kind, default_sep = _file_format(file)
    if kind == "parquet" and sep is not None:
        raise InvalidParameterError(
            f"load_table: sep={sep!r} applies to CSV and TSV files; '{file}' is Parquet."
        )
    pd = optional_import("pandas", extra="cli", purpose="load_table")
    frame = _read(file, kind, sep or default_sep, pd)
    _check_column_names(frame, file, kind, sep or default_sep, pd)
    if target not in frame.columns:
        raise DataValidationError(_missing_target_message(file, target, list(frame.columns)))
    if frame.shape[0] == 0:
        raise DataValidationError(f"load_table: '{file}' has a header but no rows.")
    labels = frame[target]
    if kind == "csv":  # the labels as written: no type guessing merges "1" and "01"
        text = pd.read_csv(
            file, sep=sep or default_sep, usecols=[target], dtype=str, keep_default_na=False
        )[target]
        labels = _labels_from_text(text, file, target)
    if kind == "parquet":  # a CSV cell is text: only Parquet can hold lists or structs
        _check_scalar_values(frame, file)
    y = _check_labels(labels, file, target)
    X = frame.drop(columns=[target])
    categorical = _non_numeric(X)
    one_hot: list[str] = []
    if encode == "onehot" and categorical:
        n_numeric = X.shape[1] - len(categorical)
        X = _one_hot(X, categorical, pd, {str(target)})
        one_hot = [str(c) for c in X.columns[n_numeric:]]
    return Table(
        X=X,
        y=y,
        target=target,
        path=file,
        categorical_columns=[str(c) for c in categorical],
        encode=encode,
        one_hot_columns=one_hot,
        columns=list(frame.columns),
    )
