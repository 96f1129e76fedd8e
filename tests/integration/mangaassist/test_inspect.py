"""The operators' tools against the real broker: topics, and dumps of one session."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from mangaassist.stack import LocalStack
from tests.integration.chat import connected, frames_until_final
from tests.integration.mangaassist.test_commands import mangaassist


def broker_env(stack: LocalStack) -> dict[str, str]:
    return {"MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS": stack.kafka.bootstrap_servers}


async def chatted_session(stack: LocalStack) -> str:
    session_id, socket = await connected(stack.base_url, "en")
    async with socket:
        await socket.send(json.dumps({"type": "message", "text": "how much is shipping?"}))
        await frames_until_final(socket, 1)
    return session_id


async def test_dump_prints_one_sessions_events_as_json_lines(stack: LocalStack) -> None:
    session_id = await chatted_session(stack)
    done = mangaassist("dump", "chat.turns", "--session", session_id, env=broker_env(stack))
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(text) for text in done.stdout.splitlines()]
    assert (line["event_type"], line["key"]) == ("ChatTurn", session_id)
    assert line["event"]["text"] == "how much is shipping?"
    assert "printed 1" in done.stderr


async def test_dump_reports_a_corrupt_record_and_exits_non_zero(stack: LocalStack) -> None:
    session_id = f"corrupt-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait("chat.turns", b"\x00junk", key=session_id.encode())
    finally:
        await producer.stop()
    done = mangaassist("dump", "chat.turns", "--session", session_id, env=broker_env(stack))
    assert done.returncode == 1
    [line] = [json.loads(text) for text in done.stdout.splitlines()]
    assert line["key"] == session_id
    assert "cannot resolve schema id" in line["error"]
    assert "Traceback" not in done.stderr


def test_bad_requests_get_a_clear_message_and_no_traceback(stack: LocalStack) -> None:
    cases = [
        (("dump", "chat.nothing"), "no topic named 'chat.nothing'"),
        (("dump", "chat.turns", "--session", "no-such-session"), "no events of session"),
        (
            ("dump", "chat.turns", "--since", "2030-01-01T00:00:00"),
            "no events on chat.turns in the range",
        ),
        (
            ("dump", "chat.turns", "--since", "2026-01-02", "--until", "2026-01-01"),
            "is not after",
        ),
        (("dump", "chat.turns", "--since", "yesterday"), "not an ISO 8601 time"),
    ]
    for args, message in cases:
        done = mangaassist(*args, env=broker_env(stack))
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


async def test_topics_lists_offsets_and_the_workers_lag(stack: LocalStack) -> None:
    await chatted_session(stack)
    done = mangaassist("topics", "--json", env=broker_env(stack))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(text) for text in done.stdout.splitlines()]
    turns = [r for r in rows if r["topic"] == "chat.turns"]
    assert len(turns) == stack.kafka.partitions
    changes = [r for r in rows if r["topic"] in ("catalog.changes", "promotions.changes")]
    assert len(changes) == 2  # one partition each, whatever the cluster's default
    assert sum(r["end_offset"] for r in turns) > 0
    assert set(turns[0]["lag"]) == {"mangaassist-pipeline", "mangaassist-analytics"}
    assert all(lag >= 0 for r in turns for lag in r["lag"].values())


async def test_dump_honours_a_time_range(stack: LocalStack) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    session_id = await chatted_session(stack)
    env = broker_env(stack)
    inside = mangaassist(
        "dump", "chat.turns", "--session", session_id, "--since", before.isoformat(), env=env
    )
    earlier = mangaassist(
        "dump", "chat.turns", "--session", session_id, "--until", before.isoformat(), env=env
    )
    assert inside.returncode == 0, inside.stderr
    assert len(inside.stdout.splitlines()) == 1
    assert earlier.returncode == 2
    assert "no events of session" in earlier.stderr
