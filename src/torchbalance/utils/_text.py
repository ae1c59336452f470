"""Plain-text layout shared by the command line and the experiment reports."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["render_table"]


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
