"""Kill the analytics sink mid-batch and restart it: exactly one row per event."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import Callable

import psycopg
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from analytics import WarehouseSettings, WarehouseSink, sink_from_settings
from connectors.kafka import ensure_topics
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack
from schemas import SessionEvent, default_codec
from streams.topics import SESSIONS, topic_name
from streams.worker import READY_LINE
from tests.integration.conftest import POSTGRES_URL

EVENTS = 20_000


def sink_worker(stack: LocalStack, env: dict[str, str], name: str) -> ChildProcess:
    worker = ChildProcess.mangaassist(
        name,
        ["worker", "analytics"],
        stack.log_dir,
        env={**stack.env, **env},
        ready_line=READY_LINE.format(role="analytics"),
    )
    worker.start()
    return worker


async def wait_for_count(sink: WarehouseSink, done: Callable[[int], bool], timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    count = 0
    while time.monotonic() < deadline:
        count = await asyncio.to_thread(sink.count)
        if done(count):
            return count
        await asyncio.sleep(0.05)
    return count


async def test_a_killed_sink_restarts_without_losing_or_doubling_a_row(stack: LocalStack) -> None:
    prefix = f"crash-{uuid.uuid4().hex[:8]}."
    schema = f"crash_{uuid.uuid4().hex[:10]}"
    env = {
        # Topics and a warehouse schema of its own: the rest of the suite is not disturbed.
        "MANGAASSIST_KAFKA_TOPIC_PREFIX": prefix,
        "MANGAASSIST_KAFKA_APP_ID": f"crash-{uuid.uuid4().hex[:6]}",
        "MANGAASSIST_WAREHOUSE_URL": POSTGRES_URL,
        "MANGAASSIST_WAREHOUSE_SCHEMA_NAME": schema,
        "MANGAASSIST_WAREHOUSE_BATCH_SIZE": "500",
    }
    kafka = stack.kafka.model_copy(update={"topic_prefix": prefix})
    await ensure_topics(kafka)
    codec = default_codec()
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, linger_ms=5)
    await producer.start()
    try:
        sends = []
        for i in range(EVENTS):
            event = SessionEvent(
                session_id=f"s{i % 997}", turn_id="", kind="created", locale="ja", channel="ws"
            )
            sends.append(
                await producer.send(
                    topic_name(SESSIONS, prefix), codec.encode(event), key=event.session_id.encode()
                )
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()

    settings = WarehouseSettings(url=SecretStr(POSTGRES_URL), schema_name=schema)
    sink = sink_from_settings(settings)
    first = sink_worker(stack, env, "sink-first")
    try:
        await asyncio.to_thread(first.wait_ready, 60)
        await asyncio.to_thread(sink.setup)
        at_kill = await wait_for_count(sink, lambda n: n >= 2_000, 60)
        first.signal(signal.SIGKILL)  # mid-stream: batches written, offsets maybe not committed
        await asyncio.to_thread(first.wait, 10)
        assert 0 < at_kill < EVENTS, "the kill did not land mid-stream; the test proves nothing"

        second = sink_worker(stack, env, "sink-second")
        try:
            await asyncio.to_thread(second.wait_ready, 60)
            final = await wait_for_count(sink, lambda n: n >= EVENTS, 120)
            await asyncio.sleep(2.0)  # a redelivered batch would land in this window
            settled = await asyncio.to_thread(sink.count)
        finally:
            await asyncio.to_thread(second.stop)
    finally:
        await asyncio.to_thread(first.stop)
        sink.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    assert final == settled == EVENTS
