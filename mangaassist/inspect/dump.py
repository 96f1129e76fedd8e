"""``mangaassist dump``: a topic's records, decoded, as JSON lines.

Reads every partition without a consumer group (nothing is committed, no
worker is disturbed) from a start point to what was there when the dump
began (the end offsets then, and any later record stamped before then), so a
dump of a busy topic still ends. :func:`scan_topic` is the same
reading for the other tools (replay, dead letters): it yields the records with
their decoded event, or the reason they could not be decoded.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from mangaassist.inspect.exceptions import InspectionError, NothingFound, UnknownTopic
from schemas import AvroCodec, DeadLetter, Event
from schemas.exceptions import DecodeError
from streams.settings import KafkaSettings

Progress = Callable[[int, int], None]  # (records scanned, records to scan)


@dataclass(frozen=True)
class DumpQuery:
    topic: str  # the broker-side name (with any prefix)
    session_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    from_offset: int | None = None  # applied to every partition

    def check(self) -> None:
        if self.since and self.until and self.until <= self.since:
            raise InspectionError(f"--until {self.until} is not after --since {self.since}")
        if self.from_offset is not None and self.from_offset < 0:
            raise InspectionError("--from-offset must be 0 or more")


@dataclass
class DumpStats:
    scanned: int = 0
    matched: int = 0
    corrupt: int = 0


@dataclass(frozen=True)
class ScannedRecord:
    """One record of the topic that matched the query: its event, or why it has none."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    value: bytes | None
    event: Event | None
    error: str | None = None

    @property
    def key_text(self) -> str:
        return (self.key or b"").decode("utf-8", errors="replace")

    @property
    def where(self) -> str:
        """``topic[partition]@offset``, as the messages name a record."""
        return f"{self.topic}[{self.partition}]@{self.offset}"


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def scan_topic(
    kafka: KafkaSettings,
    query: DumpQuery,
    codec: AvroCodec,
    stats: DumpStats,
    progress: Progress | None = None,
) -> AsyncIterator[ScannedRecord]:
    """The records matching ``query``, decoded; nothing found is not an error here."""
    query.check()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
    )
    try:
        await consumer.start()
        partitions = await _partitions(consumer, query.topic)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await _starts(consumer, query, partitions, ends)
        for tp, offset in starts.items():
            consumer.seek(tp, offset)
        total = sum(max(0, ends[tp] - starts[tp]) for tp in partitions)
        started_ms = int(time.time() * 1000)
        # Every partition is read until the fetch's high watermark too: Tansu's
        # offset lookup may answer one batch short of what a fetch returns.
        remaining = set(partitions)
        if progress:
            progress(0, total)
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp] and record.timestamp > started_ms:
                        remaining.discard(tp)  # written after the dump began
                        break
                    stats.scanned += 1
                    scanned = _scanned(record, query, codec, stats)
                    if scanned is not None:
                        yield scanned
            for tp in list(remaining):
                highwater = consumer.highwater(tp)
                if highwater is not None and await consumer.position(tp) >= max(
                    ends[tp], highwater
                ):
                    remaining.discard(tp)
            if progress:
                progress(stats.scanned, total)
    except KafkaError as exc:
        raise InspectionError(f"cannot read {query.topic}: {exc}") from exc
    finally:
        await consumer.stop()


async def dump_records(
    kafka: KafkaSettings,
    query: DumpQuery,
    codec: AvroCodec,
    stats: DumpStats,
    progress: Progress | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield the matching records as JSON-able dicts; corrupt ones as error objects.

    Raises :class:`NothingFound` at the end when nothing matched at all.
    """
    async for scanned in scan_topic(kafka, query, codec, stats, progress):
        yield record_line(scanned)
    explain_empty(query, stats)


def record_line(scanned: ScannedRecord) -> dict[str, Any]:
    """The JSON line ``dump`` prints for a record."""
    where = {"topic": scanned.topic, "partition": scanned.partition, "offset": scanned.offset}
    event = scanned.event
    if event is None:
        return {**where, "key": scanned.key_text, "error": scanned.error}
    # Raw bytes (a dead letter's payload) are not text: base64 them instead.
    body = event.model_dump(mode="json", exclude={"payload"})
    if isinstance(event, DeadLetter):
        body["payload_base64"] = base64.b64encode(event.payload).decode()
    return {
        **where,
        "timestamp_ms": scanned.timestamp_ms,
        "key": scanned.key_text,
        "event_type": event.avro_name,
        "event": body,
    }


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    topics = await consumer.topics()
    if topic not in topics:
        known = ", ".join(sorted(t for t in topics if not t.startswith("__")))
        raise UnknownTopic(f"no topic named {topic!r}; the broker has: {known}")
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]


async def _starts(
    consumer: AIOKafkaConsumer,
    query: DumpQuery,
    partitions: list[TopicPartition],
    ends: dict[TopicPartition, int],
) -> dict[TopicPartition, int]:
    firsts = await consumer.beginning_offsets(partitions)
    starts = dict(firsts)
    if query.from_offset is not None:
        starts = {tp: min(max(firsts[tp], query.from_offset), ends[tp]) for tp in partitions}
    if query.since is not None:
        found = await consumer.offsets_for_times({tp: _millis(query.since) for tp in partitions})
        starts = {
            tp: max(starts[tp], found[tp].offset if found.get(tp) else ends[tp])
            for tp in partitions
        }
    return starts


def _scanned(
    record: Any, query: DumpQuery, codec: AvroCodec, stats: DumpStats
) -> ScannedRecord | None:
    key = (record.key or b"").decode("utf-8", errors="replace")
    if query.session_id is not None and key != query.session_id:
        return None
    # Checked here too: a broker may answer a time lookup loosely (Tansu does).
    if query.since is not None and record.timestamp < _millis(query.since):
        return None
    if query.until is not None and record.timestamp > _millis(query.until):
        return None
    headers = tuple((str(k), bytes(v or b"")) for k, v in (record.headers or ()))
    try:
        event: Event | None = codec.decode(record.value)
        error = None
        stats.matched += 1
    except DecodeError as exc:
        event, error = None, str(exc)
        stats.corrupt += 1
    return ScannedRecord(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp_ms=record.timestamp,
        key=record.key,
        headers=headers,
        value=record.value,
        event=event,
        error=error,
    )


def explain_empty(query: DumpQuery, stats: DumpStats) -> None:
    """Raise :class:`NothingFound` naming what was asked for, when nothing matched."""
    if stats.matched or stats.corrupt:
        return
    if query.session_id is not None:
        raise NothingFound(f"no events of session {query.session_id!r} on {query.topic}")
    if query.since is not None or query.until is not None or query.from_offset is not None:
        raise NothingFound(f"no events on {query.topic} in the range asked for")
    raise NothingFound(f"{query.topic} is empty")
