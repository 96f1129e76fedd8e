"""The stage runner: decode, call the stage, send; failures go to the dead-letter topic."""

from datetime import UTC, datetime

import pytest

from schemas import AvroCodec, ChatTurn, DeadLetter, FinalReply, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams.stage import Emitted, IncomingMessage, StageRunner
from streams.testing import RecordingSender
from streams.topics import DEADLETTER, RESPONSES, UNDERSTOOD

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))


def message(
    value: bytes | None, *, key: bytes = b"session-1", turn_id: bytes = b"turn-1"
) -> IncomingMessage:
    return IncomingMessage("chat.turns", 2, 17, key, value, {"turn_id": turn_id})


def turn(text: str = "hello") -> ChatTurn:
    return ChatTurn(
        event_id=f"event-{text}",
        session_id="session-1",
        turn_id="turn-1",
        text=text,
        locale="en",
        ts=datetime(2026, 1, 1, tzinfo=UTC),
    )


def echo(event: ChatTurn) -> Emitted:
    return [(UNDERSTOOD, event)]


def explode(event: ChatTurn) -> Emitted:
    raise RuntimeError(f"cannot handle {event.text}")


async def test_outputs_are_sent_keyed_by_session_with_the_turn_header() -> None:
    sender = RecordingSender(CODEC)
    await StageRunner("intent", (ChatTurn,), echo, CODEC, sender)(message(CODEC.encode(turn())))
    [sent] = sender.sent
    assert (sent.spec, sent.key, sent.event) == (UNDERSTOOD, b"session-1", turn())
    assert sent.headers == {"turn_id": b"turn-1"}


async def test_undecodable_message_is_dead_lettered_and_answered() -> None:
    sender = RecordingSender(CODEC)
    runner = StageRunner("intent", (ChatTurn,), echo, CODEC, sender)
    await runner(message(b"\x00garbage"))
    [letter] = sender.on(DEADLETTER)
    assert isinstance(letter, DeadLetter)
    assert (letter.session_id, letter.turn_id, letter.stage) == ("session-1", "turn-1", "intent")
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == (
        "chat.turns",
        2,
        17,
    )
    assert letter.payload == b"\x00garbage"
    assert letter.error_type == "DecodeError"
    [reply] = sender.on(RESPONSES)
    assert isinstance(reply, FinalReply)
    assert (reply.status, reply.turn_id, reply.session_id) == ("error", "turn-1", "session-1")
    assert runner.dead_lettered == 1


async def test_a_failing_stage_dead_letters_and_keeps_going() -> None:
    sender = RecordingSender(CODEC)
    failing = StageRunner("intent", (ChatTurn,), explode, CODEC, sender)
    await failing(message(CODEC.encode(turn("boom"))))
    await failing(message(CODEC.encode(turn("again"))))
    letters = sender.on(DEADLETTER)
    assert [letter.error_message for letter in letters] == [
        "cannot handle boom",
        "cannot handle again",
    ]
    assert all(isinstance(r, FinalReply) and r.status == "error" for r in sender.on(RESPONSES))


async def test_wrong_event_type_is_dead_lettered() -> None:
    sender = RecordingSender(CODEC)
    runner = StageRunner("guardrail", (FinalReply,), echo, CODEC, sender)  # type: ignore[arg-type]
    await runner(message(CODEC.encode(turn())))
    [letter] = sender.on(DEADLETTER)
    assert "does not take ChatTurn" in letter.error_message  # type: ignore[attr-defined]


async def test_redelivery_produces_the_same_event_ids() -> None:
    sender = RecordingSender(CODEC)
    runner = StageRunner("intent", (ChatTurn,), explode, CODEC, sender)
    data = CODEC.encode(turn())
    await runner(message(data))
    await runner(message(data))
    first, second = sender.on(DEADLETTER)
    assert first.event_id == second.event_id


@pytest.mark.parametrize("key", [b"", b"\xff\xfe"])
async def test_odd_keys_still_give_a_dead_letter(key: bytes) -> None:
    sender = RecordingSender(CODEC)
    await StageRunner("intent", (ChatTurn,), echo, CODEC, sender)(message(b"junk", key=key))
    assert len(sender.on(DEADLETTER)) == 1
