"""Undecodable input on the real broker: dead-lettered, answered, and the pipeline goes on."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from mangaassist.stack import LocalStack
from schemas import ChatTurn, DeadLetter, Event, FinalReply, default_codec
from streams.topics import DEADLETTER, RESPONSES, TURNS


async def session_events(
    consumer: AIOKafkaConsumer, session_id: str, finals: int, letters: int, timeout_s: float = 20.0
) -> list[Event]:
    """The session's events, until it has ``finals`` final replies and ``letters`` dead letters."""
    codec = default_codec()
    events: list[Event] = []
    async with asyncio.timeout(timeout_s):
        while (
            sum(isinstance(e, FinalReply) for e in events) < finals
            or sum(isinstance(e, DeadLetter) for e in events) < letters
        ):
            for records in (await consumer.getmany(timeout_ms=100)).values():
                decoded = (codec.decode(r.value) for r in records)
                events += [e for e in decoded if e.session_id == session_id]
    return events


async def test_garbage_is_dead_lettered_and_the_next_turn_is_answered(stack: LocalStack) -> None:
    session = f"dlq-{uuid.uuid4().hex[:8]}"
    servers = stack.kafka.bootstrap_servers
    consumer = AIOKafkaConsumer(
        DEADLETTER.name, RESPONSES.name, bootstrap_servers=servers, auto_offset_reset="latest"
    )
    producer = AIOKafkaProducer(bootstrap_servers=servers)
    await consumer.start()
    await producer.start()
    try:
        while len(consumer.assignment()) < 2 * stack.kafka.partitions:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        for tp in consumer.assignment():
            await consumer.position(tp)
        good = ChatTurn(session_id=session, turn_id="good-turn", text="hello", locale="en")
        await producer.send_and_wait(
            TURNS.name,
            b"\x00\x00\x00\x00\x07garbage",
            key=session.encode(),
            headers=[("turn_id", b"bad-turn")],
        )
        await producer.send_and_wait(TURNS.name, default_codec().encode(good), key=session.encode())
        # Both readers of chat.turns fail on it: the intent stage and the analytics sink.
        events = await session_events(consumer, session, finals=2, letters=2)
    finally:
        await producer.stop()
        await consumer.stop()
    letters = [e for e in events if isinstance(e, DeadLetter)]
    finals = {e.turn_id: e for e in events if isinstance(e, FinalReply)}
    assert sorted((d.stage, d.turn_id, d.payload) for d in letters) == [
        ("analytics", "bad-turn", b"\x00\x00\x00\x00\x07garbage"),
        ("intent", "bad-turn", b"\x00\x00\x00\x00\x07garbage"),
    ]
    assert finals["bad-turn"].status == "error"
    assert finals["good-turn"].status == "ok"
