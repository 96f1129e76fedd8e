"""The analysts' model: views over ``chat_events`` that answer the usual questions.

The sink writes one table; everything here is a view extracting typed columns from
``payload``, so ingestion stays one idempotent path. Each view is ``sql/<name>.sql``
(or ``<name>.<engine>.sql``); ``docs/analytics.md`` defines every column and rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analytics.exceptions import WarehouseError
from analytics.sink import WarehouseSink


@dataclass(frozen=True, slots=True)
class View:
    name: str
    title_ja: str
    title_en: str
    order_by: str
    """A total order, so results (and reports) are stable."""
    is_fact: bool = False
    """One row per event, turn or session: grows with traffic."""


# In creation order: a view comes after the views it reads.
MODEL_VIEWS: tuple[View, ...] = (
    View("chat_replies", "返信", "Replies", "reply_ts DESC, event_id", is_fact=True),
    View(
        "chat_reply_flags",
        "ガードレールのフラグ",
        "Guardrail flags",
        "event_id, category",
        is_fact=True,
    ),
    View(
        "chat_escalations",
        "有人対応への引き継ぎ",
        "Escalations",
        "escalated_ts DESC, event_id",
        is_fact=True,
    ),
    View("chat_feedback", "評価", "Feedback", "rated_ts DESC, event_id", is_fact=True),
    View(
        "chat_dead_letters",
        "デッドレター",
        "Dead letters",
        "dead_lettered_ts DESC, event_id",
        is_fact=True,
    ),
    View("chat_turns", "ターン", "Turns", "received_ts DESC, session_id, turn_id", is_fact=True),
    View("chat_sessions", "セッション", "Sessions", "started_ts DESC, session_id", is_fact=True),
    View(
        "latency_percentiles",
        "応答時間の分位数",
        "Latency percentiles",
        "grouped_by, intent NULLS LAST, day",
    ),
    View("latency_by_intent", "意図別の応答時間", "Latency by intent", "intent NULLS LAST"),
    View("latency_by_day", "日別の応答時間", "Latency by day", "day"),
    View(
        "intent_distribution", "意図の分布", "Intent distribution", "turns DESC, intent NULLS LAST"
    ),
    View("resolution_rate", "解決率", "Resolution rate", "experiment_arm NULLS FIRST"),
    View("escalation_rate", "エスカレーション率", "Escalation rate", "experiment_arm NULLS FIRST"),
    View("containment_rate", "自己完結率", "Containment", "experiment_arm NULLS FIRST"),
    View("csat", "顧客満足度", "CSAT", "experiment_arm NULLS FIRST"),
    View(
        "guardrail_rate_by_category",
        "ガードレール発動率（カテゴリ別）",
        "Guardrail rate by category",
        "category",
    ),
    View(
        "dead_letter_rate_by_stage",
        "デッドレター率（ステージ別）",
        "Dead-letter rate by stage",
        "stage",
    ),
    View(
        "llm_cost_per_conversation",
        "会話あたりの LLM コスト",
        "LLM cost per conversation",
        "experiment_arm NULLS FIRST",
    ),
    View("conversion", "コンバージョン", "Conversion", "experiment_arm NULLS FIRST"),
    View("experiment_comparison", "A/B テスト比較", "A/B comparison", "experiment_arm NULLS FIRST"),
)

# Made by WarehouseSink.setup() with the table; readable here too.
SETUP_VIEWS: tuple[View, ...] = (
    View("turn_latency", "ターンの応答時間", "Turn latency", "received_ts, session_id, turn_id"),
    View("intent_counts", "意図の件数", "Intent counts", "turns DESC, intent NULLS LAST"),
)

VIEWS: dict[str, View] = {view.name: view for view in (*SETUP_VIEWS, *MODEL_VIEWS)}


def install_model(sink: WarehouseSink) -> None:
    """Create or replace every model view, in one transaction; run after ``sink.setup()``.

    Idempotent: installing twice leaves the same views.
    """
    sink.apply_sql([view.name for view in MODEL_VIEWS])


def query_view(sink: WarehouseSink, name: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of the view ``name`` in its stable order, at most ``limit`` of them."""
    view = VIEWS.get(name)
    if view is None:
        raise WarehouseError(f"no view named {name!r}; the views are: {', '.join(VIEWS)}")
    statement = f"SELECT * FROM {view.name} ORDER BY {view.order_by}"
    if limit is not None:
        statement += f" LIMIT {int(limit)}"
    return sink.query(statement)
