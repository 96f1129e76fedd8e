"""``mangaassist dump``: a topic's records, decoded, as JSON lines.

Reads every partition without a consumer group (nothing is committed, no
worker is disturbed) from a start point to the end offsets seen when the dump
began, so a dump of a busy topic still ends.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from mangaassist.inspect.errors import InspectionError
from schemas import AvroCodec, DeadLetter
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


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def dump_records(
    kafka: KafkaSettings,
    query: DumpQuery,
    codec: AvroCodec,
    stats: DumpStats,
    progress: Progress | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield the matching records as JSON-able dicts; corrupt ones as error objects."""
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
        total = sum(ends[tp] - starts[tp] for tp in partitions)
        remaining = {tp for tp in partitions if starts[tp] < ends[tp]}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        remaining.discard(tp)
                        break
                    stats.scanned += 1
                    line = _line(record, query, codec, stats)
                    if line is not None:
                        yield line
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if progress:
                progress(stats.scanned, total)
    except KafkaError as exc:
        raise InspectionError(f"cannot read {query.topic}: {exc}") from exc
    finally:
        await consumer.stop()
    _explain_empty(query, stats)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    topics = await consumer.topics()
    if topic not in topics:
        known = ", ".join(sorted(t for t in topics if not t.startswith("__")))
        raise InspectionError(f"no topic named {topic!r}; the broker has: {known}")
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


def _line(
    record: Any, query: DumpQuery, codec: AvroCodec, stats: DumpStats
) -> dict[str, Any] | None:
    key = (record.key or b"").decode("utf-8", errors="replace")
    if query.session_id is not None and key != query.session_id:
        return None
    # Checked here too: a broker may answer a time lookup loosely (Tansu does).
    if query.since is not None and record.timestamp < _millis(query.since):
        return None
    if query.until is not None and record.timestamp > _millis(query.until):
        return None
    where = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
    try:
        event = codec.decode(record.value)
    except DecodeError as exc:
        stats.corrupt += 1
        return {**where, "key": key, "error": str(exc)}
    stats.matched += 1
    line = {
        **where,
        "timestamp_ms": record.timestamp,
        "key": key,
        "event_type": event.avro_name,
        # Raw bytes (a dead letter's payload) are not text: base64 them instead.
        "event": event.model_dump(mode="json", exclude={"payload"}),
    }
    if isinstance(event, DeadLetter):
        line["event"]["payload_base64"] = base64.b64encode(event.payload).decode()
    return line


def _explain_empty(query: DumpQuery, stats: DumpStats) -> None:
    if stats.matched or stats.corrupt:
        return
    if query.session_id is not None:
        raise InspectionError(f"no events of session {query.session_id!r} on {query.topic}")
    if query.since is not None or query.until is not None or query.from_offset is not None:
        raise InspectionError(f"no events on {query.topic} in the range asked for")
    raise InspectionError(f"{query.topic} is empty")
