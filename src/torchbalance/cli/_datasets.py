"""``torchbalance datasets``: the built-in data sets."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ._render import render_json, render_table

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Register ``datasets`` on the ``add_subparsers`` object ``commands``."""
    parser = commands.add_parser(
        "datasets",
        help="list the built-in data sets",
        description="List the built-in data sets (for 'torchbalance inspect --dataset NAME').",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Print the names and descriptions of the built-in data sets."""
    from ..datasets import list_datasets

    datasets = list_datasets()
    if args.format == "json":
        print(render_json(datasets), file=out)
    else:
        rows = [[name, text] for name, text in datasets.items()]
        print(render_table(["name", "description"], rows, numeric=[False, False]), file=out)
    return 0
