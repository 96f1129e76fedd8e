"""``mangaassist deadletters`` and ``mangaassist redrive``: what failed, and sending it again.

A stage that cannot decode or process a message writes a ``DeadLetter`` to
``chat.deadletter`` with the raw payload and where it came from (source
topic, partition, offset). ``deadletters`` lists them; ``redrive`` sends the
original payload bytes of chosen dead letters back to their source topic once
the operator has fixed the cause. The key and headers are those of the
original record when it is still on the source topic with the same bytes;
otherwise they are rebuilt from the dead letter (key: its session id, header
``turn_id``: its turn id).

Redriving is safe to repeat: every stage derives its output event ids from the
input's event id, so a turn sent twice yields the same replies, which the
warehouse (``ON CONFLICT DO NOTHING`` on ``event_id``), the bridge (seen event
ids, ended turns) and the conversation memory (by turn id) take once.
Dead letters of two readers of one record (the intent stage and the analytics
sink both read ``chat.turns``) are one record: it is sent once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from mangaassist.errors import MangaAssistError
from mangaassist.inspect.dump import DumpQuery, DumpStats, Progress, scan_topic
from mangaassist.inspect.exceptions import (
    InspectionError,
    NothingFound,
    RedriveError,
    UnknownDeadLetter,
    UnknownTopic,
)
from schemas import EVENT_TYPES, AvroCodec, DeadLetter, Event
from streams.settings import KafkaSettings
from streams.topics import ALL_TOPICS, DEADLETTER, TURN_ID_HEADER, topic_name


@dataclass(frozen=True)
class DeadLetterEntry:
    """A dead letter and where it sits on ``chat.deadletter``."""

    letter: DeadLetter
    partition: int
    offset: int

    @property
    def source(self) -> tuple[str, int, int]:
        return (self.letter.source_topic, self.letter.source_partition, self.letter.source_offset)

    @property
    def source_text(self) -> str:
        topic, partition, offset = self.source
        return f"{topic}[{partition}]@{offset}"

    def as_json(self) -> dict[str, Any]:
        letter = self.letter
        return {
            "event_id": letter.event_id,
            "ts": letter.ts.isoformat(),
            "stage": letter.stage,
            "session_id": letter.session_id,
            "turn_id": letter.turn_id,
            "source_topic": letter.source_topic,
            "source_partition": letter.source_partition,
            "source_offset": letter.source_offset,
            "error_type": letter.error_type,
            "error_message": letter.error_message,
            "payload_bytes": len(letter.payload),
            "deadletter_partition": self.partition,
            "deadletter_offset": self.offset,
        }


@dataclass(frozen=True)
class DeadLetterQuery:
    stage: str | None = None
    session_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.stage, self.session_id, self.since, self.until))


@dataclass
class DeadLetterList:
    entries: list[DeadLetterEntry] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # records of chat.deadletter itself
    stages_seen: set[str] = field(default_factory=set)


async def read_dead_letters(
    kafka: KafkaSettings,
    codec: AvroCodec,
    query: DeadLetterQuery,
    progress: Progress | None = None,
) -> DeadLetterList:
    """The dead letters matching ``query``, oldest first; none is fine, unless filtered."""
    topic = topic_name(DEADLETTER, kafka.topic_prefix)
    dump_query = DumpQuery(
        topic=topic, session_id=query.session_id, since=query.since, until=query.until
    )
    found = DeadLetterList()
    async for record in scan_topic(kafka, dump_query, codec, DumpStats(), progress):
        letter = record.event
        if letter is None:
            found.unreadable.append(f"{record.where}: {record.error}")
            continue
        if not isinstance(letter, DeadLetter):
            continue
        found.stages_seen.add(letter.stage)
        if query.stage is None or letter.stage == query.stage:
            found.entries.append(DeadLetterEntry(letter, record.partition, record.offset))
    found.entries.sort(key=lambda e: (e.letter.ts, e.partition, e.offset))
    if not found.entries and query.filtered:
        raise NothingFound(_nothing_message(topic, query, found.stages_seen))
    return found


def _nothing_message(topic: str, query: DeadLetterQuery, stages: set[str]) -> str:
    asked = []
    if query.stage is not None:
        asked.append(f"of stage {query.stage!r}")
    if query.session_id is not None:
        asked.append(f"of session {query.session_id!r}")
    if query.since is not None or query.until is not None:
        asked.append("in the time range asked for")
    seen = f" (stages with dead letters: {', '.join(sorted(stages))})" if stages else ""
    return f"no dead letters {' '.join(asked)} on {topic}{seen}"


def render_table(entries: Sequence[DeadLetterEntry], error_chars: int = 100) -> list[str]:
    """One line per dead letter: when, stage, source record, event id, then the error."""
    lines = [f"{'time (UTC)':<19}  {'stage':<10} {'source':<24} {'event id':<32}  error"]
    for entry in entries:
        letter = entry.letter
        error = f"{letter.error_type}: {' '.join(letter.error_message.split())}"
        if len(error) > error_chars:
            error = error[: error_chars - 1] + "…"
        when = letter.ts.strftime("%Y-%m-%d %H:%M:%S")
        lines.append(
            f"{when:<19}  {letter.stage:<10} {entry.source_text:<24} {letter.event_id:<32}  {error}"
        )
    return lines


# ---------------------------------------------------------------- redrive


@dataclass
class RedriveSend:
    """One record to send back: the dead letters it answers, and exactly what goes out."""

    letters: list[DeadLetterEntry]
    topic: str
    value: bytes
    key: bytes | None
    headers: list[tuple[str, bytes]]
    origin: str  # where key and headers came from
    event: Event | None  # the payload, decoded with the current codec
    sent_to: tuple[int, int] | None = None  # partition, offset once sent

    def describe(self) -> list[str]:
        letters = ", ".join(f"{e.letter.event_id} ({e.letter.stage})" for e in self.letters)
        what = (
            f"{type(self.event).__name__} turn {self.event.turn_id or '-'}"
            if self.event is not None
            else "undecodable payload"
        )
        key = (self.key or b"").decode("utf-8", errors="replace") or "-"
        headers = ", ".join(f"{k}={v.decode('utf-8', errors='replace')}" for k, v in self.headers)
        return [
            f"{self.topic} ← dead letter {letters}",
            f"  {what}, {len(self.value)} bytes, key {key}, headers {headers or '-'}",
            f"  key and headers: {self.origin}",
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "dead_letters": [e.letter.event_id for e in self.letters],
            "topic": self.topic,
            "key": (self.key or b"").decode("utf-8", errors="replace"),
            "headers": {k: v.decode("utf-8", errors="replace") for k, v in self.headers},
            "bytes": len(self.value),
            "event_type": type(self.event).__name__ if self.event is not None else None,
            "origin": self.origin,
            "sent_to": None
            if self.sent_to is None
            else {"partition": self.sent_to[0], "offset": self.sent_to[1]},
        }


def load_replacement(path: Path, codec: AvroCodec) -> Event:
    """The event in ``path``: a ``mangaassist dump`` line (``event_type`` and ``event``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RedriveError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise RedriveError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("event"), dict):
        raise RedriveError(f'{path}: expected {{"event_type": ..., "event": {{...}}}}')
    types = {t.avro_name: t for t in EVENT_TYPES}
    event_type = types.get(str(data.get("event_type")))
    if event_type is None:
        raise RedriveError(f"{path}: unknown event_type {data.get('event_type')!r}")
    try:
        event = event_type.model_validate(data["event"])
        codec.encode(event)  # fails here, not half-way through a redrive
    except (ValidationError, MangaAssistError) as exc:
        raise RedriveError(f"{path}: not a valid {event_type.__name__}: {exc}") from exc
    return event


