"""Which imbalance technique works on this data? The strategy registry and :func:`compare`.

- :class:`Strategy`, :func:`register_strategy`, :func:`list_strategies`: named recipes (loss,
  sampler, resampler, ensemble, post-processing) applied to one shared model and budget.
- :func:`compare`: runs them on identical folds and seeds; :class:`ComparisonResult` holds the
  leaderboard, paired tests against the baseline, per-class recall and a recommendation.
- :func:`render_report`: the result as a terminal table, Markdown or JSON;
  :func:`write_report` writes a self-contained HTML report with them.
"""

from ._report import render_report, write_report
from ._results import SCHEMA_VERSION, ComparisonResult, StrategyResult
from ._runner import DEFAULT_METRICS, compare
from ._setting import MODELS, Setting, cosine_head, small_cnn
from ._strategies import (
    PENDING,
    Strategy,
    get_strategy,
    list_strategies,
    register_strategy,
    resolve_strategies,
    unregister_strategy,
)

__all__ = [
    "DEFAULT_METRICS",
    "MODELS",
    "PENDING",
    "SCHEMA_VERSION",
    "ComparisonResult",
    "Setting",
    "Strategy",
    "StrategyResult",
    "compare",
    "cosine_head",
    "get_strategy",
    "list_strategies",
    "register_strategy",
    "render_report",
    "resolve_strategies",
    "small_cnn",
    "unregister_strategy",
    "write_report",
]
