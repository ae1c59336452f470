"""The outcome of a comparison: leaderboard, paired tests, per-class recall, recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..metrics import PairedComparison
from ..model_selection import CVResult
from ..model_selection._scoring import LOWER_IS_BETTER
from ._setting import Setting
from ._strategies import Strategy

__all__ = ["SCHEMA_VERSION", "ComparisonResult", "StrategyResult"]

SCHEMA_VERSION = 1
SIGNIFICANCE = 0.05

_CAVEATS = {
    "resampler": (
        "resampling changes the class priors the model sees, so its probabilities are "
        "distorted; use model_selection.correct_priors (or PriorCorrectedClassifier with the "
        "true shares) if you need calibrated scores"
    ),
    "sampler": (
        "re-sampling in the loader shifts the priors the model learns, so its probabilities "
        "favour rare classes; correct them with model_selection.correct_priors if you need "
        "calibrated scores"
    ),
    "loss": (
        "re-weighted and logit-adjusted losses trade probability calibration for balanced "
        "decisions; check the ECE column if you use the scores as probabilities"
    ),
    "post-hoc": (
        "the decision rule was moved after training; its probabilities are those of the "
        "moved rule, tuned on this data's folds (re-check on fresh data)"
    ),
    "ensemble": "an ensemble costs several fits; weigh the fit time column",
    "anomaly": (
        "a detector's probabilities are a monotone rescaling of its anomaly score, not "
        "calibrated; use its ranking (PR-AUC) and the tuned threshold"
    ),
    "reference": (
        "a non-neural reference model wins: on this tabular data a tree ensemble may be the "
        "better tool than a network"
    ),
    "baseline": "",
}


@dataclass
class StrategyResult:
    """One strategy's cross-validated result and its paired test against the baseline."""

    strategy: Strategy
    cv: CVResult
    paired: PairedComparison | None = None
    warnings: list[str] = field(default_factory=list)
    """The package's warnings raised while the strategy ran (e.g. a cleaning rule that removed
    every training sample of a class), each once."""


