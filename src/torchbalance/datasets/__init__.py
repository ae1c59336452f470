"""Data sets for imbalanced learning: long-tail profiles, ``make_imbalance``, fast synthetic
data, built-in real data, and table files.

- :func:`long_tail_counts`: per-class counts of the CIFAR-LT protocol (exponential, step).
- :func:`make_imbalance`: under-sample a data set to given counts or a long-tail profile.
- :func:`make_classification`: Gaussian-cluster data with exact (skewed) class counts, fast.
- :func:`load_digits`, :func:`load_digits_lt`: handwritten digits shipped with the package,
  whole or as a long-tailed benchmark with a balanced test split; :func:`load_synthetic_lt`.
- :func:`list_datasets`, :func:`load_dataset`: the built-in data sets by name.
- :func:`load_table`: features and labels from CSV or Parquet (the ``cli`` extra).
- :func:`describe_labels`: class counts, shares, imbalance ratio, classes too small.
"""

from ._digits import load_digits, load_digits_lt
from ._imbalance import make_imbalance
from ._long_tail import PROFILES, long_tail_counts
from ._registry import list_datasets, load_dataset
from ._result import TrainTestData
from ._summary import LabelSummary, describe_labels
from ._synthetic import load_synthetic_lt, make_classification
from ._table import Table, load_table

__all__ = [
    "PROFILES",
    "LabelSummary",
    "Table",
    "TrainTestData",
    "describe_labels",
    "list_datasets",
    "load_dataset",
    "load_digits",
    "load_digits_lt",
    "load_synthetic_lt",
    "load_table",
    "long_tail_counts",
    "make_classification",
    "make_imbalance",
]
