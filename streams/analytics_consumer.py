"""The analytics sink: every analytics topic, in batches, into the warehouse.

A plain aiokafka consumer in the ``{app_id}-analytics`` group (the group the
faust agent had, so lag and redelivery are unchanged): faust's per-message
stream machinery cost the sink more than decoding and writing together (see
``docs/operations.md``). faust still runs the pipeline agents.

* A batch is written once it holds ``batch_size`` records or its oldest record
  has waited ``batch_age_s``. While one batch is written (in a worker thread)
  the next is read and decoded; at most these two are held.
* Offsets are committed only after their batch is written, in order, and the
  write is idempotent on ``event_id``: redelivery after a crash adds no row.
* A record that cannot be decoded goes to ``chat.deadletter`` (sent and
  acknowledged before its offset is committed).
* While the warehouse cannot take writes, the sink pauses its partitions (it
  stays in its group), retries with capped backoff and logs each attempt with
  its backlog; the committed offsets stand still, so ``mangaassist topics``
  shows the lag growing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from analytics import (
    EventRow,
    WarehouseSettings,
    WarehouseSink,
    flush_salvaging,
    sink_from_settings,
)
from analytics.decode import RowDecoder
from analytics.flush import Retry
from connectors.kafka import ensure_topics
from schemas import AvroCodec, default_codec
from schemas.exceptions import DecodeError
from streams.settings import KafkaSettings
from streams.stage import IncomingMessage, Sender, dead_letter
from streams.topics import ANALYTICS_TOPICS, DEADLETTER, TopicSpec, topic_name

logger = logging.getLogger(__name__)

ROLE = "analytics"
# How often a sink waiting on a slow or failing write checks in with its group.
HOLD_POLL_S = 1.0
# Longest getmany wait when no batch is open (it returns as soon as records arrive).
IDLE_POLL_MS = 1000
# On shutdown, how long the batch being written may take before it is abandoned
# (its offsets are not committed, so it is read again).
STOP_TIMEOUT_S = 5.0
# Longest the backlog query of a retry log line may take.
BACKLOG_TIMEOUT_S = 2.0


class Consumer(Protocol):
    """What the sink uses of :class:`aiokafka.AIOKafkaConsumer` (tests pass a fake)."""

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[Any]]: ...

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None: ...

    async def committed(self, partition: TopicPartition) -> int | None: ...

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]: ...

    def assignment(self) -> set[TopicPartition]: ...

    def pause(self, *partitions: TopicPartition) -> None: ...

    def resume(self, *partitions: TopicPartition) -> None: ...

    def paused(self) -> set[TopicPartition]: ...


def group_id(kafka: KafkaSettings) -> str:
    """The sink's consumer group, the one ``mangaassist topics`` reports the lag of."""
    return f"{kafka.app_id}-{ROLE}"


@dataclass
class Batch:
    """Records read since the last hand-off: their rows and where each partition got to."""

    rows: list[EventRow] = field(default_factory=list)
    offsets: dict[TopicPartition, int] = field(default_factory=dict)
    """The next offset to read, per partition: what is committed once the rows are written."""
    records: int = 0
    opened: float = 0.0

    def due(self, now: float, size: int, age_s: float) -> bool:
        return self.records >= size or (self.records > 0 and now - self.opened >= age_s)


