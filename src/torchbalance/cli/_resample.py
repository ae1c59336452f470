"""``torchbalance resample``: resample a table file with any resampler, for users of any tool."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ._errors import UsageError
from ._table_options import add_sep, sep_of

__all__ = ["add_parser", "resampler_classes", "run"]

_MODULES = ("over_sampling", "under_sampling", "combine")


def resampler_classes() -> dict[str, type]:
    """Every resampler class of the package by lower-case name (modules not built are skipped)."""
    from ..base import BaseResampler

    found: dict[str, type] = {}
    for name in _MODULES:
        try:
            module = importlib.import_module(f"torchbalance.{name}")
        except ImportError:
            continue
        for attribute in getattr(module, "__all__", []):
            value = getattr(module, attribute)
            if isinstance(value, type) and issubclass(value, BaseResampler):
                found[attribute.lower()] = value
    return found


def add_parser(commands: Any) -> None:
    """Register ``resample`` on the ``add_subparsers`` object ``commands``."""
    parser = commands.add_parser(
        "resample",
        help="resample a CSV/Parquet table (SMOTE, under-sampling, cleaning, ...)",
        description=(
            "Read PATH, resample it with METHOD (a resampler class name such as SMOTE or "
            "RandomUnderSampler, case-insensitive) and write the result to OUT (CSV or Parquet "
            "by extension; a .csv OUT uses --sep too). Categorical columns are one-hot encoded "
            "first, except for SMOTENC and SMOTEN, which handle them as categories; "
            "interpolating methods (SMOTE, ADASYN, ...) refuse them."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="a .csv, .tsv or .parquet file")
    parser.add_argument("--target", metavar="COL", required=True, help="the label column")
    add_sep(parser)
    parser.add_argument("--method", metavar="NAME", required=True, help="resampler class name")
    parser.add_argument(
        "--sampling-strategy",
        metavar="S",
        help="'auto', 'minority', 'not majority', ..., a float, or JSON such as '{\"1\": 500}'",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="output file")
    parser.set_defaults(handler=run)


def _bool_label(key: str) -> bool:
    named = {"true": True, "false": False, "1": True, "0": False}.get(str(key).lower())
    if named is None:
        raise ValueError(key)
    return named


def _strategy(text: str | None, labels: Any) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text  # a keyword such as 'auto' or 'not majority'
    if isinstance(value, dict):
        kinds = {type(v) for v in labels.tolist()}
        convert: Any = int if kinds <= {int} else str
        if kinds <= {bool}:  # "true"/"false" (any case) or 1/0 name the two classes
            convert = _bool_label
        try:
            return {convert(k): v for k, v in value.items()}
        except ValueError:
            raise UsageError(f"--sampling-strategy {text}: keys must be class labels.") from None
    return value


# methods that make new rows between neighbours: meaningless on one-hot categories
_INTERPOLATING = (
    "SMOTE",
    "BorderlineSMOTE",
    "SVMSMOTE",
    "KMeansSMOTE",
    "ADASYN",
    "SMOTEENN",
    "SMOTETomek",
)


def _seeded(resampler: Any, seed: int) -> Any:
    if "generator" in resampler.get_params():
        resampler.set_params(generator=seed)
    return resampler


_OUTPUTS = (".csv", ".tsv", ".csv.gz", ".parquet", ".pq")


def _check_output(destination: str, source: str) -> None:
    """Before any work: a known extension, and not the input file itself."""
    if not destination.lower().endswith(_OUTPUTS):
        raise UsageError(f"-o {destination}: use a .csv, .tsv, .csv.gz or .parquet file name.")
    if os.path.exists(destination) and os.path.samefile(destination, source):
        raise UsageError(f"-o {destination} is the input file; write the result elsewhere.")


def _write(frame: Any, destination: str, sep: str | None) -> None:
    """Write ``frame`` next to ``destination``, then move it into place: a failed write leaves
    an existing file as it was (an existing ``-o`` file is replaced). A CSV takes ``sep``
    (default ``","``), a TSV a tab."""
    folder = os.path.dirname(os.path.abspath(destination))
    suffix = "".join(Path(destination).suffixes)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".resample-", suffix=suffix)
    os.close(handle)
    try:
        if destination.lower().endswith((".parquet", ".pq")):
            frame.to_parquet(temporary, index=False)
        else:
            tsv = destination.lower().endswith(".tsv")
            frame.to_csv(temporary, index=False, sep="\t" if tsv else sep or ",")
        os.replace(temporary, destination)
    except BaseException:
        os.unlink(temporary)
        raise


def _codes(values: Any, pd: Any) -> tuple[Any, Any]:
    """Integer codes of a categorical column and the categories, a missing value being a
    category of its own (the last code), so it is written back as missing."""
    coded = pd.Categorical(values)
    codes = coded.codes.astype("int64")
    names = list(coded.categories)
    if (codes < 0).any():
        codes[codes < 0] = len(names)
        names.append(None)
    return codes, pd.Index(names, dtype=object)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``resample``; returns the exit status (user errors are raised to the caller)."""
    import pandas as pd

    from ..datasets import load_table

    classes = resampler_classes()
    method = classes.get(args.method.lower())
    if method is None:
        raise UsageError(
            f"unknown --method {args.method!r}; available: {', '.join(sorted(classes)) or 'none'}."
        )
    _check_output(str(args.output), str(args.path))
    sep = sep_of(args)
    raw = load_table(args.path, target=args.target, sep=sep)
    categorical = raw.categorical_columns
    params: dict[str, Any] = {}
    strategy = _strategy(args.sampling_strategy, raw.y)
    if strategy is not None:
        params["sampling_strategy"] = strategy
    if categorical and method.__name__ in ("SMOTENC", "SMOTEN"):
        # categories as integer codes, the form these two take, and back to text afterwards
        features = raw.X.copy()
        categories = {}
        for column in categorical:
            features[column], categories[column] = _codes(features[column], pd)
        if method.__name__ == "SMOTENC":
            params["categorical_features"] = [list(features.columns).index(c) for c in categorical]
        resampler = _seeded(method(**params), args.seed)
        X, y = resampler.fit_resample(features, raw.y)
        frame = pd.DataFrame(X, columns=features.columns)
        for column, names in categories.items():
            frame[column] = names.take(frame[column].to_numpy(dtype="int64"))
    else:
        if categorical and method.__name__ in _INTERPOLATING:
            raise UsageError(
                f"columns {categorical} are categorical: {method.__name__} would interpolate "
                "their one-hot codes into categories that do not exist. Use --method SMOTENC "
                "(mixed columns) or SMOTEN (all categorical), or a method that keeps rows."
            )
        table = load_table(args.path, target=args.target, encode="onehot", sep=sep)
        resampler = _seeded(method(**params), args.seed)
        X, y = resampler.fit_resample(table.X, table.y)
        frame = pd.DataFrame(X, columns=table.X.columns)
        indices = getattr(resampler, "sample_indices_", None)
        if indices is not None:  # rows kept or copied: the file's own rows, columns and types
            rows = np.asarray(indices.cpu() if hasattr(indices, "cpu") else indices)
            frame = raw.X.iloc[rows].reset_index(drop=True)
            y = raw.y.iloc[rows].to_numpy()
    table = raw
    frame[args.target] = pd.Series(y).to_numpy()
    if set(frame.columns) == set(raw.columns):  # the same columns: in the file's order
        frame = frame[raw.columns]
    destination = str(args.output)
    _write(frame, destination, sep)
    before = table.y.value_counts().sort_index().to_dict()
    after = pd.Series(y).value_counts().sort_index().to_dict()
    print(f"resample: {method.__name__}: {before} -> {after}; wrote {destination}", file=sys.stderr)
    return 0
