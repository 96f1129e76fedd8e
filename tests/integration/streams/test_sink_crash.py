"""Kill the analytics sink mid-batch and restart it: exactly one row per event."""

from __future__ import annotations

import asyncio
import signal
import uuid

import psycopg
from pydantic import SecretStr

from analytics import WarehouseSettings, sink_from_settings
from analytics.bench import produce, wait_for_count
from connectors.kafka import ensure_topics
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack
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
    await produce(kafka.bootstrap_servers, topic_name(SESSIONS, prefix), EVENTS, "s", None)

    settings = WarehouseSettings(url=SecretStr(POSTGRES_URL), schema_name=schema)
    sink = sink_from_settings(settings)
    first = sink_worker(stack, env, "sink-first")
    try:
        await asyncio.to_thread(first.wait_ready, 60)
        await asyncio.to_thread(sink.setup)
        await wait_for_count(sink, 2_000, 60)
        at_kill = await asyncio.to_thread(sink.count)
        first.signal(signal.SIGKILL)  # mid-stream: batches written, offsets maybe not committed
        await asyncio.to_thread(first.wait, 10)
        assert 0 < at_kill < EVENTS, "the kill did not land mid-stream; the test proves nothing"

        second = sink_worker(stack, env, "sink-second")
        try:
            await asyncio.to_thread(second.wait_ready, 60)
            await wait_for_count(sink, EVENTS, 120)
            final = await asyncio.to_thread(sink.count)
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
