"""A comparison as a terminal table, Markdown, JSON, or a self-contained HTML report."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..exceptions import InvalidParameterError
from ..utils import counted, render_table
from ._results import ComparisonResult, p_text

__all__ = ["render_report", "write_report"]

_SHORT = {
    "balanced_accuracy": "bal_acc",
    "f1_macro": "macro_f1",
    "g_mean": "g_mean",
    "worst_class_recall": "worst_recall",
    "mcc": "mcc",
    "average_precision": "pr_auc",
    "roc_auc": "roc_auc",
    "ece": "ece",
    "accuracy": "accuracy",
}


def _number(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _rows(result: ComparisonResult) -> tuple[list[str], list[list[str]]]:
    others = [m for m in result.metrics if m != result.primary]
    headers = [
        "#",
        "strategy",
        f"{_SHORT.get(result.primary, result.primary)} [95% CI]",
        *(_SHORT.get(m, m) for m in others),
        "fit s",
        "vs base",
        "p (Holm)",
    ]
    rows = []
    for rank, row in enumerate(result.leaderboard(), start=1):
        rows.append(
            [
                str(rank),
                row["strategy"],
                f"{row['mean']:.3f} [{row['low']:.3f}, {row['high']:.3f}]",
                *(_number(row[m]) for m in others),
                f"{row['fit_time']:.2f}",
                "–" if row["vs_baseline"] is None else f"{row['vs_baseline']:+.3f}",
                "–" if row["p_holm"] is None else p_text(row["p_holm"]),
            ]
        )
    return headers, rows


def _recall_rows(result: ComparisonResult) -> tuple[list[str], list[list[str]]]:
    headers = ["recall", *(str(label) for label in result.class_labels)]
    recalls = result.per_class_recall()
    order = [row["strategy"] for row in result.leaderboard()]
    return headers, [[name, *(f"{v:.2f}" for v in recalls[name])] for name in order]


def _header_lines(result: ComparisonResult) -> list[str]:
    setting = result.setting
    model = setting.model if isinstance(setting.model, str) else "custom"
    counts = ", ".join(str(c) for c in setting.class_counts)
    # the counts of the training part of a fixed split, else of all the data the folds share
    which = "training class counts" if result.protocol.startswith("fixed split") else "class counts"
    return [
        f"data: {result.dataset}, {result.protocol}; {which} [{counts}]",
        f"model: {model}, {counted(setting.epochs, 'epoch')}, batch {setting.batch_size}, "
        f"lr {setting.lr}, device {setting.device}; "
        f"{counted(len(result.results), 'strategy', 'strategies')} in {result.elapsed:.0f} s",
    ]


def _warning_lines(result: ComparisonResult) -> dict[str, str]:
    """Each warned strategy's warnings as one line (messages joined, whitespace collapsed)."""
    lines = {}
    for name, messages in result.warnings().items():
        line = ""
        for message in (" ".join(m.split()) for m in messages):
            line += message if not line else (" " if line.endswith(".") else "; ") + message
        lines[name] = line
    return lines


def _left_out(result: ComparisonResult) -> list[tuple[list[str], str]]:
    """The strategies left out, grouped by their reason (in the order first met)."""
    groups: dict[str, list[str]] = {}
    for name, reason in result.skipped.items():
        groups.setdefault(reason, []).append(name)
    return [(names, reason) for reason, names in groups.items()]


def _text(result: ComparisonResult) -> str:
    headers, rows = _rows(result)
    numeric = [True, False] + [True] * (len(headers) - 2)
    parts = [*_header_lines(result), "", render_table(headers, rows, numeric=numeric), ""]
    recall_headers, recall_rows = _recall_rows(result)
    parts.append(
        render_table(
            recall_headers, recall_rows, numeric=[False] + [True] * (len(recall_headers) - 1)
        )
    )
    parts += ["", f"recommendation: {result.recommendation()}"]
    if result.skipped:
        parts.append(
            "left out: "
            + "; ".join(f"{', '.join(names)} ({reason})" for names, reason in _left_out(result))
        )
    parts += [f"warning, {name}: {line}" for name, line in _warning_lines(result).items()]
    parts.append(_method_line(result))
    return "\n".join(parts)


