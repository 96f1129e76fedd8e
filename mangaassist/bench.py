"""``mangaassist bench``: the pipeline's latency and throughput over the real broker.

Turns are produced straight onto ``chat.turns`` and replies read from
``chat.responses``, so the figures cover the four stage hops plus the
response hop. The floor is a raw aiokafka produce→consume round trip on the
same broker, measured in the same run; latencies are reported against it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from connectors.kafka import LocalBrokerSettings, free_loopback_port
from schemas import AvroCodec, ChatTurn, FinalReply, ReplyChunk, default_codec
from schemas.events import Locale
from streams.settings import KafkaSettings
from streams.topics import RESPONSES, TURN_ID_HEADER, TURNS, topic_name

# Hops from a turn entering chat.turns to its reply on chat.responses.
PIPELINE_HOPS = 5

SAMPLE_TEXTS: tuple[tuple[Locale, str], ...] = (
    ("en", "How much is shipping to Okinawa?"),
    ("ja", "送料はいくらですか？"),
    ("en", "Where is my order 250-1234567-7654321?"),
    ("ja", "注文した本はいつ届きますか"),
    ("en", "I want to return a damaged volume"),
    ("ja", "返品したいです"),
    ("en", "Any coupons this week?"),
    ("ja", "おすすめの漫画を教えて"),
    ("en", "hello!"),
    ("ja", "人と話したい"),
)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": round(statistics.median(ordered), 3), "p95": pick(0.95), "p99": pick(0.99)}


def emit_json(result: dict[str, Any], output: Path | None) -> None:
    """A benchmark's figures: printed, and also written to ``output`` when given."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


async def measure_floor(kafka: KafkaSettings, samples: int) -> dict[str, Any]:
    """Raw aiokafka round trips: produce one record, wait until it is consumed."""
    topic = f"{kafka.topic_prefix}bench.floor"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, linger_ms=kafka.producer_linger_ms
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap_servers,
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
        auto_offset_reset="latest",
    )
    await producer.start()
    await consumer.start()
    try:
        await _wait_assigned(consumer)
        round_trips = []
        for i in range(samples + 10):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode(), key=b"floor")
            await consumer.getone()
            if i >= 10:  # the first few pay for connection set-up
                round_trips.append((time.perf_counter() - started) * 1000)
        return {"samples": samples, "round_trip_ms": percentiles(round_trips)}
    finally:
        await consumer.stop()
        await producer.stop()


async def _wait_assigned(consumer: AIOKafkaConsumer) -> None:
    while not consumer.assignment():  # noqa: ASYNC110 - aiokafka signals no assignment event
        await asyncio.sleep(0.01)
    for tp in consumer.assignment():
        await consumer.seek_to_end(tp)
        await consumer.position(tp)


@dataclass
class TurnTiming:
    sent: float
    first_chunk: float | None = None
    final: float | None = None
    status: str | None = None


@dataclass
class ReplyTracker:
    """Reads chat.responses and timestamps each turn's first chunk and final."""

    codec: AvroCodec
    turns: dict[str, TurnTiming] = field(default_factory=dict)
    finals: int = 0
    all_done: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0

    def on_record(self, value: bytes) -> None:
        event = self.codec.decode(value)
        timing = self.turns.get(event.turn_id)
        if timing is None:
            return
        now = time.perf_counter()
        if isinstance(event, ReplyChunk) and timing.first_chunk is None:
            timing.first_chunk = now
        elif isinstance(event, FinalReply) and timing.final is None:
            timing.final = now
            timing.status = event.status
            if timing.first_chunk is None:
                timing.first_chunk = now  # an error reply has no chunks
            self.finals += 1
            if self.finals >= self.expected:
                self.all_done.set()


async def _consume(consumer: AIOKafkaConsumer, tracker: ReplyTracker) -> None:
    while True:
        batches = await consumer.getmany(timeout_ms=50)
        for records in batches.values():
            for record in records:
                tracker.on_record(record.value)


