"""Kafka record bytes straight to warehouse rows: the sink's fast path.

``RowDecoder(codec).row(topic, data)`` equals ``to_row(topic, codec.decode(data))``:
the same schema resolution (the writer's schema by id, read into the current
one) and the same model validation, but the validated model is dropped and the
row is built from the record fastavro read, which is the dict ``model_dump``
would return. That skips building the model and dumping it again, a sixth of
the sink's time per event. Whatever the fast path does not take (a bad header,
an unknown schema id, a record the model refuses) goes through ``codec.decode``,
which decodes it or raises :class:`~schemas.exceptions.DecodeError` with the reason.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fastavro

from analytics.rows import EventRow, row_from_record, to_row
from schemas import AvroCodec

# The Confluent wire-format header, as in schemas.codec: magic byte 0, 4-byte schema id.
_HEADER = struct.Struct(">bI")


@dataclass(frozen=True, slots=True)
class _Schema:
    event_type: str
    writer: Any
    reader: Any | None
    validate: Callable[[Any], object]


class RowDecoder:
    """Rows from Confluent wire-format Avro; one per sink, not shared between threads."""

    def __init__(self, codec: AvroCodec) -> None:
        self._codec = codec
        self._schemas: dict[int, _Schema] = {}

    def row(self, topic: str, data: bytes | None) -> EventRow:
        """The row of the event in ``data`` as read from ``topic``; raises ``DecodeError``."""
        try:
            return self._fast_row(topic, data or b"")
        except Exception:  # the codec decides: it decodes the record or says why not
            return to_row(topic, self._codec.decode(data))

    def _fast_row(self, topic: str, data: bytes) -> EventRow:
        magic, schema_id = _HEADER.unpack_from(data)
        schema = self._schemas.get(schema_id) or self._resolve(magic, schema_id)
        record = fastavro.schemaless_reader(
            io.BytesIO(memoryview(data)[_HEADER.size :]), schema.writer, schema.reader
        )
        if not isinstance(record, dict):
            raise TypeError("not a record")
        schema.validate(record)  # the model's checks; the model itself is dropped
        return row_from_record(topic, schema.event_type, record)

    def _resolve(self, magic: int, schema_id: int) -> _Schema:
        if magic != 0:
            raise ValueError(f"magic byte {magic}")
        reader = self._codec.schemas_for(schema_id)
        schema = _Schema(
            reader.event_type.avro_name,
            reader.writer,
            reader.reader,
            reader.event_type.__pydantic_validator__.validate_python,
        )
        self._schemas[schema_id] = schema
        return schema
