import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from analytics import COLUMNS, to_row
from analytics.rows import unique_by_event_id
from schemas import ChatTurn, DeadLetter, Entity, UnderstoodTurn
from streams.topics import DEADLETTER, TURNS, UNDERSTOOD

JST = timezone(timedelta(hours=9))


def test_row_carries_the_envelope_and_the_record_name() -> None:
    turn = ChatTurn(session_id="s-1", turn_id="t-1", text="hello")

    row = to_row(TURNS.name, turn)

    assert row.values() == (
        turn.event_id,
        "ChatTurn",
        "chat.turns",
        "s-1",
        "t-1",
        turn.ts,
        2,
        row.payload,
    )
    assert len(COLUMNS) == len(row.values())


def test_ts_is_stored_in_utc() -> None:
    turn = ChatTurn(
        session_id="s", turn_id="t", text="x", ts=datetime(2024, 5, 1, 9, 0, tzinfo=JST)
    )

    ts = to_row(TURNS.name, turn).ts

    assert ts == datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    assert ts.utcoffset() == timedelta(0)


def test_payload_is_the_json_event_with_japanese_left_readable() -> None:
    understood = UnderstoodTurn(
        session_id="s",
        turn_id="t",
        locale="ja",
        text="ワンピースの最新刊はありますか",
        intent="stock_check",
        confidence=0.9,
        entities=(Entity(kind="title", value="ワンピース"),),
        received_ts=datetime(2024, 5, 1, tzinfo=UTC),
    )

    payload = to_row(UNDERSTOOD.name, understood).payload

    assert "ワンピースの最新刊はありますか" in payload
    assert json.loads(payload) == understood.model_dump(mode="json")


def test_raw_bytes_never_reach_the_warehouse_only_their_size_and_digest() -> None:
    raw = b"\xff\xfe\x00>?"
    letter = DeadLetter(
        session_id="s",
        turn_id="t",
        stage="intent",
        source_topic="chat.turns",
        source_partition=0,
        source_offset=42,
        error_type="DecodeError",
        error_message="壊れたメッセージ",
        payload=raw,
    )

    payload = json.loads(to_row(DEADLETTER.name, letter).payload)

    assert "payload" not in payload
    assert payload["payload_bytes"] == len(raw)
    assert payload["payload_sha256"] == hashlib.sha256(raw).hexdigest()
    assert payload["error_message"] == "壊れたメッセージ"


@pytest.mark.parametrize(
    "text",
    [
        "my email is taro@example.com",
        "電話は090-1234-5678です",
        "card 4111 1111 1111 1111 please",
    ],
)
def test_personal_data_in_free_text_is_masked_before_the_warehouse(text: str) -> None:
    turn = ChatTurn(session_id="s", turn_id="t", text=text)
    payload = json.loads(to_row(TURNS.name, turn).payload)
    assert payload["text"] != text
    assert "[" in payload["text"]
    for secret in ("taro@example.com", "090-1234-5678", "4111 1111 1111 1111"):
        assert secret not in to_row(TURNS.name, turn).payload


def test_unique_by_event_id_keeps_the_first_of_each_in_order() -> None:
    first, second = (ChatTurn(session_id="s", turn_id="t", text=t) for t in ("a", "b"))
    again = ChatTurn(session_id="s", turn_id="t", text="a again", event_id=first.event_id)
    rows = [to_row(TURNS.name, e) for e in (first, second, again)]

    assert unique_by_event_id(rows) == rows[:2]