def _method_line(result: ComparisonResult) -> str:
    """How the intervals and p-values were computed."""
    fixed = result.protocol.startswith("fixed split")
    test = "t test over the seeds" if fixed else "Nadeau-Bengio corrected t test"
    why = "one fixed split" if fixed else "the folds share training data"
    tested = len(result.adjusted_p_values())
    intervals = f"Intervals: {test.replace(' test', '')} ({why}), within the metric's range."
    if tested == 0:
        return intervals
    return (
        "'vs base': mean paired difference from the baseline over the same folds; 'p (Holm)': "
        f"its one-sided paired {test} (is it better?), Holm-adjusted for the "
        f"{counted(tested, 'strategy', 'strategies')} compared. {intervals}"
    )


def _markdown_text(text: str) -> str:
    """``<``, ``>`` and ``&`` as entities, so a label such as ``<outer>`` is not read as HTML."""
    return html.escape(text, quote=False)


def _markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    def cells(values: list[str]) -> str:  # a "|" in a label would start a new cell
        return "| " + " | ".join(_markdown_text(v).replace("|", "\\|") for v in values) + " |"

    lines = [cells(headers), "|" + "---|" * len(headers)]
    lines += [cells(row) for row in rows]
    return "\n".join(lines)


def _markdown(result: ComparisonResult) -> str:
    headers, rows = _rows(result)
    recall_headers, recall_rows = _recall_rows(result)
    parts = [
        "# torchbalance compare",
        "",
        *(f"- {_markdown_text(line)}" for line in _header_lines(result)),
        "",
        f"**Recommendation.** {_markdown_text(result.recommendation())}",
        "",
        "## Leaderboard",
        "",
        _markdown_table(headers, rows),
        "",
        _method_line(result),
        "",
        "## Recall of each class",
        "",
        _markdown_table(recall_headers, recall_rows),
    ]
    if result.skipped:
        parts += ["", "## Left out", ""]
        parts += [
            f"- {', '.join(f'`{name}`' for name in names)}: {_markdown_text(reason)}"
            for names, reason in _left_out(result)
        ]
    warned = _warning_lines(result)
    if warned:
        parts += ["", "## Warnings", ""]
        parts += [f"- `{name}`: {_markdown_text(line)}" for name, line in warned.items()]
    return "\n".join(parts) + "\n"


def render_report(result: ComparisonResult, format: str = "table") -> str:
    """``result`` as ``"table"`` (terminal text), ``"markdown"`` or ``"json"``."""
    if format == "table":
        return _text(result)
    if format == "markdown":
        return _markdown(result)
    if format == "json":
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
    raise InvalidParameterError(
        f"render_report: format={format!r} is invalid; it must be 'table', 'markdown' or 'json'."
    )


# -- HTML -----------------------------------------------------------------------------------------