async def plan_redrive(
    kafka: KafkaSettings,
    codec: AvroCodec,
    event_ids: Sequence[str],
    *,
    replacement: Event | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> list[RedriveSend]:
    """What redriving ``event_ids`` sends: one record per source record, in the order asked."""
    wanted = list(dict.fromkeys(event_ids))
    found = await read_dead_letters(kafka, codec, DeadLetterQuery(), progress)
    by_id = {entry.letter.event_id: entry for entry in found.entries}
    missing = [event_id for event_id in wanted if event_id not in by_id]
    if missing:
        raise UnknownDeadLetter(
            f"no dead letter with event id {', '.join(missing)} on "
            f"{topic_name(DEADLETTER, kafka.topic_prefix)} (see mangaassist deadletters)"
        )
    groups: dict[tuple[str, int, int], list[DeadLetterEntry]] = {}
    for event_id in wanted:
        entry = by_id[event_id]
        groups.setdefault(entry.source, []).append(entry)
    if replacement is not None and len(groups) != 1:
        raise RedriveError("--payload-json replaces one record: name the dead letters of one")
    sends = []
    for (topic, partition, offset), entries in groups.items():
        _check_topic_carries(kafka, topic, replacement)
        send = await _send_for(kafka, codec, entries, (topic, partition, offset), replacement)
        if send.event is None and not force:
            raise RedriveError(
                f"the payload of {entries[0].letter.event_id} still cannot be decoded "
                f"({entries[0].letter.error_message[:200]}): fix the cause, pass "
                "--payload-json with a corrected event, or --force to send it anyway"
            )
        sends.append(send)
    return sends


def _check_topic_carries(kafka: KafkaSettings, topic: str, replacement: Event | None) -> None:
    if replacement is None:
        return
    spec = next(
        (s for s in ALL_TOPICS if topic_name(s, kafka.topic_prefix) == topic),
        None,
    )
    if spec is not None and not isinstance(replacement, spec.events):
        carried = ", ".join(e.__name__ for e in spec.events)
        raise RedriveError(
            f"{topic} carries {carried}, not {type(replacement).__name__} (--payload-json)"
        )


async def _send_for(
    kafka: KafkaSettings,
    codec: AvroCodec,
    entries: list[DeadLetterEntry],
    source: tuple[str, int, int],
    replacement: Event | None,
) -> RedriveSend:
    topic, partition, offset = source
    letter = entries[0].letter
    if replacement is not None:
        return RedriveSend(
            entries,
            topic,
            codec.encode(replacement),
            replacement.session_id.encode(),
            [(TURN_ID_HEADER, replacement.turn_id.encode())],
            "the corrected event (--payload-json)",
            replacement,
        )
    original = await _original_record(kafka, topic, partition, offset)
    if original is not None and original.value == letter.payload:
        key, headers = original.key, [(str(k), bytes(v)) for k, v in original.headers or ()]
        origin = f"the original record {topic}[{partition}]@{offset}"
    else:
        key = letter.session_id.encode() if letter.session_id != "unknown" else None
        headers = [(TURN_ID_HEADER, letter.turn_id.encode())] if letter.turn_id else []
        origin = "rebuilt from the dead letter (the original record is gone)"
    try:
        event: Event | None = codec.decode(letter.payload)
    except MangaAssistError:
        event = None
    return RedriveSend(entries, topic, letter.payload, key, headers, origin, event)


async def _original_record(kafka: KafkaSettings, topic: str, partition: int, offset: int) -> Any:
    """The record at ``topic[partition]@offset`` if the topic still holds it, else None."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
    )
    try:
        await consumer.start()
        if topic not in await consumer.topics():
            raise UnknownTopic(f"the source topic {topic!r} of the dead letter no longer exists")
        tp = TopicPartition(topic, partition)
        if partition not in (consumer.partitions_for_topic(topic) or ()):
            return None
        if offset < (await consumer.beginning_offsets([tp]))[tp]:
            return None  # removed by retention
        consumer.assign([tp])
        consumer.seek(tp, offset)
        # One fetch: no end-offset check, Tansu's may be a batch short of the truth.
        batch = await consumer.getmany(tp, timeout_ms=1000, max_records=1)
        records = batch.get(tp, [])
        return records[0] if records and records[0].offset == offset else None
    except KafkaError as exc:
        raise InspectionError(f"cannot read {topic}: {exc}") from exc
    finally:
        await consumer.stop()


async def send_redrive(
    kafka: KafkaSettings, sends: Sequence[RedriveSend], sent: Callable[[RedriveSend], None]
) -> None:
    """Send each record and wait for the broker's acknowledgement, one after the other."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    try:
        await producer.start()
        for send in sends:
            metadata = await producer.send_and_wait(
                send.topic, send.value, key=send.key, headers=send.headers
            )
            send.sent_to = (metadata.partition, metadata.offset)
            sent(send)
    except KafkaError as exc:
        raise RedriveError(f"cannot send to the source topic: {exc}") from exc
    finally:
        await producer.stop()