class AnalyticsSink:
    """Reads the analytics topics with ``consumer`` and writes them to ``sink``.

    ``topics`` maps broker-side names to the plain ones the rows carry (so the
    warehouse views hold for prefixed sandboxes and replays too).
    """

    def __init__(
        self,
        consumer: Consumer,
        codec: AvroCodec,
        sink: WarehouseSink,
        warehouse: WarehouseSettings,
        sender: Sender,
        topics: Mapping[str, str],
        group: str,
    ) -> None:
        self._consumer = consumer
        self._decoder = RowDecoder(codec)
        self._sink = sink
        self._size = warehouse.batch_size
        self._age_s = warehouse.batch_age_s
        self._sender = sender
        self._topics = dict(topics)
        self._group = group
        self.rows_written = 0
        self.dead_letters = 0
        self._failed_attempts = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; then finish the write in progress."""
        batch = Batch()
        writing: asyncio.Task[None] | None = None
        try:
            while not stop.is_set():
                if writing is not None and writing.done():
                    writing.result()  # a bug in writing or committing stops the sink
                    writing = None
                now = time.monotonic()
                if batch.due(now, self._size, self._age_s):
                    if writing is None:
                        writing = asyncio.create_task(self._write(batch), name="analytics-write")
                        batch = Batch()
                        # Let the write reach its thread now: getmany returns buffered
                        # records without yielding, and decoding does not yield either.
                        await asyncio.sleep(0)
                        continue
                    # The previous batch is still being written (or retried): read no
                    # more, but keep polling so the group does not drop this member.
                    await self._hold(batch, writing)
                    continue
                self._release()
                wait_ms = IDLE_POLL_MS
                if batch.records:
                    wait_ms = max(1, int((batch.opened + self._age_s - now) * 1000))
                fetched = await self._consumer.getmany(
                    timeout_ms=wait_ms, max_records=self._size - batch.records
                )
                await self._add(batch, fetched)
        finally:
            if writing is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(writing, STOP_TIMEOUT_S)

    async def _hold(self, batch: Batch, writing: asyncio.Task[None]) -> None:
        done, _ = await asyncio.wait({writing}, timeout=HOLD_POLL_S)
        if done:
            return
        # Pausing drops what was prefetched for a partition: only for a write this slow.
        self._consumer.pause(*self._consumer.assignment())
        # Paused partitions return nothing; one assigned since the pause might.
        await self._add(batch, await self._consumer.getmany(timeout_ms=0))

    def _release(self) -> None:
        paused = self._consumer.paused()
        if paused:
            self._consumer.resume(*paused)

    async def _add(self, batch: Batch, fetched: Mapping[TopicPartition, Sequence[Any]]) -> None:
        for tp, records in fetched.items():
            if not records:
                continue
            if not batch.records:
                batch.opened = time.monotonic()
            topic = self._topics.get(tp.topic, tp.topic)
            rows = batch.rows
            row = self._decoder.row
            for record in records:
                try:
                    rows.append(row(topic, record.value))
                except DecodeError as exc:
                    # Sent, not written here: this sink reads chat.deadletter too.
                    letter = dead_letter(ROLE, incoming(record), exc)
                    await self._sender.send(DEADLETTER, letter)
                    self.dead_letters += 1
            batch.offsets[tp] = records[-1].offset + 1
            batch.records += len(records)

    async def _write(self, batch: Batch) -> None:
        if batch.rows:
            self.rows_written += await flush_salvaging(
                self._sink, batch.rows, on_retry=self._log_retry
            )
        if self._failed_attempts:
            logger.warning(
                "warehouse available again after %d failed attempts; sink resumed",
                self._failed_attempts,
            )
            self._failed_attempts = 0
        await self._commit(batch.offsets)

    async def _commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        assigned = self._consumer.assignment()
        mine = {tp: offset for tp, offset in offsets.items() if tp in assigned}
        if not mine:
            return
        try:
            await self._consumer.commit(mine)
        except KafkaError as exc:
            # A rebalance moved partitions away: their new owner reads from the
            # last committed offset, and the warehouse skips what is stored.
            logger.warning(
                "could not commit %d offsets (%s); they will be read again", len(mine), exc
            )

    async def _log_retry(self, retry: Retry) -> None:
        self._failed_attempts = retry.attempt
        logger.warning(
            "warehouse unavailable (attempt %d), retrying %d rows in %.1f s; sink paused, "
            "backlog %s events (group %s lag): %s",
            retry.attempt,
            retry.rows,
            retry.delay_s,
            await self.backlog(),
            self._group,
            retry.error,
        )

    async def backlog(self) -> str:
        """Events on the assigned partitions not yet committed as written, as text."""
        partitions = sorted(self._consumer.assignment())
        try:
            async with asyncio.timeout(BACKLOG_TIMEOUT_S):
                lags = await group_lag(self._consumer, partitions)
        except (KafkaError, TimeoutError) as exc:
            return f"unknown ({exc!r})"
        return f"{sum(lags.values()):,}"


async def group_lag(
    consumer: Consumer, partitions: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """End offset minus the group's committed offset, per partition (as ``mangaassist topics``)."""
    if not partitions:
        return {}
    ends = await consumer.end_offsets(partitions)
    return {tp: ends[tp] - (await consumer.committed(tp) or 0) for tp in partitions}


def incoming(record: Any) -> IncomingMessage:
    """An aiokafka ``ConsumerRecord`` as the stage helpers take it."""
    return IncomingMessage(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers={str(k): bytes(v or b"") for k, v in record.headers or ()},
    )


class _ReadyOnFirstAssignment(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, ready: Callable[[], None]) -> None:
        self._ready: Callable[[], None] | None = ready

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        del revoked

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        logger.info("assigned %d partitions", len(assigned))
        if self._ready is not None:
            self._ready()
            self._ready = None


def topic_names(kafka: KafkaSettings) -> dict[str, str]:
    """Broker-side name → plain name of every topic the sink reads."""
    return {topic_name(spec, kafka.topic_prefix): spec.name for spec in ANALYTICS_TOPICS}


async def serve(kafka: KafkaSettings, ready: Callable[[], None], stop: asyncio.Event) -> None:
    """Run the sink until ``stop`` is set; ``ready`` is called once partitions are assigned."""
    warehouse = WarehouseSettings()
    sink = sink_from_settings(warehouse)
    await asyncio.to_thread(sink.setup)
    await ensure_topics(kafka)
    codec = default_codec()
    topics = topic_names(kafka)
    group = group_id(kafka)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=group,
        client_id=group,
        enable_auto_commit=False,
        # A fresh group must not skip events published before it joined.
        auto_offset_reset="earliest",
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
        session_timeout_ms=int(kafka.session_timeout_s * 1000),
        heartbeat_interval_ms=int(kafka.heartbeat_interval_s * 1000),
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers,
        client_id=group,
        linger_ms=kafka.producer_linger_ms,
    )

    async def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        await producer.send_and_wait(
            topic_name(spec, kafka.topic_prefix), value, key=key, headers=list(headers.items())
        )

    consumer.subscribe(list(topics), listener=_ReadyOnFirstAssignment(ready))
    await producer.start()
    try:
        await consumer.start()
        try:
            runner = AnalyticsSink(
                consumer, codec, sink, warehouse, Sender(codec, send), topics, group
            )
            await runner.run(stop)
        finally:
            await consumer.stop()
    finally:
        await producer.stop()
        sink.close()


def run_analytics_worker(
    kafka: KafkaSettings, ready: Callable[[], None], loglevel: str = "warning"
) -> None:
    """``mangaassist worker analytics``: run until SIGINT or SIGTERM."""
    # The command has configured logging; outages and their backlog show at any level.
    logging.getLogger().setLevel(loglevel.upper())
    logger.setLevel(min(logger.getEffectiveLevel(), logging.WARNING))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(kafka, ready, stop)

    asyncio.run(main())
