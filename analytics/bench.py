"""``mangaassist bench-sink``: events per second from Kafka into PostgreSQL, and freshness.

One analytics worker (one sink process) against the real broker and PostgreSQL:

* floor: the sink's own ``write`` of ready-made rows, no Kafka, same batch size;
* drain: a backlog of ``--events`` events on the topics, timed from the worker's
  ready line to the last row;
* freshness: events produced at ``--rate`` per second for ``--seconds``; each
  row's ``ingested_at - ts`` says how long an event took to become queryable.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from analytics.factory import sink_from_settings
from analytics.rows import to_row
from analytics.settings import WarehouseSettings
from analytics.sink import WarehouseSink
from connectors.kafka import LocalBrokerSettings, free_loopback_port
from mangaassist.bench import emit_json, progress
from schemas import SessionEvent, default_codec
from streams.topics import SESSIONS, topic_name

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REPORT_EVERY_S = 5.0


def _event(session_id: str) -> SessionEvent:
    return SessionEvent(
        session_id=session_id, turn_id="", kind="created", locale="ja", channel="ws"
    )


def measure_floor(settings: WarehouseSettings, events: int) -> dict[str, Any]:
    sink = sink_from_settings(settings)
    try:
        sink.setup()
        rows = [to_row(SESSIONS.name, _event(f"floor-{i}")) for i in range(events)]
        started = time.perf_counter()
        for start in range(0, events, settings.batch_size):
            sink.write(rows[start : start + settings.batch_size])
        seconds = time.perf_counter() - started
    finally:
        sink.close()
    return {"events": events, "seconds": round(seconds, 3), "events_per_s": round(events / seconds)}


async def produce(bootstrap: str, topic: str, events: int, prefix: str, rate: float | None) -> None:
    codec = default_codec()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = []
        for i in range(events):
            if rate:
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            event = _event(f"{prefix}{i % 1009}")
            key = event.session_id.encode()
            pending.append(await producer.send(topic, codec.encode(event), key=key))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def wait_for_count(
    sink: WarehouseSink,
    target: int,
    timeout_s: float,
    report: Callable[[str], None] | None = None,
) -> float:
    """Seconds until the warehouse holds ``target`` rows (to within 50 ms).

    ``report``, if given, hears how far it got every few seconds.
    """
    started = reported = time.perf_counter()
    first = count = await asyncio.to_thread(sink.count)
    while count < target:
        elapsed = time.perf_counter() - started
        if report is not None and time.perf_counter() - reported >= REPORT_EVERY_S:
            report(f"{count:,} of {target:,} rows after {elapsed:.0f} s")
            reported = time.perf_counter()
        if elapsed > timeout_s:
            raise TimeoutError(f"fewer than {target} rows after {timeout_s:.0f} s")
        # Counting scans the table, on the cores the sink runs on: poll seldom while
        # far from the target, every 50 ms near it.
        rate = (count - first) / elapsed if elapsed else 0.0
        wait = (target - count) / rate / 4 if rate else 0.05
        await asyncio.sleep(min(max(wait, 0.05), 0.5))
        count = await asyncio.to_thread(sink.count)
    return time.perf_counter() - started


def freshness(sink: WarehouseSink) -> dict[str, float]:
    [row] = sink.query(
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,"
        " percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, max(lag) AS max"
        " FROM (SELECT extract(epoch FROM ingested_at - ts) * 1000 AS lag FROM chat_events"
        " WHERE session_id LIKE 'fresh-%') AS lags"
    )
    return {key: round(float(value), 1) for key, value in row.items()}


async def run_sink_bench(args: argparse.Namespace) -> dict[str, Any]:
    from mangaassist.stack import LocalStack

    run_id = uuid.uuid4().hex[:8]
    schema = f"bench_sink_{run_id}"
    settings = WarehouseSettings(url=SecretStr(args.postgres_url), schema_name=schema)
    floor_settings = settings.model_copy(update={"schema_name": f"{schema}_floor"})
    try:
        progress(f"floor: {args.events} rows straight into PostgreSQL")
        floor = await asyncio.to_thread(measure_floor, floor_settings, args.events)
        prefix = f"bench-sink-{run_id}."
        env = {
            "MANGAASSIST_KAFKA_TOPIC_PREFIX": prefix,
            "MANGAASSIST_WAREHOUSE_URL": args.postgres_url,
            "MANGAASSIST_WAREHOUSE_SCHEMA_NAME": schema,
        }
        broker = LocalBrokerSettings(port=free_loopback_port())
        stack = LocalStack(
            broker, None, roles=("analytics",), log_dir=Path("var/log/bench"), env=env
        )
        stack.kafka = stack.kafka.model_copy(update={"topic_prefix": prefix})
        await stack.start_broker(progress)
        try:
            topic = topic_name(SESSIONS, prefix)
            progress(f"drain: producing a backlog of {args.events} events")
            await produce(stack.kafka.bootstrap_servers, topic, args.events, "backlog-", None)
            sink = sink_from_settings(settings)
            try:
                started = time.perf_counter()
                await stack.start_processes(progress)
                ready_s = time.perf_counter() - started
                drain_s = await wait_for_count(sink, args.events, 300, progress)
                progress(f"freshness: {args.rate:g} events/s for {args.seconds:g} s")
                fresh = int(args.rate * args.seconds)
                await produce(stack.kafka.bootstrap_servers, topic, fresh, "fresh-", args.rate)
                await wait_for_count(sink, args.events + fresh, 120, progress)
                lags = await asyncio.to_thread(freshness, sink)
            finally:
                sink.close()
        finally:
            await asyncio.to_thread(stack.stop)
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            for name in (schema, f"{schema}_floor"):
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    return {
        "warehouse": "postgresql",
        "batch_size": settings.batch_size,
        "floor_direct_write": floor,
        "drain": {
            "events": args.events,
            "worker_ready_s": round(ready_s, 2),
            "seconds": round(drain_s, 3),
            "events_per_s": round(args.events / drain_s),
        },
        "drain_over_floor": round(args.events / drain_s / floor["events_per_s"], 2),
        "freshness_ms": {"events": fresh, "rate_per_s": args.rate, **lags},
    }


def add_bench_sink_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=100_000, help="backlog to drain")
    parser.add_argument("--rate", type=float, default=5_000.0, help="events/s, freshness phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the freshness phase")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--output", type=Path, help="also write the JSON here")


def run_bench_sink_command(args: argparse.Namespace) -> int:
    emit_json(asyncio.run(run_sink_bench(args)), args.output)
    progress("done")
    return 0
