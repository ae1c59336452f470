"""Plain-text layout shared by the command line and the experiment reports."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["counted", "print_epoch", "render_table"]


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``"1 strategy"``, ``"3 strategies"``: a count with its noun in the right number.

    Example:
        >>> counted(1, "epoch"), counted(2, "epoch"), counted(2, "strategy", "strategies")
        ('1 epoch', '2 epochs', '2 strategies')
    """
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def print_epoch(owner: str, epoch: int, epochs: int, loss: float, *, what: str = "loss") -> None:
    """One training-progress line on stderr, rewritten in place; a newline after the last epoch.

    ``epoch`` counts from 0. Example output: ``TorchClassifier: epoch 3/30 loss 0.4120``.
    """
    print(
        f"\r{owner}: epoch {epoch + 1}/{epochs} {what} {loss:.4f}",
        end="\n" if epoch + 1 == epochs else "",
        file=sys.stderr,
        flush=True,
    )


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[bool]
) -> str:
    """An aligned text table: numeric columns right-aligned, others left-aligned.

    Example:
        >>> print(render_table(["class", "count"], [["a", "10"], ["bee", "2"]],
        ...                    numeric=[False, True]))
        class  count
        a         10
        bee        2
    """
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])
