"""``mangaassist deadletters`` and ``mangaassist redrive`` against the real stack."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from analytics import WarehouseSink
from mangaassist.stack import LocalStack
from schemas import ChatTurn, DeadLetter, default_codec
from streams.topics import TURN_ID_HEADER
from tests.integration.mangaassist.test_commands import mangaassist

GARBAGE = b"\x00\x00\x00\x00\x07garbage"


def broker_env(stack: LocalStack) -> dict[str, str]:
    return {"MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS": stack.kafka.bootstrap_servers}


async def _send(stack: LocalStack, topic: str, value: bytes, session_id: str, turn_id: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, key=session_id.encode(), headers=[(TURN_ID_HEADER, turn_id.encode())]
        )
    finally:
        await producer.stop()


async def _lines(stack: LocalStack, *args: str) -> list[dict[str, Any]]:
    done = await asyncio.to_thread(mangaassist, *args, env=broker_env(stack))
    if done.returncode == 2 and "no " in done.stderr:
        return []
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


async def _until(stack: LocalStack, count: int, *args: str) -> list[dict[str, Any]]:
    """The JSON lines of the command once there are at least ``count``."""
    deadline = time.monotonic() + 30
    while True:
        lines = await _lines(stack, *args)
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        await asyncio.sleep(0.3)


def _finals(lines: list[dict[str, Any]], turn_id: str) -> list[dict[str, Any]]:
    return [
        line["event"]
        for line in lines
        if line.get("event_type") == "FinalReply" and line["event"]["turn_id"] == turn_id
    ]


async def test_a_corrupt_turn_is_listed_and_a_corrected_one_redriven(
    stack: LocalStack, tmp_path: Path
) -> None:
    session_id, turn_id = f"dlq-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await _send(stack, "chat.turns", GARBAGE, session_id, turn_id)
    # Both readers of chat.turns fail on it: the intent stage and the analytics sink.
    letters = await _until(stack, 2, "deadletters", "--session", session_id, "--json")
    assert sorted(letter["stage"] for letter in letters) == ["analytics", "intent"]
    assert {letter["turn_id"] for letter in letters} == {turn_id}
    assert {letter["source_topic"] for letter in letters} == {"chat.turns"}
    assert all("cannot resolve schema id" in letter["error_message"] for letter in letters)
    ids = [letter["event_id"] for letter in letters]

    table = await asyncio.to_thread(
        mangaassist, "deadletters", "--stage", "intent", env=broker_env(stack)
    )
    assert table.returncode == 0, table.stderr
    [intent_id] = [letter["event_id"] for letter in letters if letter["stage"] == "intent"]
    row = next(line for line in table.stdout.splitlines() if intent_id in line)
    assert " intent " in row
    assert "DecodeError" in row

    # The original still cannot be decoded: redrive says so instead of sending it.
    refused = await asyncio.to_thread(
        mangaassist, "redrive", *ids, "--dry-run", env=broker_env(stack)
    )
    assert refused.returncode == 2
    assert "still cannot be decoded" in refused.stderr
    assert "Traceback" not in refused.stderr

    fixed = ChatTurn(session_id=session_id, turn_id=turn_id, text="hello!", locale="en")
    payload = tmp_path / "fixed.json"
    payload.write_text(
        json.dumps({"event_type": "ChatTurn", "event": fixed.model_dump(mode="json")}),
        encoding="utf-8",
    )
    args = ("redrive", *ids, "--payload-json", str(payload))
    dry = await asyncio.to_thread(mangaassist, *args, "--dry-run", env=broker_env(stack))
    assert dry.returncode == 0, dry.stderr
    assert "dry run: 1 records for 2 dead letters, nothing sent" in dry.stdout
    assert f"ChatTurn turn {turn_id}" in dry.stdout
    unasked = await asyncio.to_thread(mangaassist, *args, env=broker_env(stack))
    assert unasked.returncode == 2
    assert "add --yes" in unasked.stderr

    sent = await asyncio.to_thread(mangaassist, *args, "--yes", env=broker_env(stack))
    assert sent.returncode == 0, sent.stderr
    assert "sent to chat.turns[" in sent.stdout
    responses = await _until(stack, 1, "dump", "chat.responses", "--session", session_id)
    deadline = time.monotonic() + 30
    while not [f for f in _finals(responses, turn_id) if f["status"] == "ok"]:
        assert time.monotonic() < deadline, responses
        await asyncio.sleep(0.3)
        responses = await _lines(stack, "dump", "chat.responses", "--session", session_id)
    statuses = [f["status"] for f in _finals(responses, turn_id)]
    assert statuses == ["error", "ok"]  # the error reply of the corrupt one, then the answer


async def test_redriving_a_dead_letter_twice_is_processed_once(
    stack: LocalStack, e2e_sink: WarehouseSink
) -> None:
    """A stage failed on a good turn (a bug since fixed): its original bytes are sent back."""
    codec = default_codec()
    session_id = f"dlq-{uuid.uuid4().hex[:8]}"
    turn = ChatTurn(session_id=session_id, turn_id=uuid.uuid4().hex, text="hello!", locale="en")
    letter = DeadLetter(
        session_id=session_id,
        turn_id=turn.turn_id,
        stage="intent",
        source_topic="chat.turns",
        source_partition=0,
        source_offset=10**9,  # no longer on the topic: key and headers come from the letter
        error_type="RuntimeError",
        error_message="a bug, fixed since",
        payload=codec.encode(turn),
    )
    await _send(stack, "chat.deadletter", codec.encode(letter), session_id, turn.turn_id)
    await _until(stack, 1, "deadletters", "--session", session_id, "--json")

    dry = await asyncio.to_thread(
        mangaassist, "redrive", letter.event_id, "--dry-run", env=broker_env(stack)
    )
    assert dry.returncode == 0, dry.stderr
    assert f"ChatTurn turn {turn.turn_id}, " in dry.stdout
    assert f"key {session_id}, headers turn_id={turn.turn_id}" in dry.stdout
    assert "rebuilt from the dead letter" in dry.stdout

    for _ in range(2):
        done = await asyncio.to_thread(
            mangaassist, "redrive", letter.event_id, "--yes", "--json", env=broker_env(stack)
        )
        assert done.returncode == 0, done.stderr
        assert "sending them again is safe" in done.stderr
        [sent] = [json.loads(line) for line in done.stdout.splitlines()]
        assert sent["sent_to"] is not None
    responses = await _until(stack, 1, "dump", "chat.responses", "--session", session_id)
    deadline = time.monotonic() + 30
    while len(_finals(responses, turn.turn_id)) < 2:
        assert time.monotonic() < deadline, responses
        await asyncio.sleep(0.3)
        responses = await _lines(stack, "dump", "chat.responses", "--session", session_id)
    first, second = _finals(responses, turn.turn_id)
    assert first["status"] == "ok"
    assert second["event_id"] == first["event_id"]  # the same reply: its id is derived
    deadline = time.monotonic() + 20
    while True:
        rows = await asyncio.to_thread(e2e_sink.events_for_session, session_id)
        finals = [r for r in rows if r["event_type"] == "FinalReply"]
        if finals or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.3)
    await asyncio.sleep(1.0)  # the second copy's batch
    rows = await asyncio.to_thread(e2e_sink.events_for_session, session_id)
    assert [r["event_id"] for r in rows if r["event_type"] == "FinalReply"] == [first["event_id"]]
    assert len([r for r in rows if r["event_type"] == "ChatTurn"]) == 1


def test_bad_dead_letter_requests_get_a_clear_message_and_no_traceback(
    stack: LocalStack,
) -> None:
    env = broker_env(stack)
    cases = [
        (("deadletters", "--stage", "no-such-stage"), "no dead letters of stage 'no-such-stage'"),
        (("deadletters", "--since", "2030-01-01"), "no dead letters in the time range asked for"),
        (("redrive", "f" * 32, "--dry-run"), f"no dead letter with event id {'f' * 32}"),
        (("deadletters", "--until", "tomorrow"), "not an ISO 8601 time"),
    ]
    for args, message in cases:
        done = mangaassist(*args, env=env)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    prefixed = mangaassist("deadletters", env={**env, "MANGAASSIST_KAFKA_TOPIC_PREFIX": "nope."})
    assert prefixed.returncode == 2
    assert "no topic named 'nope.chat.deadletter'" in prefixed.stderr
