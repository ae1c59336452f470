"""Plain-text and JSON rendering of command results (no logic, only layout)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..utils import render_table

__all__ = ["render_json", "render_table", "render_text_report"]


def render_json(report: Mapping[str, Any]) -> str:
    """``report`` as indented JSON (non-ASCII labels kept as they are)."""
    return json.dumps(report, indent=2, ensure_ascii=False)


def _source_lines(source: Mapping[str, Any]) -> list[tuple[str, str]]:
    if source["kind"] == "file":
        categorical = source["categorical_columns"]
        features = f"{source['n_features']}"
        if categorical:
            features += (
                f" ({len(categorical)} categorical: {', '.join(categorical)}; encode them, e.g. "
                "load_table(..., encode='onehot'), before numeric methods)"
            )
        else:
            features += " (all numeric)"
        return [
            ("source", f"{source['path']} (label column {source['target']!r})"),
            ("features", features),
        ]
    params = ", ".join(f"{k}={v}" for k, v in source["params"].items())
    split = {"train": "training"}.get(source["split"], source["split"])
    return [
        ("source", f"built-in data set {source['name']!r}, {split} split ({params})"),
        ("features", f"{source['n_features']}"),
    ]


def render_text_report(report: Mapping[str, Any]) -> str:
    """The ``inspect`` report as aligned plain text."""
    header = [
        *_source_lines(report["source"]),
        ("samples", f"{report['n_samples']}"),
        ("classes", f"{report['n_classes']}"),
        ("imbalance ratio", f"{report['imbalance_ratio']:.2f} (largest class / smallest class)"),
    ]
    width = max(len(key) for key, _ in header)
    lines = [f"{key.ljust(width)}  {value}" for key, value in header]
    rows = [
        [str(entry["label"]), str(entry["count"]), f"{100 * entry['share']:.2f}%"]
        for entry in report["classes"]
    ]
    lines += ["", render_table(["class", "count", "share"], rows, numeric=[False, True, True])]
    if report["warnings"]:
        lines += ["", *(f"warning: {w}" for w in report["warnings"])]
    return "\n".join(lines)
