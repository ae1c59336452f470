"""The ``torchbalance`` command line: a thin shell over :mod:`torchbalance.datasets`.

Commands (``torchbalance --help``):

- ``torchbalance inspect [PATH --target COL]``: class counts, shares, imbalance ratio and the
  classes too small for common methods, of a CSV/Parquet file or of a built-in data set (the
  long-tailed digits by default); ``--format json`` for machines.
- ``torchbalance datasets``: the built-in data sets.

Bad input exits with status 2 and a one-line ``torchbalance <command>: error: ...`` on stderr.
"""

from ._main import main

__all__ = ["main"]
