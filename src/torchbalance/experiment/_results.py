"""The outcome of a comparison: leaderboard, paired tests, per-class recall, recommendation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..metrics import PairedComparison
from ..model_selection import CVResult
from ..model_selection._scoring import LOWER_IS_BETTER
from ..utils import counted
from ._setting import Setting
from ._strategies import Strategy

__all__ = ["SCHEMA_VERSION", "ComparisonResult", "StrategyResult"]

SCHEMA_VERSION = 2
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
        mean fit time, and the paired test against the baseline (``p_value``, and ``p_holm``
        from :meth:`adjusted_p_values`)."""
        adjusted = self.adjusted_p_values()
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
                row["p_holm"] = adjusted[result.strategy.name]
            else:
                row["vs_baseline"] = None
                row["p_value"] = None
                row["p_holm"] = None
            rows.append(row)
        reverse = self.primary not in LOWER_IS_BETTER
        return sorted(rows, key=lambda r: r["mean"], reverse=reverse)

    def adjusted_p_values(self) -> dict[str, float]:
        """Holm's adjustment of the paired p-values over every strategy tested against the
        baseline, ``{strategy: adjusted p}``: calling each strategy whose adjusted p is at most
        0.05 better keeps the chance of calling *any* strategy without a real gain better
        at most 5%, however many strategies ran (picking the best of 26 by its raw p does not).
        """
        tested = sorted(
            (r.paired.p_value, r.strategy.name) for r in self.results if r.paired is not None
        )
        adjusted: dict[str, float] = {}
        running = 0.0
        for position, (p_value, name) in enumerate(tested):
            running = max(running, min(1.0, (len(tested) - position) * p_value))
            adjusted[name] = running
        return adjusted

    def per_class_recall(self) -> dict[str, list[float]]:
        """``{strategy: [mean recall of each class]}`` in the order of ``class_labels``."""
        return {
            result.strategy.name: [
                result.cv.summary[f"recall[{label}]"].mean for label in self.class_labels
            ]
            for result in self.results
        }

    def recommendation(self) -> str:
        """One line: what to use, by how much it beats the baseline, and its caveat.

        The strategy recommended is the best-ranked one whose gain over the baseline survives
        Holm's adjustment (:meth:`adjusted_p_values`), not merely the top of the leaderboard.
        """
        board = self.leaderboard()
        if not board:
            return "No strategy ran."
        best = board[0]
        higher = "lower" if self.primary in LOWER_IS_BETTER else "higher"
        if all(row["p_value"] is None for row in board):  # only the baseline, or none
            if len(board) == 1:
                return f"Only {best['strategy']} ran: nothing to compare it with."
            if best["strategy"] == "baseline":
                return f"Keep baseline: no strategy scored a {higher} mean {self.primary}."
            return (
                f"{best['strategy']} has the top mean {self.primary} ({best['mean']:.3f}), but no "
                "baseline was run, so no strategy's gain was tested; add baseline to the "
                "strategies."
            )
        tested = sum(row["p_holm"] is not None for row in board)
        winners = [r for r in board if r["p_holm"] is not None and r["p_holm"] <= SIGNIFICANCE]
        if winners:
            pick = winners[0]
            by_name = {r.strategy.name: r for r in self.results}
            caveat = _CAVEATS.get(by_name[pick["strategy"]].strategy.kind, "")
            line = (
                f"Use {pick['strategy']}: {self.primary} {pick['mean']:.3f} "
                f"[{pick['low']:.3f}, {pick['high']:.3f}], {pick['vs_baseline']:+.3f} over the "
                f"baseline (paired t {p_text(pick['p_value'], 'p')}; "
                f"{p_text(pick['p_holm'], 'p')} after Holm's adjustment for "
                f"{counted(tested, 'strategy', 'strategies')})."
            )
            if pick is not best and best["strategy"] != "baseline":
                line += (
                    f" {best['strategy']} ranks higher ({best['vs_baseline']:+.3f}), but its "
                    f"gain is within noise (adjusted {p_text(best['p_holm'], 'p')})."
                )
            return line + (f" Caveat: {caveat}." if caveat else "")
        if best["strategy"] == "baseline":
            return f"Keep baseline: no strategy scored a {higher} mean {self.primary}."
        return (
            "No strategy beats the baseline beyond fold-to-fold noise once the "
            f"{counted(tested, 'comparison')} {'is' if tested == 1 else 'are'} accounted for: "
            f"the best, {best['strategy']}, is "
            f"{best['vs_baseline']:+.3f} {self.primary} "
            f"(paired t {p_text(best['p_value'], 'p')}, {p_text(best['p_holm'], 'p')} after "
            "Holm's adjustment); prefer the simplest option or collect more data (more folds or "
            "repeats)."
        )

    def warnings(self) -> dict[str, list[str]]:
        """The package's warnings of each strategy that raised any, by strategy name."""
        return {r.strategy.name: list(r.warnings) for r in self.results if r.warnings}

    def to_dict(self) -> dict[str, Any]:
        """Every number of the report, JSON-ready (the ``results.json`` schema, version 2; 2
        added ``p_holm`` and made ``p_value`` the paired t test's instead of a sign-flip's):

        ``schema_version``, ``dataset``, ``protocol``, ``primary``, ``metrics``,
        ``class_labels``, ``setting`` (model, epochs, batch_size, lr, device, class_counts),
        ``elapsed_seconds``, ``recommendation``, ``skipped`` ({name: reason}),
        ``leaderboard`` (rows of :meth:`leaderboard`), ``strategies`` (per strategy: ``name``,
        ``kind``, ``summary`` (one line on the recipe), ``folds`` (every per-fold row),
        ``summary_metrics`` ({metric: {mean, low, high}}), ``paired`` ({mean_difference,
        p_value, p_holm, n} or null) and ``warnings`` (the package's warnings while it ran)).
        """
        model = self.setting.model if isinstance(self.setting.model, str) else "custom"
        adjusted = self.adjusted_p_values()
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
                        "p_holm": adjusted[r.strategy.name],
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


def p_text(value: float, name: str = "") -> str:
    """A p-value as text, three decimals or "<0.001"; with ``name``, "p=0.015" or "p<0.001"."""
    if value < 0.001:
        return f"{name}<0.001"
    return f"{name}={value:.3f}" if name else f"{value:.3f}"
