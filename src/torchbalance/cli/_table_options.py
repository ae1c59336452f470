"""The options every command that reads a table file shares."""

from __future__ import annotations

import argparse
from typing import Any

from ._errors import UsageError

__all__ = ["add_sep", "sep_of"]

_ESCAPES = {"\\t": "\t", "tab": "\t"}


def add_sep(parser: Any) -> None:
    """``--sep``: the field separator of a CSV PATH (``\\t`` or ``tab`` for a tab)."""
    parser.add_argument(
        "--sep",
        metavar="CHAR",
        help="field separator of a CSV PATH, such as ';' or '\\t' (default ',', tab for .tsv)",
    )


def sep_of(args: argparse.Namespace) -> str | None:
    """The separator asked for, with a typed ``\\t`` read as a tab; ``None`` for the default."""
    if args.sep is None:
        return None
    if args.path is None:
        raise UsageError("--sep applies to PATH only, not to the built-in data sets.")
    if str(args.path).lower().endswith((".parquet", ".pq")):
        raise UsageError("--sep applies to CSV and TSV files; a Parquet file has no separator.")
    sep = _ESCAPES.get(args.sep, args.sep)
    if len(sep) != 1 or sep in ("\n", "\r", '"'):  # pandas reads longer ones as a regex
        raise UsageError(f"--sep {args.sep!r}: give one character such as ';' or '\\t'.")
    return sep
