"""From Kinesis records to warehouse rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from connectors.kinesis import StreamRecord, to_rows, topic_for
from connectors.kinesis.records import topics_by_event_type
from schemas import DeadLetter
from streams.topics import ALL_TOPICS, ANALYTICS_TOPICS
from tests.unit.connectors.kinesis.helpers import SEQUENCE_BASE, chat_turn, make_codec

ARRIVED = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def record(data: bytes, sequence: int = 1, shard: str = "shardId-000000000003") -> StreamRecord:
    return StreamRecord(shard, str(sequence), "session-1", data, arrived_at=ARRIVED)


def test_each_event_type_travels_on_one_analytics_topic() -> None:
    seen: dict[type, list[str]] = {}
    for spec in ANALYTICS_TOPICS:
        for event_type in spec.events:
            seen.setdefault(event_type, []).append(spec.name)
    assert all(len(names) == 1 for names in seen.values()), seen
    by_type = topics_by_event_type()
    # Every chat event reaches analytics on some topic (drafts' types do on chat.responses).
    chat_types = {t for spec in ALL_TOPICS if spec.name.startswith("chat.") for t in spec.events}
    assert chat_types <= set(by_type)


def test_a_record_becomes_the_row_of_its_event_on_its_topic() -> None:
    codec = make_codec()
    turn = chat_turn(4)
    [row] = to_rows(codec, "events", [record(codec.encode(turn))])
    assert (row.event_id, row.topic, row.session_id) == (
        turn.event_id,
        "chat.turns",
        turn.session_id,
    )
    assert row.event_type == "ChatTurn"
    assert topic_for(turn, "fallback") == "chat.turns"


def test_an_undecodable_record_becomes_a_dead_letter_row_with_a_stable_id() -> None:
    codec = make_codec()
    garbage = record(b"\x00\x00\x00\x00\x07not avro", sequence=SEQUENCE_BASE + 5)
    [row] = to_rows(codec, "events", [garbage])
    [again] = to_rows(codec, "events", [garbage])
    assert row.topic == "chat.deadletter"
    assert row.event_type == "DeadLetter"
    assert row.event_id == again.event_id
    assert row.ts == ARRIVED
    payload = json.loads(row.payload)
    assert payload["stage"] == "analytics"
    assert payload["source_topic"] == "kinesis:events/shardId-000000000003"
    assert payload["source_partition"] == 3
    assert payload["source_offset"] == -1  # a real sequence number does not fit a long
    assert str(SEQUENCE_BASE + 5) in payload["error_message"]
    assert "payload" not in payload  # raw bytes never reach the warehouse


def test_another_position_makes_another_dead_letter() -> None:
    codec = make_codec()
    first, second = to_rows(codec, "events", [record(b"x", 1), record(b"x", 2)])
    assert first.event_id != second.event_id


def test_a_dead_letter_sent_by_a_stage_keeps_its_own_identity() -> None:
    codec = make_codec()
    letter = DeadLetter(
        session_id="s",
        turn_id="t",
        stage="intent",
        source_topic="chat.turns",
        source_partition=0,
        source_offset=9,
        error_type="DecodeError",
        error_message="bad",
        payload=b"\x01",
    )
    [row] = to_rows(codec, "events", [record(codec.encode(letter))])
    assert (row.event_id, row.topic) == (letter.event_id, "chat.deadletter")
