"""Progress of ``compare`` on stderr: a line per strategy, and a live bar on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]

_WIDTH = 24


class Progress:
    """Reports ``compare``'s progress.

    Every finished strategy gets a line (logs and pipes see only those); when the stream is a
    terminal, a bar below them is redrawn after every fitted fold with the fits done, the
    strategy running, the elapsed time and an estimate of the time left.

    Args:
        n_strategies: Strategies to run.
        n_folds: Fits per strategy (folds x repeats, or repeats of a fixed split).
        enabled: ``False`` prints nothing.
        stream: Where to write (default ``sys.stderr``).

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> progress = Progress(2, 3, stream=out)
        >>> progress.start(1, "baseline")
        >>> progress.fold(1, 3)
        >>> progress.finish("baseline  balanced_accuracy=0.8000  (0.1 s)")
        >>> out.getvalue()
        'compare: [1/2] baseline  balanced_accuracy=0.8000  (0.1 s)\\n'
    """

    def __init__(
        self, n_strategies: int, n_folds: int, *, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.live = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.n_strategies, self.n_folds = n_strategies, n_folds
        self.total = max(1, n_strategies * n_folds)
        self.done = 0
        self.position, self.name = 0, ""
        self.started = time.perf_counter()

    def start(self, position: int, name: str) -> None:
        """Strategy number ``position`` (from 1), called ``name``, begins."""
        self.position, self.name = position, name
        self._draw()

    def fold(self, done: int, total: int) -> None:
        """``done`` of the strategy's ``total`` fits are finished."""
        del total
        self.done = (self.position - 1) * self.n_folds + done
        self._draw()

    def finish(self, text: str) -> None:
        """The strategy is over (finished or failed): print its line."""
        self.done = self.position * self.n_folds
        if not self.enabled:
            return
        clear = "\r\033[K" if self.live else ""
        print(f"{clear}compare: [{self.position}/{self.n_strategies}] {text}", file=self.stream)
        self.stream.flush()

    def close(self) -> None:
        """Remove the bar."""
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.live:
            return
        elapsed = time.perf_counter() - self.started
        filled = round(_WIDTH * self.done / self.total)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        left = ""
        if self.done:
            left = f", about {elapsed / self.done * (self.total - self.done):.0f} s left"
        self.stream.write(
            f"\r\033[Kcompare [{bar}] {self.done}/{self.total} fits; "
            f"{self.position}/{self.n_strategies} {self.name}; {elapsed:.0f} s{left}"
        )
        self.stream.flush()
