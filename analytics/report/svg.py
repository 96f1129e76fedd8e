"""Horizontal bar charts as inline SVG: no script, no external file, every label escaped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b07aa1")
WIDTH = 640
LABEL_WIDTH = 190
BAR_AREA = 340
BAR_HEIGHT = 14
BAR_GAP = 2
GROUP_GAP = 12
TOP = 8
LEGEND_HEIGHT = 22


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]
    """One value per label; None draws no bar."""


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    value_text: Callable[[float], str],
    *,
    full_scale: float | None = None,
) -> str:
    """A ``<figure>``: one group of bars per label, one bar per series, values at the bar ends.

    Bars are scaled to ``full_scale`` (e.g. 1.0 for rates), else to the largest value.
    """
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    height = TOP + len(labels) * group_height + legend
    scale = full_scale or max((v for s in series for v in s.values if v), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}"><title>{escape(title)}</title>'
    ]
    for row, label in enumerate(labels):
        top = TOP + row * group_height
        middle = top + len(series) * (BAR_HEIGHT + BAR_GAP) / 2
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end"'
            f' dominant-baseline="middle">{escape(label)}</text>'
        )
        for index, one in enumerate(series):
            y = top + index * (BAR_HEIGHT + BAR_GAP)
            parts.append(_bar(y, one.values[row], scale, PALETTE[index % len(PALETTE)], value_text))
    if legend:
        parts.append(_legend(height - LEGEND_HEIGHT + 6, series))
    parts.append("</svg>")
    return (
        f'<figure class="chart">{"".join(parts)}<figcaption>{escape(title)}</figcaption></figure>'
    )


def _bar(
    y: float, value: float | None, scale: float, color: str, value_text: Callable[[float], str]
) -> str:
    if value is None:
        return (
            f'<text x="{LABEL_WIDTH}" y="{y + BAR_HEIGHT / 2:.0f}" dominant-baseline="middle"'
            ' class="missing">—</text>'
        )
    width = max(value, 0.0) / scale * BAR_AREA
    return (
        f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}"'
        f' fill="{color}"/><text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR_HEIGHT / 2:.0f}"'
        f' dominant-baseline="middle">{escape(value_text(value))}</text>'
    )


def _legend(y: float, series: Sequence[Series]) -> str:
    items = []
    for index, one in enumerate(series):
        x = LABEL_WIDTH + index * 120
        items.append(
            f'<rect x="{x}" y="{y}" width="10" height="10"'
            f' fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{y + 5}" dominant-baseline="middle">{escape(one.name)}</text>'
        )
    return "".join(items)
