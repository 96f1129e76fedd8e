"""From Kinesis records to warehouse rows: decode, name the topic, dead-letter what cannot be read.

Both consumers (the KCL record processor and the local shard reader) go
through :func:`to_rows`, so a record becomes the same row whichever read it,
and a replayed record the same row again (the sink skips known event ids).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from analytics import EventRow, to_row
from schemas import AvroCodec, DeadLetter, Event
from schemas.events import derive_id, utc_now
from schemas.exceptions import DecodeError
from streams.topics import ANALYTICS_TOPICS, DEADLETTER, TopicSpec

log = logging.getLogger(__name__)

STAGE = "analytics"
"""The stage named in dead letters, as the Kafka analytics sink names itself."""
_INT64_MAX = 2**63 - 1


def topics_by_event_type(
    topics: Iterable[TopicSpec] = ANALYTICS_TOPICS,
) -> dict[type[Event], str]:
    """The topic each event type travels on; Kinesis records carry no topic, only the event.

    The first topic wins for a type on several (the analytics topics have none such).
    """
    by_type: dict[type[Event], str] = {}
    for spec in topics:
        for event_type in spec.events:
            by_type.setdefault(event_type, spec.name)
    return by_type


_TOPICS = topics_by_event_type()


def topic_for(event: Event, fallback: str) -> str:
    """The analytics topic that carries events like ``event``; ``fallback`` if none does."""
    return _TOPICS.get(type(event), fallback)


@dataclass(frozen=True, slots=True)
class StreamRecord:
    """One record of a shard, as both consumers see it."""

    shard_id: str
    sequence_number: str
    partition_key: str
    data: bytes
    sub_sequence_number: int = 0
    arrived_at: datetime | None = None

    @property
    def position(self) -> str:
        """Where the record sits in the stream, for logs and dead letters."""
        suffix = f"/{self.sub_sequence_number}" if self.sub_sequence_number else ""
        return f"{self.shard_id}/{self.sequence_number}{suffix}"


def to_rows(codec: AvroCodec, stream_name: str, records: Iterable[StreamRecord]) -> list[EventRow]:
    """One row per record: the decoded event, or a dead letter for a record that is not one."""
    rows: list[EventRow] = []
    fallback = f"kinesis:{stream_name}"
    for record in records:
        try:
            event = codec.decode(record.data)
        except DecodeError as exc:
            rows.append(to_row(DEADLETTER.name, dead_letter(stream_name, record, exc)))
            continue
        topic = topic_for(event, fallback)
        if topic == fallback:
            log.warning("%s on %s is on no analytics topic", event.avro_name, record.position)
        rows.append(to_row(topic, event))
    return rows


def dead_letter(stream_name: str, record: StreamRecord, exc: Exception) -> DeadLetter:
    """The dead letter of an undecodable record; replays yield the same ``event_id``."""
    log.warning("dead-lettering Kinesis record %s of %s: %s", record.position, stream_name, exc)
    parent = f"kinesis:{stream_name}/{record.position}"
    return DeadLetter(
        event_id=derive_id(parent, f"deadletter-{STAGE}"),
        session_id=record.partition_key[:128] or "unknown",
        turn_id="",
        ts=record.arrived_at or utc_now(),
        stage=STAGE,
        source_topic=f"kinesis:{stream_name}/{record.shard_id}",
        source_partition=_shard_number(record.shard_id),
        source_offset=_offset(record.sequence_number),
        error_type=type(exc).__name__,
        error_message=f"at sequence number {record.sequence_number}: {exc}"[:2000],
        payload=record.data,
    )


def _shard_number(shard_id: str) -> int:
    """``shardId-000000000007`` → 7; -1 for an id of another shape."""
    digits = shard_id.rpartition("-")[2]
    return int(digits) if digits.isdigit() and int(digits) < 2**31 else -1


def _offset(sequence_number: str) -> int:
    # Kinesis sequence numbers outgrow Avro's long; the message keeps the full number.
    if sequence_number.isdigit() and int(sequence_number) <= _INT64_MAX:
        return int(sequence_number)
    return -1
