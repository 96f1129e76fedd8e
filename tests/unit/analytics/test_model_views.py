"""The warehouse model's views against hand-computed figures, on DuckDB.

The scenario and the expected rows are shared with the PostgreSQL tests
(``tests/integration/analytics/test_model_postgres.py``): the same SQL must give the
same answers on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from analytics import DuckDBSink, EventRow, WarehouseSink, to_row
from analytics.model import MODEL_VIEWS, install_model, query_view
from schemas import (
    ChatTurn,
    DeadLetter,
    Escalation,
    Event,
    Feedback,
    FinalReply,
    ReplyChunk,
    SessionEvent,
    UnderstoodTurn,
)
from streams.topics import (
    DEADLETTER,
    DRAFTS,
    ESCALATIONS,
    FEEDBACK,
    RESPONSES,
    SESSIONS,
    TURNS,
    UNDERSTOOD,
    TopicSpec,
)

DAY1 = date(2024, 5, 1)
DAY2 = date(2024, 5, 2)
SHOPPER_SCRIPT = "<script>alert('xss')</script> 遅すぎる"

Sent = list[tuple[TopicSpec, Event]]


def at(day: date, clock: str, ms: float = 0) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    start = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=UTC)
    return start + timedelta(milliseconds=ms)


def session_events(
    session_id: str, started: datetime, kinds: dict[str, float], **fields: Any
) -> Sent:
    """SessionEvents of ``kinds``, each ``kinds[kind]`` seconds after ``started``."""
    return [
        (
            SESSIONS,
            SessionEvent(
                event_id=f"{session_id}/{kind}",
                session_id=session_id,
                turn_id="",
                kind=kind,  # type: ignore[arg-type]
                ts=started + timedelta(seconds=seconds),
                **fields,
            ),
        )
        for kind, seconds in kinds.items()
    ]


def turn(
    session_id: str,
    turn_id: str,
    received: datetime,
    text: str,
    *,
    intent: tuple[str, float] | None,
    final_ms: float,
    first_chunk_ms: float | None = None,
    locale: str = "ja",
    channel: str = "ws",
    **final_fields: Any,
) -> Sent:
    """A ChatTurn, what the intent stage understood, and the reply on chat.responses.

    Without ``first_chunk_ms`` the reply is a stage's error reply: no chunks, status error.
    """
    key = f"{session_id}/{turn_id}"
    sent: Sent = [
        (
            TURNS,
            ChatTurn(
                event_id=f"{key}/turn",
                session_id=session_id,
                turn_id=turn_id,
                ts=received,
                locale=locale,  # type: ignore[arg-type]
                channel=channel,  # type: ignore[arg-type]
                text=text,
            ),
        )
    ]
    if intent is not None:
        sent.append(
            (
                UNDERSTOOD,
                UnderstoodTurn(
                    event_id=f"{key}/understood",
                    session_id=session_id,
                    turn_id=turn_id,
                    ts=received + timedelta(milliseconds=5),
                    locale=locale,  # type: ignore[arg-type]
                    text=text,
                    intent=intent[0],
                    confidence=intent[1],
                    received_ts=received,
                ),
            )
        )
    if first_chunk_ms is not None:
        sent.append(
            (
                RESPONSES,
                ReplyChunk(
                    event_id=f"{key}/chunk",
                    session_id=session_id,
                    turn_id=turn_id,
                    ts=received + timedelta(milliseconds=first_chunk_ms),
                    seq=0,
                    text="ご返信",
                    received_ts=received,
                ),
            )
        )
    sent.append(
        (
            RESPONSES,
            final_reply(key, received, final_ms, ok=first_chunk_ms is not None, **final_fields),
        )
    )
    return sent


def final_reply(key: str, received: datetime, ms: float, *, ok: bool, **fields: Any) -> FinalReply:
    session_id, turn_id = key.split("/")
    shape: dict[str, Any] = (
        {"status": "ok", "chunk_count": 1, "path": "template"}
        if ok
        else {"status": "error", "chunk_count": 0, "path": "error", "error_code": "pipeline_error"}
    )
    return FinalReply(
        **{
            "event_id": f"{key}/final-{ms:g}",
            "session_id": session_id,
            "turn_id": turn_id,
            "ts": received + timedelta(milliseconds=ms),
            "text": "お返事です",
            "received_ts": received,
            **shape,
            **fields,
        }
    )


def dead_letter(session_id: str, turn_id: str, stage: str, ts: datetime) -> DeadLetter:
    return DeadLetter(
        event_id=f"{session_id}/{turn_id}/deadletter-{stage}",
        session_id=session_id,
        turn_id=turn_id,
        ts=ts,
        stage=stage,
        source_topic=f"chat.{'turns' if stage == 'intent' else 'understood'}",
        source_partition=2,
        source_offset=41,
        error_type="ValueError",
        error_message="boom",
        payload=b"\x00\xff not utf-8",
    )


def feedback(
    session_id: str, turn_id: str, rating: str, ts: datetime, comment: str | None = None
) -> Feedback:
    return Feedback(
        event_id=f"{session_id}/{turn_id}/feedback-{rating}",
        session_id=session_id,
        turn_id=turn_id,
        ts=ts,
        rating=rating,  # type: ignore[arg-type]
        comment=comment,
    )


def scenario() -> Sent:
    """Four sessions over two days; the expectations below are computed from it by hand.

    s-ja-1: two answered turns, both rated up.  s-en-2: one turn with PII, rated up, then down.
    s-ja-3: asks for a human (escalation), then a turn flagged pii and length.
    s-en-4: no SessionEvent; one answered turn, then two error replies after dead letters
    (retrieval, then intent), the first raced by a second, later error reply.
    """
    s1, s2, s3, s4 = "s-ja-1", "s-en-2", "s-ja-3", "s-en-4"
    return [
        *session_events(
            s1,
            at(DAY1, "09:00"),
            {"created": 0, "authenticated": 1, "closed": 600},
            user_id="u-1",
            locale="ja",
            channel="ws",
        ),
        *turn(
            s1,
            "t1",
            at(DAY1, "09:01"),
            "ワンピースの最新刊はありますか？",
            intent=("product_question", 0.9),
            first_chunk_ms=120,
            final_ms=200,
            sources=("faq-stock",),
            path="retrieval",
        ),
        *turn(
            s1,
            "t2",
            at(DAY1, "09:02"),
            "送料はいくらですか？",
            intent=("faq", 0.9),
            first_chunk_ms=100,
            final_ms=150,
            sources=("faq-shipping",),
            path="retrieval",
        ),
        (FEEDBACK, feedback(s1, "t1", "up", at(DAY1, "09:03"))),
        (FEEDBACK, feedback(s1, "t2", "up", at(DAY1, "09:04"))),
        (FEEDBACK, feedback(s1, "t2", "up", at(DAY1, "09:04"))),  # redelivered
        *session_events(s2, at(DAY1, "10:00"), {"created": 0}, locale="en", channel="http"),
        *turn(
            s2,
            "t1",
            at(DAY1, "10:01"),
            "Where is my order 12345? <script>alert(1)</script>",
            locale="en",
            channel="http",
            intent=("order_tracking", 0.6),
            first_chunk_ms=300,
            final_ms=400,
            guardrail_flags=("pii",),
        ),
        (FEEDBACK, feedback(s2, "t1", "up", at(DAY1, "10:02"))),
        (FEEDBACK, feedback(s2, "t1", "down", at(DAY1, "10:03"), SHOPPER_SCRIPT)),
        *session_events(s3, at(DAY2, "09:00"), {"created": 0}, locale="ja", channel="ws"),
        *turn(
            s3,
            "t1",
            at(DAY2, "09:01"),
            "人と話したいです",
            intent=("escalation", 0.9),
            first_chunk_ms=80,
            final_ms=100,
        ),
        (
            ESCALATIONS,
            Escalation(
                event_id=f"{s3}/t1/escalation",
                session_id=s3,
                turn_id="t1",
                ts=at(DAY2, "09:01", 100),
                locale="ja",
                reason="shopper_request",
                summary="人と話したいです",
            ),
        ),
        *turn(
            s3,
            "t2",
            at(DAY2, "09:02"),
            "電話番号は090-1234-5678です",
            intent=("chitchat", 0.6),
            first_chunk_ms=200,
            final_ms=260,
            guardrail_flags=("length", "pii"),
        ),
        *turn(
            s4,
            "t1",
            at(DAY2, "10:01"),
            "hello",
            locale="en",
            intent=("chitchat", 0.9),
            first_chunk_ms=60,
            final_ms=90,
        ),
        (DEADLETTER, dead_letter(s4, "t2", "retrieval", at(DAY2, "10:02", 40))),
        *turn(
            s4,
            "t2",
            at(DAY2, "10:02"),
            "what is your return policy?",
            locale="en",
            intent=("faq", 0.9),
            final_ms=50,
        ),
        (RESPONSES, final_reply(f"{s4}/t2", at(DAY2, "10:02"), 500, ok=False)),
        (DEADLETTER, dead_letter(s4, "t3", "intent", at(DAY2, "10:03", 20))),
        *turn(s4, "t3", at(DAY2, "10:03"), "???", locale="en", intent=None, final_ms=30),
        # Drafts are pre-guardrail and faster: they must not count.
        (DRAFTS, final_reply(f"{s1}/t1", at(DAY1, "09:01"), 1, ok=True)),
    ]


def scenario_rows() -> list[EventRow]:
    return [to_row(spec.name, event) for spec, event in scenario()]


def load_scenario(sink: WarehouseSink) -> None:
    """Write the scenario into a sink that has been set up, and install the model."""
    sink.write(scenario_rows())
    install_model(sink)


def _latency(
    key: str, value: Any, answered: int, first: tuple[float | None, ...], final: tuple[float, ...]
) -> dict[str, Any]:
    names = ("p50", "p95", "p99")
    return {
        key: value,
        "answered_turns": answered,
        **{f"first_chunk_{p}_ms": v for p, v in zip(names, first, strict=True)},
        **{f"final_{p}_ms": v for p, v in zip(names, final, strict=True)},
    }


NO_CHUNK = (None, None, None)

# percentile_cont interpolates: the p-th of n sorted values sits at position p * (n - 1).
LATENCY_BY_INTENT = [
    _latency("intent", "chitchat", 2, (130, 193, 198.6), (175, 251.5, 258.3)),
    _latency("intent", "escalation", 1, (80, 80, 80), (100, 100, 100)),
    _latency("intent", "faq", 2, (100, 100, 100), (100, 145, 149)),
    _latency("intent", "order_tracking", 1, (300, 300, 300), (400, 400, 400)),
    _latency("intent", "product_question", 1, (120, 120, 120), (200, 200, 200)),
    _latency("intent", None, 1, NO_CHUNK, (30, 30, 30)),
]
LATENCY_BY_DAY = [
    _latency("day", DAY1, 3, (120, 282, 296.4), (200, 380, 396)),
    _latency("day", DAY2, 5, (80, 188, 197.6), (90, 228, 253.6)),
]


def _turn(
    session_id: str,
    turn_id: str,
    intent: str | None,
    status: str,
    first: float | None,
    final: float,
    rating: str | None = None,
    *,
    resolved: bool = False,
    escalated: bool = False,
) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "turn_id": turn_id,
        "intent": intent,
        "reply_status": status,
        "first_chunk_ms": first,
        "final_ms": final,
        "feedback_rating": rating,
        "resolved": resolved,
        "escalated": escalated,
    }


NULL_UNTIL_LATER = (
    "llm_model",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "products_shown",
    "experiment_arm",
)

# Each view's rows in order; only the columns named are compared.
EXPECTED: dict[str, list[dict[str, Any]]] = {
    "chat_replies": [
        {
            "turn_id": "t3",
            "status": "error",
            "path": "error",
            "latency_ms": 30,
            "is_shown": True,
            "chunk_count": 0,
            "error_code": "pipeline_error",
        },
        {"turn_id": "t2", "status": "error", "latency_ms": 500, "is_shown": False},
        {"turn_id": "t2", "status": "error", "latency_ms": 50, "is_shown": True},
        {"session_id": "s-en-4", "turn_id": "t1", "latency_ms": 90, "flag_count": 0},
        {
            "session_id": "s-ja-3",
            "turn_id": "t2",
            "guardrail_flags": '["length","pii"]',
            "flag_count": 2,
            "day": DAY2,
        },
        {"session_id": "s-ja-3", "turn_id": "t1", "latency_ms": 100, "source_count": 0},
        {"session_id": "s-en-2", "guardrail_flags": '["pii"]', "flag_count": 1, "day": DAY1},
        {
            "session_id": "s-ja-1",
            "turn_id": "t2",
            "path": "retrieval",
            "sources": '["faq-shipping"]',
            "source_count": 1,
            "latency_ms": 150,
        },
        {
            "session_id": "s-ja-1",
            "turn_id": "t1",
            "status": "ok",
            "chunk_count": 1,
            "received_ts": at(DAY1, "09:01"),
            "reply_ts": at(DAY1, "09:01", 200),
            **dict.fromkeys(NULL_UNTIL_LATER[:-1]),
        },
    ],
    "chat_reply_flags": [
        {"session_id": "s-en-2", "turn_id": "t1", "category": "pii", "is_shown": True},
        {"session_id": "s-ja-3", "turn_id": "t2", "category": "length", "day": DAY2},
        {"session_id": "s-ja-3", "turn_id": "t2", "category": "pii"},
    ],
    "chat_escalations": [
        {
            "session_id": "s-ja-3",
            "turn_id": "t1",
            "locale": "ja",
            "reason": "shopper_request",
            "summary": "人と話したいです",
            "escalated_ts": at(DAY2, "09:01", 100),
            "day": DAY2,
        },
    ],
    "chat_feedback": [
        {"session_id": "s-en-2", "rating": "down", "comment": SHOPPER_SCRIPT, "is_latest": True},
        {"session_id": "s-en-2", "rating": "up", "comment": None, "is_latest": False},
        {"session_id": "s-ja-1", "turn_id": "t2", "rating": "up", "is_latest": True},
        {"session_id": "s-ja-1", "turn_id": "t1", "rating": "up", "is_latest": True, "day": DAY1},
    ],
    "chat_dead_letters": [
        {
            "turn_id": "t3",
            "stage": "intent",
            "source_topic": "chat.turns",
            "source_partition": 2,
            "source_offset": 41,
            "error_type": "ValueError",
        },
        {
            "turn_id": "t2",
            "stage": "retrieval",
            "error_message": "boom",
            "dead_lettered_ts": at(DAY2, "10:02", 40),
            "day": DAY2,
        },
    ],
    "chat_turns": [
        {**_turn("s-en-4", "t3", None, "error", None, 30), "text": "???", "locale": "en"},
        _turn("s-en-4", "t2", "faq", "error", None, 50),
        _turn("s-en-4", "t1", "chitchat", "ok", 60, 90, resolved=True),
        {
            **_turn("s-ja-3", "t2", "chitchat", "ok", 200, 260),
            "text": "電話番号は[phone]です",  # masked on the way in
            "confidence": 0.6,
            "day": DAY2,
        },
        _turn("s-ja-3", "t1", "escalation", "ok", 80, 100, escalated=True),
        {
            **_turn("s-en-2", "t1", "order_tracking", "ok", 300, 400, "down"),
            "text": "Where is my order 12345? <script>alert(1)</script>",
            "channel": "http",
        },
        _turn("s-ja-1", "t2", "faq", "ok", 100, 150, "up", resolved=True),
        {
            **_turn("s-ja-1", "t1", "product_question", "ok", 120, 200, "up", resolved=True),
            "text": "ワンピースの最新刊はありますか？",
            "reply_path": "retrieval",
            "day": DAY1,
            **dict.fromkeys(NULL_UNTIL_LATER),
        },
    ],
    "chat_sessions": [
        {
            "session_id": "s-en-4",
            "day": DAY2,
            "locale": "en",
            "channel": "ws",
            "turns": 3,
            "resolved_turns": 1,
            "escalations": 0,
            "contained": True,
            "created_ts": None,
            "started_ts": at(DAY2, "10:01"),
        },
        {
            "session_id": "s-ja-3",
            "turns": 2,
            "resolved_turns": 0,
            "escalations": 1,
            "contained": False,
        },
        {
            "session_id": "s-en-2",
            "channel": "http",
            "user_id": None,
            "rated_up": 0,
            "rated_down": 1,
            "contained": True,
        },
        {
            "session_id": "s-ja-1",
            "day": DAY1,
            "user_id": "u-1",
            "locale": "ja",
            "turns": 2,
            "resolved_turns": 2,
            "rated_up": 2,
            "rated_down": 0,
            "contained": True,
            "created_ts": at(DAY1, "09:00"),
            "authenticated_ts": at(DAY1, "09:00", 1000),
            "closed_ts": at(DAY1, "09:10"),
            "llm_replies": 0,
            "cost_usd": None,
            "products_clicked": None,
            "orders_placed": None,
            "experiment_arm": None,
        },
    ],
    "latency_percentiles": [
        *({"grouped_by": "day", "intent": None, **row} for row in LATENCY_BY_DAY),
        *({"grouped_by": "intent", "day": None, **row} for row in LATENCY_BY_INTENT),
    ],
    "latency_by_intent": LATENCY_BY_INTENT,
    "latency_by_day": LATENCY_BY_DAY,
    "intent_distribution": [
        {"intent": "chitchat", "turns": 2, "turn_share": 0.25, "mean_confidence": 0.75},
        {"intent": "faq", "turns": 2, "turn_share": 0.25, "mean_confidence": 0.9},
        {"intent": "escalation", "turns": 1, "turn_share": 0.125, "mean_confidence": 0.9},
        {"intent": "order_tracking", "turns": 1, "turn_share": 0.125, "mean_confidence": 0.6},
        {"intent": "product_question", "turns": 1, "turn_share": 0.125, "mean_confidence": 0.9},
        {"intent": None, "turns": 1, "turn_share": 0.125, "mean_confidence": None},
    ],
    "resolution_rate": [
        {
            "experiment_arm": None,
            "turns": 8,
            "ok_turns": 6,
            "resolved_turns": 3,
            "resolution_rate": 0.375,
        },
    ],
    "escalation_rate": [
        {"experiment_arm": None, "turns": 8, "escalated_turns": 1, "escalation_rate": 0.125},
    ],
    "containment_rate": [
        {
            "experiment_arm": None,
            "conversations": 4,
            "contained_conversations": 3,
            "containment_rate": 0.75,
        },
    ],
    "csat": [{"experiment_arm": None, "rated_up": 2, "rated_down": 1, "csat_rate": 2 / 3}],
    "guardrail_rate_by_category": [
        {"category": "length", "flagged_replies": 1, "replies": 8, "flag_rate": 0.125},
        {"category": "pii", "flagged_replies": 2, "replies": 8, "flag_rate": 0.25},
    ],
    "dead_letter_rate_by_stage": [
        {"stage": "intent", "dead_letters": 1, "turns": 8, "dead_letter_rate": 0.125},
        {"stage": "retrieval", "dead_letters": 1, "turns": 8, "dead_letter_rate": 0.125},
    ],
    "llm_cost_per_conversation": [
        {
            "experiment_arm": None,
            "conversations": 4,
            "llm_replies": 0,
            "prompt_tokens": None,
            "completion_tokens": None,
            "cost_usd": None,
            "cost_per_conversation": None,
        },
    ],
    "conversion": [
        {
            "experiment_arm": None,
            "conversations": 4,
            "shown_products": 0,
            "clicked": 0,
            "ordered": 0,
            "click_rate": None,
            "conversion_rate": None,
        },
    ],
    "experiment_comparison": [
        {
            "experiment_arm": None,
            "turns": 8,
            "resolution_rate": 0.375,
            "escalation_rate": 0.125,
            "conversations": 4,
            "containment_rate": 0.75,
            "csat_rate": 2 / 3,
            "cost_per_conversation": None,
            "conversion_rate": None,
        },
    ],
}


def assert_view_matches(sink: WarehouseSink, name: str) -> None:
    """The view's rows, in order, agree with :data:`EXPECTED` on the columns it names."""
    expected = EXPECTED[name]
    actual = query_view(sink, name)
    assert len(actual) == len(expected), actual
    for row, wanted in zip(actual, expected, strict=True):
        assert {column: row[column] for column in wanted} == {
            column: _close_to(value) for column, value in wanted.items()
        }, row


def _close_to(value: Any) -> Any:
    """Numbers compare within float rounding (latencies come from timestamp arithmetic)."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return pytest.approx(value) if numeric else value


@pytest.fixture(scope="module")
def model_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBSink]:
    with DuckDBSink(tmp_path_factory.mktemp("model") / "analytics.duckdb") as sink:
        sink.setup()
        load_scenario(sink)
        yield sink


def test_every_model_view_has_an_expectation() -> None:
    assert sorted(EXPECTED) == sorted(view.name for view in MODEL_VIEWS)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_view_matches_hand_computed_figures(model_sink: DuckDBSink, name: str) -> None:
    assert_view_matches(model_sink, name)
