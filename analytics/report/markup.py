"""HTML pieces of the report: values, tables and the page, every value escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from typing import Any

PERCENT_SUFFIXES = ("_rate", "_share")
MISSING = "—"

STYLE = """
body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 2rem;
       color: #222; max-width: 1100px; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
h2 code { font-size: 0.85rem; color: #666; font-weight: normal; }
.meta, .note { color: #666; font-size: 0.9rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure.chart { margin: 0; } figcaption { font-size: 0.9rem; color: #444; }
svg text { font-size: 11px; fill: #222; } svg text.missing { fill: #999; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.8rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
"""


def format_value(column: str, value: Any) -> str:
    """How a view's value reads in the report (not yet escaped)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if column.endswith(PERCENT_SUFFIXES):
            return f"{value:.1%}"
        return f"{value:,.1f}" if column.endswith("_ms") else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="note">行なし / no rows</p>'
    columns = list(rows[0])
    head = "".join(f"<th>{escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>" + "".join(_cell(column, row[column]) for column in columns) + "</tr>" for row in rows
    )
    grid = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{grid}</div>'


def heading(title_ja: str, title_en: str, name: str = "") -> str:
    code = f" <code>{escape(name)}</code>" if name else ""
    return f"<h2>{escape(title_ja)} / {escape(title_en)}{code}</h2>"


def page(title: str, meta: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>{body}</body></html>\n'
    )


def _cell(column: str, value: Any) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    css = ' class="number"' if number else ""
    return f"<td{css}>{escape(format_value(column, value))}</td>"