def _png(figure: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pooled(result: ComparisonResult, name: str) -> tuple[np.ndarray, np.ndarray, Any]:
    """Out-of-fold labels, predictions and probabilities of strategy ``name``, as class codes."""
    run = next(r for r in result.results if r.strategy.name == name)
    labels = np.asarray(result.class_labels)

    def codes(values: Any) -> np.ndarray:
        array = values.cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
        return np.searchsorted(labels, array)

    truth = np.concatenate([codes(p["y_true"]) for p in run.cv.predictions])
    predicted = np.concatenate([codes(p["y_pred"]) for p in run.cv.predictions])
    probas = [p["y_proba"] for p in run.cv.predictions]
    proba = None
    if all(p is not None for p in probas):
        proba = np.concatenate(
            [np.asarray(p.cpu() if isinstance(p, torch.Tensor) else p) for p in probas]
        )
    return truth, predicted, proba


def _figures(result: ComparisonResult) -> list[tuple[str, str]]:
    """``(caption, data URI)`` of every plot; empty without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    from ..metrics import plot_confusion_matrix, plot_precision_recall_curves

    figures: list[tuple[str, str]] = []
    board = result.leaderboard()
    if not board:
        return figures
    names = [row["strategy"] for row in board][::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(names) + 1.2))
    means = np.array([row["mean"] for row in board][::-1])
    lows = means - np.array([row["low"] for row in board][::-1])
    highs = np.array([row["high"] for row in board][::-1]) - means
    ax.errorbar(means, range(len(names)), xerr=[lows, highs], fmt="o", capsize=3)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel(f"{result.primary} (mean, 95% interval)")
    figures.append(("Leaderboard", _png(fig)))

    recalls = result.per_class_recall()
    matrix = np.array([recalls[name] for name in names[::-1]])
    fig, ax = plt.subplots(figsize=(0.5 * len(result.class_labels) + 3, 0.35 * len(names) + 1.2))
    image = ax.imshow(matrix, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    ax.set_yticks(range(len(names)), names[::-1])
    ax.set_xticks(range(len(result.class_labels)), [str(c) for c in result.class_labels])
    ax.set_xlabel("class")
    fig.colorbar(image, ax=ax, label="recall")
    figures.append(("Recall of each class, per strategy", _png(fig)))

    class_names = [str(c) for c in result.class_labels]
    shown = [board[0]["strategy"]]
    if "baseline" in recalls and "baseline" not in shown:
        shown.append("baseline")
    for name in shown:
        truth, predicted, proba = _pooled(result, name)
        fig = plot_confusion_matrix(
            torch.as_tensor(truth),
            torch.as_tensor(predicted),
            num_classes=len(class_names),
            class_names=class_names,
        )
        figures.append((f"Confusion matrix (normalised per true class): {name}", _png(fig)))
        if len(class_names) == 2 and proba is not None:
            # the minority's curve, as the pr_auc column, whatever the labels' order
            counts = result.setting.class_counts
            minority = 0 if counts[0] < counts[1] else 1
            fig = plot_precision_recall_curves(
                torch.as_tensor((truth == minority).astype(np.int64)),
                torch.as_tensor(proba[:, minority]),
                class_names=[class_names[1 - minority], class_names[minority]],
            )
            figures.append((f"Precision-recall curve: {name}", _png(fig)))
    return figures


def _html(result: ComparisonResult) -> str:
    headers, rows = _rows(result)
    recall_headers, recall_rows = _recall_rows(result)

    def table(head: list[str], body: list[list[str]]) -> str:
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        lines = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body
        )
        return f"<table><thead><tr>{cells}</tr></thead><tbody>{lines}</tbody></table>"

    figures = _figures(result)
    plots = (
        "".join(
            f'<figure><img alt="{html.escape(caption)}" src="{uri}"><figcaption>'
            f"{html.escape(caption)}</figcaption></figure>"
            for caption, uri in figures
        )
        or "<p>Plots need matplotlib (pip install 'torchbalance[plot]').</p>"
    )
    skipped = "".join(
        f"<li>{', '.join(f'<code>{html.escape(n)}</code>' for n in names)}: "
        f"{html.escape(reason)}</li>"
        for names, reason in _left_out(result)
    )
    warned = "".join(
        f"<li><code>{html.escape(name)}</code>: {html.escape(line)}</li>"
        for name, line in _warning_lines(result).items()
    )
    header = "".join(f"<li>{html.escape(line)}</li>" for line in _header_lines(result))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>torchbalance compare</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }}
td:nth-child(2), th:nth-child(2) {{ text-align: left; }}
figure {{ display: inline-block; margin: 1rem; vertical-align: top; }}
</style></head><body>
<h1>torchbalance compare</h1>
<ul>{header}</ul>
<p><strong>Recommendation.</strong> {html.escape(result.recommendation())}</p>
<h2>Leaderboard</h2>{table(headers, rows)}
<p>{html.escape(_method_line(result))}</p>
<h2>Recall of each class</h2>{table(recall_headers, recall_rows)}
<h2>Plots</h2>{plots}
{"<h2>Left out</h2><ul>" + skipped + "</ul>" if skipped else ""}
{"<h2>Warnings</h2><ul>" + warned + "</ul>" if warned else ""}
</body></html>
"""


def write_report(result: ComparisonResult, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Write ``report.html`` (self-contained: plots inline), ``report.md`` and
    ``results.json`` into ``out_dir`` (created if needed); returns their paths.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "html": folder / "report.html",
        "markdown": folder / "report.md",
        "json": folder / "results.json",
    }
    paths["html"].write_text(_html(result), encoding="utf-8")
    paths["markdown"].write_text(_markdown(result), encoding="utf-8")
    paths["json"].write_text(render_report(result, "json") + "\n", encoding="utf-8")
    return paths
