"""PostgresSink against the real server (CI starts it); a missing server fails, never skips."""

import json
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pydantic import SecretStr

from analytics import (
    EventRow,
    PostgresSink,
    WarehouseError,
    WarehouseSettings,
    WarehouseUnavailable,
    sink_from_settings,
    to_row,
)
from schemas import ChatTurn, FinalReply, ReplyChunk, UnderstoodTurn
from streams.topics import RESPONSES, TURNS, UNDERSTOOD

pytestmark = pytest.mark.integration

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
Admin = psycopg.Connection[tuple[Any, ...]]


@pytest.fixture(scope="module")
def postgres_url() -> str:
    return os.environ.get(
        "MANGAASSIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )


@pytest.fixture
def admin(postgres_url: str) -> Iterator[Admin]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def schema_name(admin: Admin) -> Iterator[str]:
    name = f"analytics_test_{uuid.uuid4().hex[:12]}"
    yield name
    admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def sink(postgres_url: str, schema_name: str) -> Iterator[PostgresSink]:
    with PostgresSink(postgres_url, schema_name) as sink:
        sink.setup()
        yield sink


def chat_turns(count: int, session_id: str = "s") -> list[EventRow]:
    return [
        to_row(
            TURNS.name,
            ChatTurn(
                session_id=session_id,
                turn_id=f"t{i}",
                text=f"ワンピース {i} 巻はありますか",
                ts=T0 + timedelta(milliseconds=i),
            ),
        )
        for i in range(count)
    ]


def test_setup_is_idempotent_and_safe_for_workers_starting_together(
    postgres_url: str, schema_name: str
) -> None:
    sinks = [PostgresSink(postgres_url, schema_name) for _ in range(4)]
    try:
        with ThreadPoolExecutor(len(sinks)) as pool:
            list(pool.map(PostgresSink.setup, sinks))
        sinks[0].setup()
        assert sinks[0].count() == 0
    finally:
        for sink in sinks:
            sink.close()


def test_duplicates_across_and_within_batches_are_stored_once(sink: PostgresSink) -> None:
    rows = chat_turns(5)

    assert sink.write([*rows, *rows[:2]]) == 5
    assert sink.write(rows) == 0
    assert sink.write([*rows, *chat_turns(2, session_id="other")]) == 2
    assert sink.count() == 7


def test_japanese_text_round_trips_readably(sink: PostgresSink) -> None:
    (row,) = chat_turns(1)
    sink.write([row])

    (stored,) = sink.events_for_session("s")

    assert "ワンピース 0 巻はありますか" in stored["payload"]
    assert json.loads(stored["payload"]) == json.loads(row.payload)
    assert stored["ts"] == row.ts
    assert stored["ts"].tzinfo is UTC


def test_ten_thousand_rows_in_one_write(sink: PostgresSink) -> None:
    rows = chat_turns(10_000)

    assert sink.write(rows) == 10_000
    assert sink.write(rows) == 0
    assert sink.count() == 10_000
    assert [e["event_id"] for e in sink.events_for_session("s")] == [r.event_id for r in rows]


def test_views_report_latency_and_intents(sink: PostgresSink) -> None:
    session_id, turn_id = "s-latency", "t1"
    chunks = [
        ReplyChunk(
            session_id=session_id,
            turn_id=turn_id,
            seq=seq,
            text="在庫",
            received_ts=T0,
            ts=T0 + timedelta(milliseconds=ms),
        )
        for seq, ms in enumerate([150, 190])
    ]
    final = FinalReply(
        session_id=session_id,
        turn_id=turn_id,
        status="ok",
        text="在庫あります",
        chunk_count=2,
        path="retrieval",
        received_ts=T0,
        ts=T0 + timedelta(milliseconds=640),
    )
    intent = UnderstoodTurn(
        session_id=session_id,
        turn_id=turn_id,
        locale="ja",
        text="在庫",
        intent="stock_check",
        confidence=1,
        received_ts=T0,
    )
    sink.write(
        [
            to_row(
                TURNS.name, ChatTurn(session_id=session_id, turn_id=turn_id, text="在庫ある", ts=T0)
            ),
            to_row(UNDERSTOOD.name, intent),
            *(to_row(RESPONSES.name, event) for event in (*chunks, final)),
        ]
    )

    (latency,) = sink.query("SELECT * FROM turn_latency")
    intents = sink.query("SELECT * FROM intent_counts")

    assert latency["received_ts"] == T0
    assert latency["first_chunk_ts"] == T0 + timedelta(milliseconds=150)
    assert (latency["first_chunk_ms"], latency["final_reply_ms"]) == (150.0, 640.0)
    assert intents == [{"intent": "stock_check", "turns": 1}]


def test_next_write_succeeds_after_the_server_drops_the_connection(
    sink: PostgresSink, admin: Admin
) -> None:
    first, second = chat_turns(2)
    sink.write([first])
    pid = sink.query("SELECT pg_backend_pid() AS pid")[0]["pid"]

    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    assert sink.write([second]) == 1
    assert sink.query("SELECT pg_backend_pid() AS pid")[0]["pid"] != pid
    assert sink.count() == 2


def test_unreachable_server_is_unavailable(schema_name: str) -> None:
    with PostgresSink("postgresql://postgres@127.0.0.1:1/test", schema_name) as sink:
        with pytest.raises(WarehouseUnavailable):
            sink.write(chat_turns(1))
        with pytest.raises(WarehouseUnavailable):
            sink.count()


def test_a_missing_table_is_an_outage_that_ends_when_the_table_is_back(
    sink: PostgresSink, admin: Admin, schema_name: str
) -> None:
    # Renamed (or dropped, or its grants revoked): the sink must wait, not drop rows.
    table = sql.Identifier(schema_name, "chat_events")
    admin.execute(sql.SQL("ALTER TABLE {} RENAME TO chat_events_away").format(table))
    rows = chat_turns(3)

    with pytest.raises(WarehouseUnavailable, match="does not take writes"):
        sink.write(rows)

    away = sql.Identifier(schema_name, "chat_events_away")
    admin.execute(sql.SQL("ALTER TABLE {} RENAME TO chat_events").format(away))
    assert sink.write(rows) == 3
    assert sink.count() == 3


def test_a_row_the_table_cannot_hold_is_an_error_not_an_outage(sink: PostgresSink) -> None:
    (row,) = chat_turns(1)
    too_long = EventRow(**{**asdict(row), "event_id": "x" * 65})

    with pytest.raises(WarehouseError) as caught:
        sink.write([too_long])

    assert not isinstance(caught.value, WarehouseUnavailable)
    assert sink.write([row]) == 1


def test_settings_put_the_tables_in_the_configured_schema(
    postgres_url: str, schema_name: str, admin: Admin
) -> None:
    settings = WarehouseSettings(url=SecretStr(postgres_url), schema_name=schema_name)
    with sink_from_settings(settings) as sink:
        sink.setup()
        sink.write(chat_turns(3))

    tables = admin.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "ORDER BY table_name",
        (schema_name,),
    ).fetchall()
    assert tables == [("chat_events",), ("intent_counts",), ("turn_latency",)]
    count = admin.execute(
        sql.SQL("SELECT count(*) FROM {}.chat_events").format(sql.Identifier(schema_name))
    ).fetchone()
    assert count == (3,)
