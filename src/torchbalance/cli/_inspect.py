"""``torchbalance inspect``: the class balance of a table file or of a built-in data set."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ._errors import UsageError
from ._render import render_json, render_text_report
from ._table_options import add_sep, sep_of

__all__ = ["add_parser", "run"]

DEFAULT_DATASET = "digits_lt"


def add_parser(commands: Any) -> None:
    """Register ``inspect`` on the ``add_subparsers`` object ``commands``."""
    parser = commands.add_parser(
        "inspect",
        help="class counts, shares and imbalance ratio of a data set",
        description=(
            "Print the class counts, per-class shares and imbalance ratio of the labels in "
            "PATH (CSV, TSV or Parquet; --target names the label column), or of the training "
            "split of a built-in data set (default: the long-tailed handwritten digits), with "
            "a warning for every class too small for 5-fold stratified cross-validation "
            "(< 5 samples) or for SMOTE's default k_neighbors=5 (< 6 samples)."
        ),
    )
    parser.add_argument("path", nargs="?", metavar="PATH", help="a .csv, .tsv or .parquet file")
    parser.add_argument("--target", metavar="COL", help="the label column of PATH")
    add_sep(parser)
    parser.add_argument(
        "--dataset",
        metavar="NAME",
        help=f"built-in data set to inspect without PATH (default: {DEFAULT_DATASET}; "
        "see 'torchbalance datasets')",
    )
    parser.add_argument(
        "--imbalance-ratio",
        type=float,
        metavar="R",
        help="imbalance ratio of the built-in data set's training split (default: 50)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.set_defaults(handler=run)


def _report(args: argparse.Namespace) -> dict[str, Any]:
    from ..datasets import describe_labels, load_dataset, load_table

    sep = sep_of(args)
    if args.path is not None:
        for option, value in (
            ("--dataset", args.dataset),
            ("--imbalance-ratio", args.imbalance_ratio),
        ):
            if value is not None:
                raise UsageError(f"{option} applies to the built-in data sets only, not to PATH.")
        if args.target is None:
            raise UsageError("PATH needs --target COL, the name of its label column.")
        table = load_table(args.path, target=args.target, sep=sep)
        labels = table.y
        source: dict[str, Any] = {
            "kind": "file",
            "path": str(args.path),
            "target": args.target,
            "n_features": int(table.X.shape[1]),
            "categorical_columns": table.categorical_columns,
        }
    else:
        if args.target is not None:
            raise UsageError("--target needs PATH; the built-in data sets know their labels.")
        options = {} if args.imbalance_ratio is None else {"imbalance_ratio": args.imbalance_ratio}
        data = load_dataset(args.dataset or DEFAULT_DATASET, **options)
        labels = data.y_train
        source = {
            "kind": "built-in",
            "name": data.name,
            "split": "train",
            "params": data.params,
            "n_features": len(data.feature_names),
        }
    return {"source": source, **describe_labels(labels).to_dict()}


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``inspect``; returns the exit status (errors are raised to the caller)."""
    report = _report(args)
    text = render_json(report) if args.format == "json" else render_text_report(report)
    print(text, file=out)
    return 0
