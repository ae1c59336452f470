"""The ``torchbalance`` command line: a thin shell over :mod:`torchbalance.experiment` and
:mod:`torchbalance.datasets`.

Commands (``torchbalance --help``, also ``python -m torchbalance``):

- ``torchbalance compare [PATH --target COL]``: every imbalance strategy on the same folds,
  ranked, with intervals, paired tests, per-class recall and a recommendation; ``--out DIR``
  writes report.html, report.md and results.json.
- ``torchbalance resample PATH --target COL --method NAME -o OUT``: resample a table file.

- ``torchbalance inspect [PATH --target COL]``: class counts, shares, imbalance ratio and the
  classes too small for common methods, of a CSV/Parquet file or of a built-in data set (the
  long-tailed digits by default); ``--format json`` for machines.
- ``torchbalance datasets``: the built-in data sets.

Bad input exits with status 2 and a one-line ``torchbalance <command>: error: ...`` on stderr.
"""

from ._main import main

__all__ = ["main"]
