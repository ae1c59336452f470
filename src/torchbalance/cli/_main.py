"""Argument parsing and error handling of the ``torchbalance`` command."""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from . import _compare, _datasets, _inspect, _resample
from ._errors import USER_ERRORS

__all__ = ["build_parser", "main"]

PROG = "torchbalance"


def build_parser() -> argparse.ArgumentParser:
    """The ``torchbalance`` argument parser with one sub-command per module."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The class-imbalance toolkit for PyTorch, on the command line.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (_compare, _inspect, _resample, _datasets):
        module.add_parser(commands)
    return parser


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the ``torchbalance`` command line.

    Args:
        argv: The arguments after the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 2 for bad arguments or bad input (with a one-line
        ``torchbalance <command>: error: ...`` on stderr, never a traceback).

    Example:
        >>> main(["--version"])
        torchbalance 0.1.0
        0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version and usage errors
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    try:
        return int(args.handler(args, sys.stdout))
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, as Python's documentation advises
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except USER_ERRORS as error:
        print(f"{PROG} {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return 2
