"""``mangaassist replay`` against the real stack: a conversation replayed in a sandbox.

The conversation goes through the bridge, the pipeline worker (memory in
Redis) and the analytics worker (into PostgreSQL); the replay reads it back
from the topics, re-runs it in prefixed topics with a worker of its own and
the recorded LLM answers, and compares the replies.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from analytics import WarehouseSink
from mangaassist.stack import LocalStack
from schemas import ChatTurn, default_codec
from streams.topics import TURN_ID_HEADER
from tests.integration.chat import Frame, connected, frames_until_final, wait_for_rows
from tests.integration.mangaassist.test_commands import mangaassist

# A product search, a follow-up resolved from memory, two policy questions the
# LLM answers, and a greeting on the template path.
CONVERSATION = (
    "The Clock Tower Knight kindle",
    "How much is the second one you mentioned?",
    "Can I return a damaged volume?",
    "how much is shipping to Okinawa?",
    "hello!",
)


def broker_env(stack: LocalStack) -> dict[str, str]:
    return {"MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS": stack.kafka.bootstrap_servers}


async def _converse(stack: LocalStack) -> tuple[str, list[Frame]]:
    session_id, socket = await connected(stack.base_url, "en")
    finals = []
    async with socket:
        for text in CONVERSATION:
            await socket.send(json.dumps({"type": "message", "text": text}))
            finals.append((await frames_until_final(socket, 1))[-1])
    return session_id, finals


@pytest.fixture(scope="module")
def conversation(stack: LocalStack) -> tuple[str, list[Frame]]:
    session_id, finals = asyncio.run(_converse(stack))
    assert [f["status"] for f in finals] == ["ok"] * len(CONVERSATION)
    assert [f["path"] for f in finals] == ["retrieval", "retrieval", "llm", "llm", "template"]
    assert finals[1]["intent"] == "product_question"
    return session_id, finals


async def _broker_topics(stack: LocalStack) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka.bootstrap_servers)
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def _records(stack: LocalStack, topic: str, session_id: str) -> list[dict[str, object]]:
    done = mangaassist("dump", topic, "--session", session_id, env=broker_env(stack))
    if done.returncode == 2 and "no events of session" in done.stderr:
        return []
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


async def _settled_rows(sink: WarehouseSink, session_id: str) -> list[dict[str, object]]:
    """The session's warehouse rows once the analytics worker has stopped adding any."""
    await wait_for_rows(sink, session_id, {"ChatTurn", "FinalReply", "LlmCompletion"})
    rows = await asyncio.to_thread(sink.events_for_session, session_id)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)  # several batches of the analytics worker
        again = await asyncio.to_thread(sink.events_for_session, session_id)
        if len(again) == len(rows):
            return again
        rows = again
    return rows


