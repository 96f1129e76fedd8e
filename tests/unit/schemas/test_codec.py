import struct
from datetime import UTC, datetime

import pytest

from schemas import (
    AvroCodec,
    ChatTurn,
    ContextItem,
    DeadLetter,
    Entity,
    FinalReply,
    GroundedTurn,
    load_catalog,
)
from schemas.exceptions import DecodeError, UnknownSchemaError
from schemas.registry import LocalSchemaRegistry, local_schema_id

RECEIVED = datetime(2026, 11, 21, 9, 30, 15, 123000, tzinfo=UTC)


@pytest.fixture(scope="module")
def codec() -> AvroCodec:
    return AvroCodec(LocalSchemaRegistry(load_catalog()))


def test_round_trip_keeps_japanese_text_and_nested_records(codec: AvroCodec) -> None:
    turn = GroundedTurn(
        session_id="s-1",
        turn_id="t-1",
        locale="ja",
        text="ワンピースの最新刊はいつ発売ですか？",
        intent="product_question",
        confidence=0.92,
        entities=(Entity(kind="volume", value="108"),),
        context=(
            ContextItem(source="faq", ref_id="faq-preorder", title="予約", text="…", score=0.5),
        ),
        received_ts=RECEIVED,
    )
    assert codec.decode(codec.encode(turn)) == turn


def test_bytes_fields_survive(codec: AvroCodec) -> None:
    letter = DeadLetter(
        session_id="s",
        turn_id="t",
        stage="intent",
        source_topic="chat.turns",
        source_partition=3,
        source_offset=42,
        error_type="DecodeError",
        error_message="bad",
        payload=b"\x00\xff garbage",
    )
    assert codec.decode(codec.encode(letter)) == letter


def test_wire_format_is_magic_byte_then_big_endian_schema_id(codec: AvroCodec) -> None:
    data = codec.encode(ChatTurn(session_id="s", turn_id="t", text="hi"))
    magic, schema_id = struct.unpack(">bI", data[:5])
    assert magic == 0
    assert schema_id == local_schema_id(load_catalog().latest(ChatTurn.full_name()))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "empty"),
        (b"", "empty"),
        (b"\x01\x00\x00\x00\x01body", "magic byte"),
        (b"\x00\x7f\xff\xff\xff", "cannot resolve schema id"),
    ],
)
def test_bad_framing_is_a_decode_error(codec: AvroCodec, data: bytes | None, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        codec.decode(data)


def test_truncated_body_is_a_decode_error(codec: AvroCodec) -> None:
    data = codec.encode(ChatTurn(session_id="session", turn_id="turn", text="hello there"))
    with pytest.raises(DecodeError, match="corrupt ChatTurn"):
        codec.decode(data[:12])


def test_decode_as_checks_the_type(codec: AvroCodec) -> None:
    data = codec.encode(ChatTurn(session_id="s", turn_id="t", text="hi"))
    with pytest.raises(DecodeError, match="expected FinalReply"):
        codec.decode_as(data, FinalReply)


def test_local_registry_refuses_unknown_schemas() -> None:
    registry = LocalSchemaRegistry(load_catalog())
    stranger = {"type": "record", "name": "Stranger", "fields": [{"name": "x", "type": "int"}]}
    with pytest.raises(UnknownSchemaError):
        registry.register("Stranger", stranger)


def test_event_written_with_an_old_schema_decodes_into_the_current_model(codec: AvroCodec) -> None:
    import io

    import fastavro

    v1 = load_catalog().all_versions(ChatTurn.full_name())[0]
    body = io.BytesIO()
    record = {
        "event_id": "e1",
        "session_id": "s1",
        "turn_id": "t1",
        "ts": RECEIVED,
        "schema_version": 1,
        "user_id": None,
        "locale": "en",
        "channel": "http",
        "text": "old client",
    }
    fastavro.schemaless_writer(body, v1.parsed, record)
    data = struct.pack(">bI", 0, local_schema_id(v1)) + body.getvalue()
    turn = codec.decode_as(data, ChatTurn)
    assert (turn.schema_version, turn.text, turn.client_msg_id) == (1, "old client", None)
