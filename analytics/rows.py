"""One warehouse row per event: the columns analysts filter on, plus the event as JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from pydantic_core import to_json

from analytics.privacy import redact
from schemas import Event


@dataclass(frozen=True, slots=True)
class EventRow:
    event_id: str
    event_type: str
    topic: str
    session_id: str
    turn_id: str
    ts: datetime
    schema_version: int
    payload: str

    def values(self) -> tuple[Any, ...]:
        """The values in the order of :data:`COLUMNS`."""
        return _values(self)


COLUMNS: tuple[str, ...] = tuple(field.name for field in fields(EventRow))
"""The columns a sink writes, in table order; ``ingested_at`` is filled in by the warehouse."""

_values = attrgetter(*COLUMNS)


def to_row(topic: str, event: Event) -> EventRow:
    """The warehouse row of ``event`` as read from ``topic``."""
    return row_from_record(topic, event.avro_name, event.model_dump())


def row_from_record(topic: str, event_type: str, record: Mapping[str, Any]) -> EventRow:
    """The row of an event given as a ``model_dump`` of it, or as the record Avro decodes to
    (the same dict: the models mirror the ``.avsc`` files field for field)."""
    return EventRow(
        event_id=record["event_id"],
        event_type=event_type,
        topic=topic,
        session_id=record["session_id"],
        turn_id=record["turn_id"],
        ts=_as_utc(record["ts"]),
        schema_version=record["schema_version"],
        payload=payload_json(record),
    )


def payload_json(record: Mapping[str, Any]) -> str:
    """The event as JSON text, Japanese readable, with personal data masked (:mod:`.privacy`)."""
    return to_json(redact(record)).decode()


def unique_by_event_id(rows: Iterable[EventRow]) -> list[EventRow]:
    """``rows`` without repeated event ids, keeping the first of each, in order."""
    first: dict[str, EventRow] = {}
    for row in rows:
        first.setdefault(row.event_id, row)
    return list(first.values())


def _as_utc(ts: datetime) -> datetime:
    # Events are stamped in UTC (schemas.events.utc_now); a naive ts is taken to be UTC.
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
