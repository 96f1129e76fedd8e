"""The warehouse goes away while events flow: the sink pauses, retries, shows its lag, and
loses nothing.

The sink reaches PostgreSQL through a TCP proxy in this test; closing the proxy
(refusing connections and cutting the open ones) is the outage. Events are sent
one per record batch: Tansu 0.6 answers a ListOffsets for the latest offset with
the last batch's base offset + 1, so only then is the lag it reports exact.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from analytics import WarehouseSettings, sink_from_settings
from analytics.bench import wait_for_count
from connectors.kafka import ensure_topics, free_loopback_port
from mangaassist.inspect.topics import topic_report
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack
from schemas import SessionEvent, default_codec
from streams.settings import KafkaSettings
from streams.topics import SESSIONS, topic_name
from streams.worker import READY_LINE
from tests.integration.conftest import POSTGRES_URL

BEFORE, DURING = 2_000, 3_000
RETRY = re.compile(
    r"warehouse unavailable \(attempt (\d+)\), retrying \d+ rows in ([\d.]+) s; "
    r"sink paused, backlog ([\d,]+) events"
)


def progress(message: str) -> None:
    print(f"[warehouse-down] {message}", file=sys.stderr, flush=True)


class Proxy:
    """Forwards a loopback port to PostgreSQL until :meth:`down`, and again after :meth:`up`."""

    def __init__(self, host: str, port: int) -> None:
        self.port = free_loopback_port()
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        server_w: asyncio.StreamWriter | None = None
        try:
            server_r, server_w = await asyncio.open_connection(*self._target)
            await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))
        finally:
            for writer in (client_w, server_w):
                if writer is not None:
                    writer.transport.abort()
            self._pipes.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


async def produce(bootstrap: str, topic: str, events: int, prefix: str) -> None:
    """``events`` session events, each acknowledged before the next is sent."""
    codec = default_codec()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for i in range(events):
            event = SessionEvent(
                session_id=f"{prefix}{i}", turn_id="", kind="created", locale="ja", channel="ws"
            )
            await producer.send_and_wait(topic, codec.encode(event), key=event.session_id.encode())
    finally:
        await producer.stop()


def via(url: str, port: int) -> str:
    parts = urlsplit(url)
    userinfo, _, _ = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@127.0.0.1:{port}".lstrip("@")))


async def lag(kafka: KafkaSettings, group: str) -> int:
    """The group's lag on chat.sessions, as ``mangaassist topics`` shows it."""
    topic = topic_name(SESSIONS, kafka.topic_prefix)
    return sum(row.lag[group] for row in await topic_report(kafka) if row.topic == topic)


async def wait_for_lag(kafka: KafkaSettings, group: str, expected: int) -> None:
    """Until the lag is ``expected`` (commits follow the writes by a moment)."""
    deadline = time.monotonic() + 10
    while (behind := await lag(kafka, group)) != expected:
        assert time.monotonic() < deadline, f"lag {behind}, expected {expected}"
        await asyncio.sleep(0.2)


def retries(log: str) -> list[tuple[int, float, int]]:
    return [
        (int(attempt), float(delay), int(backlog.replace(",", "")))
        for attempt, delay, backlog in RETRY.findall(log)
    ]


async def wait_for_retry(child: ChildProcess, check: object, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        seen = retries(child.log_path.read_text("utf-8"))
        if seen and callable(check) and check(seen):
            return
        assert time.monotonic() < deadline, f"no such retry line in {child.log_path}: {seen}"
        await asyncio.sleep(0.2)


async def test_the_sink_waits_out_a_warehouse_outage_and_then_writes_every_event_once(
    stack: LocalStack,
) -> None:
    run = uuid.uuid4().hex[:8]
    prefix, schema, app_id = f"down-{run}.", f"down_{run}", f"down-{run}"
    kafka = stack.kafka.model_copy(update={"topic_prefix": prefix, "app_id": app_id})
    group = f"{app_id}-analytics"
    target = urlsplit(POSTGRES_URL)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 5432)
    env = {
        "MANGAASSIST_KAFKA_TOPIC_PREFIX": prefix,
        "MANGAASSIST_KAFKA_APP_ID": app_id,
        "MANGAASSIST_WAREHOUSE_URL": via(POSTGRES_URL, proxy.port),
        "MANGAASSIST_WAREHOUSE_SCHEMA_NAME": schema,
        "MANGAASSIST_WAREHOUSE_BATCH_AGE_S": "0.2",
    }
    await ensure_topics(kafka)
    await proxy.up()
    # Counted straight from PostgreSQL, not through the proxy.
    sink = sink_from_settings(WarehouseSettings(url=SecretStr(POSTGRES_URL), schema_name=schema))
    worker = ChildProcess.mangaassist(
        "sink-warehouse-down",
        ["worker", "analytics"],
        stack.log_dir,
        env={**stack.env, **env},
        ready_line=READY_LINE.format(role="analytics"),
    )
    topic = topic_name(SESSIONS, prefix)
    worker.start()
    try:
        await asyncio.to_thread(worker.wait_ready, 60)
        progress(f"sink ready; {BEFORE} events with the warehouse up")
        await produce(kafka.bootstrap_servers, topic, BEFORE, "up-")
        await wait_for_count(sink, BEFORE, 60)
        await wait_for_lag(kafka, group, 0)

        progress(f"warehouse down; {DURING} events while it is away")
        await proxy.down()
        await produce(kafka.bootstrap_servers, topic, DURING, "down-")
        # Backoff doubles up to its 5 s cap; each attempt's line shows the whole backlog.
        await wait_for_retry(worker, lambda seen: seen[-1][1] == 5.0 and seen[-1][2] == DURING)
        seen = retries(worker.log_path.read_text("utf-8"))
        progress(f"retry lines: {seen}")
        attempts = [attempt for attempt, _, _ in seen]
        delays = [delay for _, delay, _ in seen]
        assert attempts == list(range(1, len(seen) + 1))
        assert delays[:6] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0]
        assert max(delays) == 5.0
        assert await asyncio.to_thread(sink.count) == BEFORE
        assert await lag(kafka, group) == DURING
        assert worker.returncode is None

        progress("warehouse back; waiting for the backlog")
        await proxy.up()
        await wait_for_count(sink, BEFORE + DURING, 60)
        await asyncio.sleep(1.5)  # a second copy of any batch would land in this window
        assert await asyncio.to_thread(sink.count) == BEFORE + DURING
        await wait_for_lag(kafka, group, 0)
        assert "warehouse available again" in worker.log_path.read_text("utf-8")
        progress("every event landed once; the lag is back to 0")
    finally:
        await asyncio.to_thread(worker.stop)
        await proxy.down()
        sink.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
