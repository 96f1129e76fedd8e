"""The sink's fast path: wire bytes to rows, identical to ``to_row(codec.decode(...))``."""

import io
import json
import struct
from datetime import UTC, datetime

import fastavro
import pytest

from analytics import to_row
from analytics.decode import RowDecoder
from schemas import (
    AvroCodec,
    ChatTurn,
    ContextItem,
    DeadLetter,
    Entity,
    Escalation,
    Event,
    Feedback,
    FinalReply,
    GroundedTurn,
    ReplyChunk,
    SessionEvent,
    UnderstoodTurn,
    load_catalog,
)
from schemas.exceptions import DecodeError
from schemas.registry import LocalSchemaRegistry, local_schema_id

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))
T0 = datetime(2024, 5, 1, 9, 30, 15, 123000, tzinfo=UTC)
UNDERSTANDING: dict[str, object] = {
    "session_id": "s",
    "turn_id": "t",
    "locale": "ja",
    "text": "ワンピースの最新刊、090-1234-5678 に電話ください",
    "intent": "stock_check",
    "confidence": 0.875,
    "entities": (Entity(kind="title", value="ワンピース"),),
    "received_ts": T0,
}
EVENTS: list[Event] = [
    ChatTurn(session_id="s", turn_id="t", text="my email is taro@example.com", user_id="u1"),
    ChatTurn(session_id="s", turn_id="t", text="こんにちは", client_msg_id="m1", ts=T0),
    UnderstoodTurn.model_validate({**UNDERSTANDING, "context_lost": True}),
    GroundedTurn.model_validate(
        {
            **UNDERSTANDING,
            "context": (
                ContextItem(source="faq", ref_id="r1", title="返品", text="30日", score=0.5),
            ),
        }
    ),
    ReplyChunk(session_id="s", turn_id="t", seq=0, text="在庫あります", received_ts=T0),
    FinalReply(
        session_id="s",
        turn_id="t",
        status="ok",
        text="在庫あります",
        chunk_count=1,
        path="retrieval",
        sources=("faq:r1",),
        guardrail_flags=("pii",),
        received_ts=T0,
    ),
    Escalation(session_id="s", turn_id="t", locale="en", reason="angry", summary="card 4111"),
    Feedback(session_id="s", turn_id="t", rating="down", comment="call 03-1234-5678"),
    SessionEvent(session_id="s", turn_id="", kind="created", locale="ja", channel="ws"),
    DeadLetter(
        session_id="s",
        turn_id="t",
        stage="intent",
        source_topic="chat.turns",
        source_partition=1,
        source_offset=7,
        error_type="DecodeError",
        error_message="bad bytes from taro@example.com",
        payload=b"\xff\x00garbage",
    ),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_rows_are_identical_to_decoding_into_the_model(event: Event) -> None:
    data = CODEC.encode(event)

    row = RowDecoder(CODEC).row("chat.any", data)

    assert row == to_row("chat.any", CODEC.decode(data))
    assert row.payload == to_row("chat.any", event).payload


def test_personal_data_is_masked_on_the_fast_path_too() -> None:
    turn = ChatTurn(session_id="s", turn_id="t", text="my email is taro@example.com")

    payload = json.loads(RowDecoder(CODEC).row("chat.turns", CODEC.encode(turn)).payload)

    assert "taro@example.com" not in payload["text"]


def test_an_event_written_with_an_old_schema_is_read_into_the_current_one() -> None:
    v1 = load_catalog().all_versions(ChatTurn.full_name())[0]
    body = io.BytesIO()
    record = {
        "event_id": "e1",
        "session_id": "s1",
        "turn_id": "t1",
        "ts": T0,
        "schema_version": 1,
        "user_id": None,
        "locale": "en",
        "channel": "http",
        "text": "old client",
    }
    fastavro.schemaless_writer(body, v1.parsed, record)
    data = struct.pack(">bI", 0, local_schema_id(v1)) + body.getvalue()

    row = RowDecoder(CODEC).row("chat.turns", data)

    assert row == to_row("chat.turns", CODEC.decode(data))
    assert json.loads(row.payload)["client_msg_id"] is None


def test_a_record_the_model_refuses_is_a_decode_error_as_with_the_codec() -> None:
    # Valid Avro, but ChatTurn.text must not be empty: the model's checks still run.
    current = load_catalog().latest(ChatTurn.full_name())
    turn = ChatTurn(session_id="s", turn_id="t", text="x").model_dump()
    body = io.BytesIO()
    fastavro.schemaless_writer(body, current.parsed, {**turn, "text": ""})
    data = struct.pack(">bI", 0, local_schema_id(current)) + body.getvalue()

    with pytest.raises(DecodeError, match="validation"):
        RowDecoder(CODEC).row("chat.turns", data)


@pytest.mark.parametrize(
    "data",
    [None, b"", b"garbage", b"\x01\x00\x00\x00\x01body", b"\x00\x00\x00\x00\x01body"],
    ids=["none", "empty", "garbage", "bad-magic", "unknown-id"],
)
def test_what_the_codec_cannot_decode_is_a_decode_error(data: bytes | None) -> None:
    with pytest.raises(DecodeError):
        RowDecoder(CODEC).row("chat.turns", data)


def test_a_truncated_body_is_a_decode_error() -> None:
    data = CODEC.encode(ChatTurn(session_id="s", turn_id="t", text="hello"))

    with pytest.raises(DecodeError):
        RowDecoder(CODEC).row("chat.turns", data[:-4])
