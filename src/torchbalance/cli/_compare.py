"""``torchbalance compare``: which imbalance technique works on this data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from ._errors import UsageError
from ._table_options import add_sep, sep_of

__all__ = ["add_parser", "run"]

DEFAULT_DATASET = "digits_lt"


def add_parser(commands: Any) -> None:
    """Register ``compare`` on the ``add_subparsers`` object ``commands``."""
    parser = commands.add_parser(
        "compare",
        help="run every imbalance strategy on a data set and rank them",
        description=(
            "Train the same model with each imbalance strategy (losses, samplers, resamplers, "
            "post-processing, reference tree models) on identical folds and seeds, and print a "
            "leaderboard with 95% intervals, a paired test against the baseline, per-class "
            "recall and a recommendation. Without PATH: the built-in long-tailed digits (fixed "
            "train/test split, 5 training seeds)."
        ),
    )
    parser.add_argument("path", nargs="?", metavar="PATH", help="a .csv, .tsv or .parquet file")
    parser.add_argument("--target", metavar="COL", help="the label column of PATH")
    add_sep(parser)
    parser.add_argument(
        "--dataset",
        metavar="NAME",
        help=f"built-in data set without PATH (default: {DEFAULT_DATASET})",
    )
    parser.add_argument(
        "--strategies",
        default="default",
        metavar="LIST",
        help="'default', 'all', 'fast' or comma-separated names (see --list-strategies)",
    )
    parser.add_argument(
        "--list-strategies", action="store_true", help="list the strategies and exit"
    )
    parser.add_argument("--model", default="mlp", choices=("mlp", "linear", "cnn"))
    parser.add_argument("--cv", type=int, metavar="K", help="folds for PATH (default 5)")
    parser.add_argument(
        "--repeats", type=int, metavar="R", help="repetitions (default 1; 5 for a built-in split)"
    )
    parser.add_argument(
        "--metric", default="balanced_accuracy", metavar="NAME", help="the ranking metric"
    )
    parser.add_argument("--epochs", type=int, default=30, metavar="N")
    parser.add_argument(
        "--batch-size", type=int, default=64, metavar="B", help="mini-batch size (default 64)"
    )
    parser.add_argument("--lr", type=float, default=3e-3, metavar="LR", help="AdamW's step size")
    parser.add_argument("--device", default="cpu", metavar="DEV", help="'cpu', 'cuda' or 'cuda:N'")
    parser.add_argument("--seed", type=int, default=0, metavar="S")
    parser.add_argument(
        "--out", metavar="DIR", help="write report.html, report.md and results.json there"
    )
    parser.add_argument(
        "--format", choices=("table", "json", "markdown"), default="table", help="stdout format"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.set_defaults(handler=run)


def _data(args: argparse.Namespace) -> tuple[Any, Any, list[int]]:
    """Features, labels and the indices of the one-hot columns of text columns."""
    from ..datasets import load_dataset, load_table

    sep = sep_of(args)
    if args.path is None:
        if args.target is not None:
            raise UsageError("--target needs PATH; the built-in data sets know their labels.")
        if args.cv is not None:
            raise UsageError(
                "--cv applies to PATH; a built-in data set has a fixed split (--repeats sets how "
                "many seeds train on it)."
            )
        return load_dataset(args.dataset or DEFAULT_DATASET), None, []
    if args.dataset is not None:
        raise UsageError("--dataset applies without PATH only.")
    if args.target is None:
        raise UsageError("PATH needs --target COL, the name of its label column.")
    table = load_table(args.path, target=args.target, encode="onehot", sep=sep)
    missing = table.X.isna().sum()
    if bool(missing.any()):
        named = ", ".join(f"{column!r} ({count})" for column, count in missing[missing > 0].items())
        raise UsageError(
            f"{args.path} has missing feature values in {named}; fill or drop them first "
            "(the models that compare trains cannot take missing values)."
        )
    X = table.X.to_numpy(dtype="float32")
    y = table.y.to_numpy()
    columns = list(table.X.columns)
    return X, y, [columns.index(name) for name in table.one_hot_columns]


def _check_options(args: argparse.Namespace) -> None:
    """The options' own checks, in the options' names (the Python API names its parameters)."""
    from ..model_selection._scoring import SCORES

    if args.metric not in SCORES:
        raise UsageError(f"--metric {args.metric}: use one of {', '.join(sorted(SCORES))}.")
    if args.cv is not None and args.cv < 2:
        raise UsageError(f"--cv {args.cv}: cross-validation needs at least 2 folds.")
    for option, value in (
        ("--repeats", args.repeats),
        ("--epochs", args.epochs),
        ("--batch-size", args.batch_size),
    ):
        if value is not None and value < 1:
            raise UsageError(f"{option} {value}: give a positive whole number.")
    if not args.lr > 0:
        raise UsageError(f"--lr {args.lr}: give a positive step size.")


def _list(out: TextIO) -> int:
    from ..experiment import PENDING, list_strategies
    from ..utils import render_table

    rows = []
    for name, strategy in list_strategies().items():
        reason = strategy.unavailable_reason()
        flags = ", ".join(
            flag
            for flag, on in (
                ("default", strategy.default),
                ("fast", strategy.fast),
                ("tabular only", strategy.tabular_only),
                ("two classes only", strategy.binary_only),
            )
            if on
        )
        status = "" if reason is None else f" [unavailable: {reason}]"
        rows.append([name, strategy.kind, flags, strategy.summary + status])
    rows += [[name, "", "", f"[not built: {why}]"] for name, why in PENDING.items()]
    print(
        render_table(["name", "kind", "sets", "what it does"], rows, numeric=[False] * 4), file=out
    )
    return 0


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``compare``; returns the exit status (user errors are raised to the caller)."""
    if args.list_strategies:
        return _list(out)
    from ..experiment import compare, render_report, write_report

    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out {args.out} is a file; --out takes a folder (made if missing).")
    if args.strategies is not None and not args.strategies.strip(" ,"):
        raise UsageError(
            "--strategies is empty; name strategies (comma-separated), or 'default', 'all' or "
            "'fast' (see --list-strategies)."
        )
    _check_options(args)
    X, y, categorical = _data(args)
    result = compare(
        X,
        y,
        name=None if args.path is None else Path(args.path).name,
        strategies=args.strategies,
        model=args.model,
        cv=5 if args.cv is None else args.cv,
        repeats=args.repeats,
        primary=args.metric,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        device=args.device,
        generator=args.seed,
        progress=not args.quiet,
        categorical_features=categorical,
    )
    print(render_report(result, args.format), file=out)
    if args.out is not None:
        paths = write_report(result, args.out)
        if not args.quiet:
            import sys

            print(f"compare: wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return 0