async def test_a_replayed_session_gives_every_reply_again_and_leaves_no_trace(
    stack: LocalStack,
    conversation: tuple[str, list[Frame]],
    e2e_sink: WarehouseSink,
    tmp_path: Path,
) -> None:
    session_id, finals = conversation
    rows_before = await _settled_rows(e2e_sink, session_id)
    assert {"ChatTurn", "FinalReply", "LlmCompletion"} <= {
        str(r["event_type"]) for r in rows_before
    }
    responses_before = _records(stack, "chat.responses", session_id)

    started = time.monotonic()
    done = await asyncio.to_thread(
        mangaassist,
        "replay",
        session_id,
        "--json",
        "--work-dir",
        str(tmp_path),
        env=broker_env(stack),
        timeout_s=120,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["identical"] is True
    turns = report["turns"]
    assert [t["question"] for t in turns] == list(CONVERSATION)
    assert [t["new"]["text"] for t in turns] == [f["text"] for f in finals]
    assert all(t["identical"] and t["diff"] == [] for t in turns)
    # The LLM turns were answered from the recordings, matched by their prompt digest.
    llm_turns = [t for t in turns if t["new"]["path"] == "llm"]
    assert len(llm_turns) == 2
    assert all(t["notes"] == [] for t in llm_turns)
    assert all(t["new"]["completion_tokens"] > 0 for t in llm_turns)
    print(f"replay of {len(turns)} turns: {seconds:.1f} s wall, {report['seconds']}")

    prefix = report["sandbox"]["prefix"]
    assert prefix.startswith("replay-")
    assert report["sandbox"]["deleted_topics"] >= 12
    assert not [t for t in await _broker_topics(stack) if t.startswith(report["sandbox"]["app_id"])]
    recordings = (tmp_path / report["sandbox"]["app_id"] / "llm-recordings.jsonl").read_text()
    assert len(recordings.splitlines()) == 2

    # Nothing reached the real topics, the bridge or the warehouse.
    assert _records(stack, "chat.responses", session_id) == responses_before
    rows_after = await _settled_rows(e2e_sink, session_id)
    assert len(rows_after) == len(rows_before)
    assert not [r for r in rows_after if str(r["topic"]).startswith("replay-")]


async def test_a_changed_setting_shows_the_turns_it_changes(
    stack: LocalStack, conversation: tuple[str, list[Frame]], tmp_path: Path
) -> None:
    session_id, _ = conversation
    done = await asyncio.to_thread(
        mangaassist,
        "replay",
        session_id,
        "--env",
        "MANGAASSIST_LLM_MAX_TOKENS=40",
        "--keep",
        "--work-dir",
        str(tmp_path),
        env=broker_env(stack),
        timeout_s=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    sections = out.split("\nturn ")[1:]
    assert len(sections) == len(CONVERSATION)
    assert "= identical (retrieval" in sections[0]
    assert "= identical (retrieval" in sections[1]
    assert "≠ differs: " in sections[2]
    assert "completion_tokens" in sections[2]
    assert "--- original" in sections[2]
    assert "+++ replay" in sections[2]
    assert any(line.startswith("    -") for line in sections[2].splitlines())
    assert "= identical (template" in sections[4]
    assert "3 of 5 replies identical, 2 different" in out
    assert "sandbox kept: topics replay-" in out
    # --keep left the sandbox topics for a look; remove them now.
    app_id = out.split("group ")[1].split("-pipeline")[0]
    kept = [t for t in await _broker_topics(stack) if t.startswith(app_id)]
    assert f"{app_id}.chat.responses" in kept
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics(kept)
    finally:
        await admin.close()


async def test_a_turn_that_cannot_be_decoded_is_reported_and_fails_the_replay(
    stack: LocalStack, tmp_path: Path
) -> None:
    session_id = f"replay-corrupt-{uuid.uuid4().hex[:8]}"
    good = ChatTurn(session_id=session_id, turn_id=uuid.uuid4().hex, text="hello!", locale="en")
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            "chat.turns",
            default_codec().encode(good),
            key=session_id.encode(),
            headers=[(TURN_ID_HEADER, good.turn_id.encode())],
        )
        await producer.send_and_wait(
            "chat.turns", b"\x00\x00\x00\x00\x07garbage", key=session_id.encode()
        )
    finally:
        await producer.stop()
    deadline = time.monotonic() + 20
    while not any(
        r.get("event_type") == "FinalReply"
        for r in await asyncio.to_thread(_records, stack, "chat.responses", session_id)
    ):
        assert time.monotonic() < deadline, "the pipeline did not answer the good turn"
        await asyncio.sleep(0.3)
    done = await asyncio.to_thread(
        mangaassist,
        "replay",
        session_id,
        "--work-dir",
        str(tmp_path),
        env=broker_env(stack),
        timeout_s=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 of 1 replies identical" in done.stdout
    assert "not replayed, cannot be decoded: chat.turns[" in done.stdout
    assert "cannot resolve schema id" in done.stdout


def test_bad_replays_get_a_clear_message_and_no_traceback(
    stack: LocalStack, conversation: tuple[str, list[Frame]]
) -> None:
    session_id, _ = conversation
    env = broker_env(stack)
    cases = [
        (("replay", "no-such-session"), env, "no turns of session 'no-such-session' on chat.turns"),
        (
            ("replay", session_id, "--since", "2030-01-01T00:00:00"),
            env,
            "in the time range asked for",
        ),
        (
            ("replay", session_id, "--env", "MANGAASSIST_KAFKA_TOPIC_PREFIX=x."),
            env,
            "the sandbox sets it itself",
        ),
        (
            ("replay", session_id),
            {**env, "MANGAASSIST_KAFKA_TOPIC_PREFIX": "staging."},
            "no topic named 'staging.chat.turns'",
        ),
        (("replay", session_id, "--since", "yesterday"), env, "not an ISO 8601 time"),
    ]
    for args, case_env, message in cases:
        done = mangaassist(*args, env=case_env)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
