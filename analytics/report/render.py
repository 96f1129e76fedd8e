"""The analytics report: charts of the headline views, then a table per model view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from analytics.model import MODEL_VIEWS, query_view
from analytics.report.markup import format_value, heading, page, table
from analytics.report.svg import Series, bar_chart
from analytics.sink import WarehouseSink

FACT_ROWS = 50
"""Fact views grow with traffic: the report shows their first (latest) rows only."""

NO_INTENT = "未判定 / none"
ALL_ARMS = "全体 / all"
PERCENTILES = ("p50", "p95", "p99")
RATES = (
    ("resolution_rate", "解決率 / resolution"),
    ("escalation_rate", "エスカレーション率 / escalation"),
    ("containment_rate", "自己完結率 / containment"),
    ("csat_rate", "顧客満足度 / CSAT"),
)

Rows = list[dict[str, Any]]


def render_report(sink: WarehouseSink) -> str:
    """The report as one self-contained HTML page; the model must be installed.

    Reads the views of :mod:`analytics.model` from ``sink``; nothing is written.
    """
    rows = {
        view.name: query_view(sink, view.name, limit=FACT_ROWS if view.is_fact else None)
        for view in MODEL_VIEWS
    }
    sections = [heading("グラフ", "Charts"), f'<div class="charts">{_charts(rows)}</div>']
    for view in MODEL_VIEWS:
        sections.append(heading(view.title_ja, view.title_en, view.name))
        if view.is_fact:
            sections.append(f'<p class="note">最大 {FACT_ROWS} 行 / at most {FACT_ROWS} rows</p>')
        sections.append(table(rows[view.name]))
    generated = datetime.now(UTC).isoformat(sep=" ", timespec="seconds")
    return page(
        "MangaAssist 分析レポート / Analytics report",
        f"作成 / generated {generated} · warehouse: {sink.engine}",
        "".join(sections),
    )


def _charts(rows: dict[str, Rows]) -> str:
    intents = rows["intent_distribution"]
    by_intent = rows["latency_by_intent"]
    arms = rows["experiment_comparison"]
    return "".join(
        (
            bar_chart(
                "意図の分布 / Intent distribution (turns)",
                [row["intent"] or NO_INTENT for row in intents],
                [Series("ターン / turns", [row["turns"] for row in intents])],
                _whole,
            ),
            *(
                bar_chart(
                    f"{title} (ms)",
                    [row["intent"] or NO_INTENT for row in by_intent],
                    [Series(p, [row[f"{stage}_{p}_ms"] for row in by_intent]) for p in PERCENTILES],
                    _milliseconds,
                )
                for stage, title in (
                    ("first_chunk", "最初のチャンクまでの時間 / Time to first chunk"),
                    ("final", "最終返信までの時間 / Time to final reply"),
                )
            ),
            bar_chart(
                "主要な率 / Headline rates",
                [label for _, label in RATES],
                [
                    Series(arm["experiment_arm"] or ALL_ARMS, [arm[column] for column, _ in RATES])
                    for arm in arms
                ],
                _percent,
                full_scale=1.0,
            ),
            _rate_chart(
                "ガードレール発動率 / Guardrail rate",
                rows["guardrail_rate_by_category"],
                "category",
                "flag_rate",
            ),
            _rate_chart(
                "デッドレター率 / Dead-letter rate",
                rows["dead_letter_rate_by_stage"],
                "stage",
                "dead_letter_rate",
            ),
        )
    )


def _rate_chart(title: str, rows: Rows, label: str, rate: str) -> str:
    return bar_chart(
        title,
        [str(row[label]) for row in rows],
        [Series("率 / rate", [row[rate] for row in rows])],
        _percent,
        full_scale=1.0,
    )


def _formatter(column: str) -> Callable[[float], str]:
    return lambda value: format_value(column, value)


_whole = _formatter("turns")
_milliseconds = _formatter("_ms")
_percent = _formatter("_rate")
