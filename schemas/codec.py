"""Avro in the Confluent wire format: magic byte 0, a 4-byte big-endian schema id, the body.

Decoding reads with the writer's schema (found by id) and resolves into the
current schema of the same record, so old events decode with new code.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any, TypeVar

import fastavro
from pydantic import ValidationError

from schemas.catalog import SchemaCatalog, load_catalog
from schemas.events import EVENT_TYPES, Event
from schemas.exceptions import DecodeError, EncodeError, SchemaError, UnknownSchemaError
from schemas.registry import SchemaRegistry

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class SchemaPair:
    event_type: type[Event]
    writer: Any
    reader: Any | None  # None when the writer schema is the current one


class AvroCodec:
    """Encodes and decodes :class:`~schemas.events.Event` models."""

    def __init__(
        self,
        registry: SchemaRegistry,
        catalog: SchemaCatalog | None = None,
        event_types: tuple[type[Event], ...] = EVENT_TYPES,
    ) -> None:
        self._registry = registry
        self._catalog = catalog or load_catalog()
        self._types = {t.full_name(): t for t in event_types}
        self._writers: dict[type[Event], tuple[bytes, Any]] = {}
        self._readers: dict[int, SchemaPair] = {}
        for event_type in event_types:
            version = self._catalog.latest(event_type.full_name())
            schema_id = registry.register(event_type.full_name(), version.raw)
            self._writers[event_type] = (_HEADER.pack(MAGIC_BYTE, schema_id), version.parsed)

    def encode(self, event: Event) -> bytes:
        try:
            header, parsed = self._writers[type(event)]
        except KeyError:
            raise UnknownSchemaError(f"no schema for {type(event).__name__}") from None
        buffer = io.BytesIO()
        buffer.write(header)
        try:
            fastavro.schemaless_writer(buffer, parsed, event.model_dump())
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise EncodeError(f"cannot encode {type(event).__name__}: {exc}") from exc
        return buffer.getvalue()

    def decode(self, data: bytes | None) -> Event:
        if not data or len(data) < _HEADER.size:
            raise DecodeError("message is empty or shorter than the wire-format header")
        magic, schema_id = _HEADER.unpack_from(data)
        if magic != MAGIC_BYTE:
            raise DecodeError(f"unknown magic byte {magic}: not Confluent wire format")
        reader = self._reader(schema_id)
        try:
            record = fastavro.schemaless_reader(
                io.BytesIO(memoryview(data)[_HEADER.size :]), reader.writer, reader.reader
            )
            return reader.event_type.model_validate(record)
        except ValidationError as exc:
            raise DecodeError(f"{reader.event_type.__name__} failed validation: {exc}") from exc
        except (EOFError, ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
            raise DecodeError(f"corrupt {reader.event_type.__name__} body: {exc!r}") from exc

    def decode_as(self, data: bytes | None, event_type: type[E]) -> E:
        """Decode and check the event is of the expected type."""
        event = self.decode(data)
        if not isinstance(event, event_type):
            raise DecodeError(f"expected {event_type.__name__}, got {type(event).__name__}")
        return event

    def schemas_for(self, schema_id: int) -> SchemaPair:
        """The event type, writer schema and (when it differs) current reader schema of an id.

        For readers that decode records themselves, such as the analytics sink's fast path.
        """
        return self._reader(schema_id)

    def _reader(self, schema_id: int) -> SchemaPair:
        cached = self._readers.get(schema_id)
        if cached is not None:
            return cached
        try:
            raw = self._registry.schema(schema_id)
            writer = fastavro.parse_schema(raw, named_schemas={})
        except SchemaError as exc:
            raise DecodeError(f"cannot resolve schema id {schema_id}: {exc}") from exc
        full_name = f"{raw.get('namespace')}.{raw.get('name')}"
        event_type = self._types.get(full_name)
        if event_type is None:
            raise DecodeError(
                f"schema id {schema_id} is {full_name}, which this codec does not read"
            )
        current = self._catalog.latest(full_name).parsed
        same = fastavro.schema.to_parsing_canonical_form(
            writer
        ) == fastavro.schema.to_parsing_canonical_form(current)
        reader = SchemaPair(event_type, writer, None if same else current)
        self._readers[schema_id] = reader
        return reader