@dataclass
class ComparisonResult:
    """Everything :func:`compare` measured.

    Attributes:
        results: One :class:`StrategyResult` per strategy, in run order.
        primary: The ranking metric.
        metrics: The metrics reported (per-class recall comes in addition).
        class_labels: The class labels, sorted.
        skipped: Strategies left out, with the reason.
        setting: The shared model and budget.
        protocol: How the data was split.
        dataset: Name of the data set.
        elapsed: Wall time of the comparison (s).
    """

    results: list[StrategyResult]
    primary: str
    metrics: list[str]
    class_labels: list[Any]
    skipped: dict[str, str]
    setting: Setting
    protocol: str
    dataset: str
    elapsed: float
    notes: list[str] = field(default_factory=list)

    def leaderboard(self) -> list[dict[str, Any]]:
        """One row per strategy, best ``primary`` first: mean, interval, every metric's mean,
        mean fit time, and the paired test against the baseline."""
        rows = []
        for result in self.results:
            summary = result.cv.summary
            primary = summary[self.primary]
            row: dict[str, Any] = {
                "strategy": result.strategy.name,
                "kind": result.strategy.kind,
                "mean": primary.mean,
                "low": primary.low,
                "high": primary.high,
            }
            for name in self.metrics:
                row[name] = summary[name].mean
            row["fit_time"] = sum(r["fit_time"] for r in result.cv.folds) / len(result.cv.folds)
            if result.paired is not None:
                row["vs_baseline"] = result.paired.mean_difference
                row["p_value"] = result.paired.p_value
            else:
                row["vs_baseline"] = None
                row["p_value"] = None
            rows.append(row)
        reverse = self.primary not in LOWER_IS_BETTER
        return sorted(rows, key=lambda r: r["mean"], reverse=reverse)

    def per_class_recall(self) -> dict[str, list[float]]:
        """``{strategy: [mean recall of each class]}`` in the order of ``class_labels``."""
        return {
            result.strategy.name: [
                result.cv.summary[f"recall[{label}]"].mean for label in self.class_labels
            ]
            for result in self.results
        }

    def recommendation(self) -> str:
        """One line: what to use, by how much it beats the baseline, and its caveat."""
        board = self.leaderboard()
        if not board:
            return "No strategy ran."
        best = board[0]
        by_name = {r.strategy.name: r for r in self.results}
        if best["strategy"] == "baseline" or best["p_value"] is None:
            return (
                f"Keep {best['strategy']}: no strategy scored a "
                f"{'lower' if self.primary in LOWER_IS_BETTER else 'higher'} mean {self.primary}."
                if best["strategy"] == "baseline"
                else f"Use {best['strategy']} ({self.primary} {best['mean']:.3f}); no baseline "
                "was run to compare it with."
            )
        gain = best["vs_baseline"]
        paired = by_name[best["strategy"]].paired
        runs = paired.n if paired is not None else 0
        if best["p_value"] > SIGNIFICANCE and 0.5**runs > SIGNIFICANCE:
            return (
                f"Too few runs to tell: with {runs} paired runs the sign-flip test's smallest "
                f"p-value is {0.5**runs:.3f}, above {SIGNIFICANCE}. The best, "
                f"{best['strategy']}, is {gain:+.3f} {self.primary} over the baseline "
                f"(p={best['p_value']:.2f}); use at least 5 folds x repeats to test it."
            )
        if best["p_value"] > SIGNIFICANCE:
            return (
                "No strategy beats the baseline beyond fold-to-fold noise: the best, "
                f"{best['strategy']}, is {gain:+.3f} {self.primary} "
                f"(paired p={best['p_value']:.2f}); prefer the simplest option or collect more "
                "data."
            )
        caveat = _CAVEATS.get(by_name[best["strategy"]].strategy.kind, "")
        line = (
            f"Use {best['strategy']}: {self.primary} {best['mean']:.3f} "
            f"[{best['low']:.3f}, {best['high']:.3f}], {gain:+.3f} over the baseline "
            f"(paired p={best['p_value']:.3f})."
        )
        return line + (f" Caveat: {caveat}." if caveat else "")

    def warnings(self) -> dict[str, list[str]]:
        """The package's warnings of each strategy that raised any, by strategy name."""
        return {r.strategy.name: list(r.warnings) for r in self.results if r.warnings}

    def to_dict(self) -> dict[str, Any]:
        """Every number of the report, JSON-ready (the ``results.json`` schema, version 1):

        ``schema_version``, ``dataset``, ``protocol``, ``primary``, ``metrics``,
        ``class_labels``, ``setting`` (model, epochs, batch_size, lr, device, class_counts),
        ``elapsed_seconds``, ``recommendation``, ``skipped`` ({name: reason}),
        ``leaderboard`` (rows of :meth:`leaderboard`), ``strategies`` (per strategy: ``name``,
        ``kind``, ``summary`` (one line on the recipe), ``folds`` (every per-fold row),
        ``summary_metrics`` ({metric: {mean, low, high}}), ``paired`` ({mean_difference,
        p_value, n} or null) and ``warnings`` (the package's warnings while it ran)).
        """
        model = self.setting.model if isinstance(self.setting.model, str) else "custom"
        return {
            "schema_version": SCHEMA_VERSION,
            "dataset": self.dataset,
            "protocol": self.protocol,
            "primary": self.primary,
            "metrics": list(self.metrics),
            "class_labels": [_plain(label) for label in self.class_labels],
            "setting": {
                "model": model,
                "epochs": self.setting.epochs,
                "batch_size": self.setting.batch_size,
                "lr": self.setting.lr,
                "device": str(self.setting.device),
                "class_counts": list(self.setting.class_counts),
            },
            "elapsed_seconds": self.elapsed,
            "recommendation": self.recommendation(),
            "skipped": dict(self.skipped),
            "leaderboard": self.leaderboard(),
            "strategies": [
                {
                    "name": r.strategy.name,
                    "kind": r.strategy.kind,
                    "summary": r.strategy.summary,
                    "folds": [{k: _plain(v) for k, v in row.items()} for row in r.cv.folds],
                    "summary_metrics": {
                        name: {"mean": i.mean, "low": i.low, "high": i.high}
                        for name, i in r.cv.summary.items()
                    },
                    "paired": None
                    if r.paired is None
                    else {
                        "mean_difference": r.paired.mean_difference,
                        "p_value": r.paired.p_value,
                        "n": r.paired.n,
                    },
                    "warnings": list(r.warnings),
                }
                for r in self.results
            ],
        }


def _plain(value: Any) -> Any:
    """NumPy scalars to Python ones, for JSON."""
    return value.item() if hasattr(value, "item") else value
