"""``python -m torchbalance``: the same as the ``torchbalance`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