async def drive(
    kafka: KafkaSettings, codec: AvroCodec, turns: int, rate: float | None, timeout_s: float
) -> tuple[ReplyTracker, float, list[int]]:
    """Send ``turns`` turns at ``rate`` per second (None: as fast as possible)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, linger_ms=kafka.producer_linger_ms
    )
    consumer = AIOKafkaConsumer(
        topic_name(RESPONSES, kafka.topic_prefix),
        bootstrap_servers=kafka.bootstrap_servers,
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
        auto_offset_reset="latest",
    )
    await producer.start()
    await consumer.start()
    tracker = ReplyTracker(codec, expected=turns)
    outstanding_samples: list[int] = []
    reader = asyncio.create_task(_consume(consumer, tracker))
    try:
        await _wait_assigned(consumer)
        turns_topic = topic_name(TURNS, kafka.topic_prefix)
        started = time.perf_counter()
        pending = []
        for i in range(turns):
            if rate:
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            locale, text = SAMPLE_TEXTS[i % len(SAMPLE_TEXTS)]
            session_id = f"bench-{i % 200}"
            turn = ChatTurn(
                session_id=session_id, turn_id=uuid.uuid4().hex, locale=locale, text=text
            )
            tracker.turns[turn.turn_id] = TurnTiming(sent=time.perf_counter())
            pending.append(
                await producer.send(
                    turns_topic,
                    codec.encode(turn),
                    key=session_id.encode(),
                    headers=[(TURN_ID_HEADER, turn.turn_id.encode())],
                )
            )
            if i % 100 == 0:
                outstanding_samples.append(i - tracker.finals)
        await asyncio.gather(*pending)
        try:
            await asyncio.wait_for(tracker.all_done.wait(), timeout_s)
        except TimeoutError:
            progress(f"timed out with {turns - tracker.finals} replies missing")
        return tracker, started, outstanding_samples
    finally:
        reader.cancel()
        await consumer.stop()
        await producer.stop()


def summarize_latency(tracker: ReplyTracker) -> dict[str, Any]:
    timings = list(tracker.turns.values())
    first = [(t.first_chunk - t.sent) * 1000 for t in timings if t.first_chunk is not None]
    final = [(t.final - t.sent) * 1000 for t in timings if t.final is not None]
    return {
        "turns": len(timings),
        "first_chunk_ms": percentiles(first),
        "final_ms": percentiles(final),
        "error_replies": sum(1 for t in timings if t.status == "error"),
        "missing_replies": sum(1 for t in timings if t.final is None),
    }


async def run_bench(args: argparse.Namespace, kafka: KafkaSettings) -> dict[str, Any]:
    codec = default_codec()
    progress(f"floor: {args.floor_samples} raw aiokafka round trips")
    floor = await measure_floor(kafka, args.floor_samples)
    progress("warm-up")
    await drive(kafka, codec, 20, 20.0, 60.0)
    progress(f"latency: {args.turns} turns at {args.rate}/s")
    tracker, _, _ = await drive(kafka, codec, args.turns, args.rate, 60.0)
    latency = {"rate_per_s": args.rate, **summarize_latency(tracker)}
    floor_p50 = floor["round_trip_ms"]["p50"]
    result: dict[str, Any] = {
        "kafka": {
            "bootstrap_servers": kafka.bootstrap_servers,
            "fetch_max_wait_ms": kafka.fetch_max_wait_ms,
            "producer_linger_ms": kafka.producer_linger_ms,
            "partitions": kafka.partitions,
        },
        "floor": floor,
        "latency": latency,
        "hops": PIPELINE_HOPS,
        "first_chunk_p50_over_hop_floor": round(
            latency["first_chunk_ms"]["p50"] / floor_p50 / PIPELINE_HOPS, 2
        ),
        "first_chunk_p50_per_hop_ms": round(latency["first_chunk_ms"]["p50"] / PIPELINE_HOPS, 3),
    }
    if args.throughput_turns:
        progress(f"throughput: {args.throughput_turns} turns as fast as they can be sent")
        tracker, started, outstanding = await drive(
            kafka, codec, args.throughput_turns, None, 120.0
        )
        finals = [t.final for t in tracker.turns.values() if t.final is not None]
        elapsed = (max(finals) - started) if finals else float("nan")
        result["throughput"] = {
            "turns": args.throughput_turns,
            "replied": len(finals),
            "seconds": round(elapsed, 3),
            "turns_per_s": round(len(finals) / elapsed, 1) if finals else 0.0,
            "max_outstanding_turns": max(outstanding, default=0),
            **{k: v for k, v in summarize_latency(tracker).items() if k.endswith("_ms")},
        }
    return result


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--turns", type=int, default=1000, help="turns in the latency phase")
    parser.add_argument("--rate", type=float, default=50.0, help="turns per second, latency phase")
    parser.add_argument(
        "--throughput-turns", type=int, default=5000, help="turns in the throughput phase (0: skip)"
    )
    parser.add_argument("--floor-samples", type=int, default=300)
    parser.add_argument(
        "--external",
        action="store_true",
        help="use the stack at MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS instead of starting one",
    )
    parser.add_argument(
        "--without-analytics", action="store_true", help="do not start the analytics worker"
    )
    parser.add_argument("--output", type=Path, help="also write the JSON here")


def run_bench_command(args: argparse.Namespace) -> int:
    from mangaassist.stack import LocalStack

    async def main() -> dict[str, Any]:
        if args.external:
            return await run_bench(args, KafkaSettings())
        roles = ("pipeline",) if args.without_analytics else ("pipeline", "analytics")
        broker = LocalBrokerSettings(port=free_loopback_port())
        # The bench's turns must not land in the dev warehouse.
        env = {"MANGAASSIST_WAREHOUSE_DUCKDB_PATH": "var/bench/analytics.duckdb"}
        stack = LocalStack(broker, None, roles=roles, log_dir=Path("var/log/bench"), env=env)
        try:
            await stack.start(progress)
            return await run_bench(args, stack.kafka)
        finally:
            await asyncio.to_thread(stack.stop)

    emit_json(asyncio.run(main()), args.output)
    return 0
