import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analytics import DuckDBSink, EventRow, WarehouseError, WarehouseUnavailable, to_row
from analytics.sink import load_sql
from schemas import ChatTurn, Event, FinalReply, ReplyChunk, UnderstoodTurn
from streams.topics import DRAFTS, RESPONSES, TURNS, UNDERSTOOD

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def chat_turns(session_id: str, count: int) -> list[EventRow]:
    return [
        to_row(
            TURNS.name,
            ChatTurn(
                session_id=session_id,
                turn_id=f"t{i}",
                text="こんにちは",
                ts=T0 + timedelta(seconds=i),
            ),
        )
        for i in range(count)
    ]


def answered_turn(turn_id: str, first_chunk_ms: int, final_ms: int) -> list[EventRow]:
    """A turn the customer saw answered; its drafts are faster and must not count."""
    session_id = "s-latency"
    late = [first_chunk_ms, first_chunk_ms + 40]
    chunks: list[tuple[str, Event]] = [
        (
            topic.name,
            ReplyChunk(
                session_id=session_id,
                turn_id=turn_id,
                seq=seq,
                text="在庫あります",
                received_ts=T0,
                ts=T0 + timedelta(milliseconds=ms),
            ),
        )
        for topic, at in ((DRAFTS, [1, 2]), (RESPONSES, late))
        for seq, ms in enumerate(at)
    ]
    final = FinalReply(
        session_id=session_id,
        turn_id=turn_id,
        status="ok",
        text="在庫あります",
        chunk_count=2,
        path="template",
        received_ts=T0,
        ts=T0 + timedelta(milliseconds=final_ms),
    )
    turn = ChatTurn(session_id=session_id, turn_id=turn_id, text="ワンピースある", ts=T0)
    events = [(TURNS.name, turn), *chunks, (RESPONSES.name, final)]
    return [to_row(topic, event) for topic, event in events]


def understood(intent: str) -> EventRow:
    event = UnderstoodTurn(
        session_id="s-intents",
        turn_id="t",
        locale="en",
        text="...",
        intent=intent,
        confidence=0.8,
        received_ts=T0,
    )
    return to_row(UNDERSTOOD.name, event)


def test_setup_creates_the_folder_and_can_run_again(duckdb_path: Path) -> None:
    with DuckDBSink(duckdb_path) as sink:
        sink.setup()
        sink.write(chat_turns("s", 3))
        sink.setup()

    with DuckDBSink(duckdb_path) as reopened:
        reopened.setup()
        assert reopened.count() == 3


def test_write_returns_new_rows_and_a_repeat_inserts_none(sink: DuckDBSink) -> None:
    rows = chat_turns("s", 5)

    assert sink.write(rows) == 5
    assert sink.write(rows) == 0
    assert sink.write([*rows, *chat_turns("other", 2)]) == 2
    assert sink.count() == 7


def test_duplicates_within_one_batch_are_inserted_once(sink: DuckDBSink) -> None:
    rows = chat_turns("s", 3)

    assert sink.write([*rows, *rows, rows[0]]) == 3
    assert sink.count() == 3


def test_empty_batch_writes_nothing(sink: DuckDBSink) -> None:
    assert sink.write([]) == 0


def test_events_of_a_session_come_back_oldest_first_in_utc(sink: DuckDBSink) -> None:
    rows = chat_turns("s", 3)
    sink.write([*reversed(rows), *chat_turns("other", 2)])

    events = sink.events_for_session("s")

    assert [e["event_id"] for e in events] == [r.event_id for r in rows]
    assert [e["ts"] for e in events] == [r.ts for r in rows]
    assert all(e["ts"].tzinfo is UTC and e["ingested_at"].tzinfo is UTC for e in events)


def test_japanese_text_round_trips_readably(sink: DuckDBSink) -> None:
    turn = ChatTurn(session_id="s-ja", turn_id="t", text="鬼滅の刃の全巻セットはいくらですか")
    sink.write([to_row(TURNS.name, turn)])

    (stored,) = sink.events_for_session("s-ja")

    assert "鬼滅の刃の全巻セットはいくらですか" in stored["payload"]
    assert json.loads(stored["payload"])["text"] == turn.text


def test_turn_latency_measures_from_receipt_to_guarded_replies(sink: DuckDBSink) -> None:
    sink.write([*answered_turn("fast", 120, 480), *answered_turn("slow", 900, 2500)])
    unanswered = ChatTurn(session_id="s-latency", turn_id="open", text="まだ", ts=T0)
    sink.write([to_row(TURNS.name, unanswered)])

    latency = {row["turn_id"]: row for row in sink.query("SELECT * FROM turn_latency")}

    assert latency["fast"] == {
        "session_id": "s-latency",
        "turn_id": "fast",
        "received_ts": T0,
        "first_chunk_ts": T0 + timedelta(milliseconds=120),
        "final_reply_ts": T0 + timedelta(milliseconds=480),
        "first_chunk_ms": 120.0,
        "final_reply_ms": 480.0,
    }
    assert (latency["slow"]["first_chunk_ms"], latency["slow"]["final_reply_ms"]) == (900.0, 2500.0)
    assert latency["open"]["first_chunk_ms"] is None
    assert latency["open"]["final_reply_ms"] is None


def test_turn_latency_names_the_topic_the_customer_reads() -> None:
    assert f"'{RESPONSES.name}'" in load_sql("turn_latency", "duckdb")


def test_intent_counts_reads_the_intent_from_the_payload(sink: DuckDBSink) -> None:
    sink.write([understood("stock_check"), understood("stock_check"), understood("recommend")])
    sink.write(chat_turns("s", 2))

    counts = sink.query("SELECT intent, turns FROM intent_counts ORDER BY intent")

    assert counts == [{"intent": "recommend", "turns": 1}, {"intent": "stock_check", "turns": 2}]


def test_writing_before_setup_is_an_error_not_an_outage(duckdb_path: Path) -> None:
    with DuckDBSink(duckdb_path) as sink, pytest.raises(WarehouseError) as caught:
        sink.write(chat_turns("s", 1))

    assert not isinstance(caught.value, WarehouseUnavailable)


def test_a_file_locked_by_another_process_is_unavailable_until_released(
    sink: DuckDBSink, duckdb_path: Path
) -> None:
    sink.close()
    hold_the_file = (
        f"import duckdb, sys; conn = duckdb.connect({str(duckdb_path)!r}); "
        "print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold_the_file],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(WarehouseUnavailable):
            sink.write(chat_turns("s", 1))
    finally:
        holder.communicate("")

    assert sink.write(chat_turns("s", 1)) == 1
