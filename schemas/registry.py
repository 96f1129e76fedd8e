"""Schema registry clients: where the Confluent wire format's schema ids come from.

Subjects follow Confluent's RecordNameStrategy (the record's full name), because
``chat.drafts`` and ``chat.responses`` carry two record types each.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

import fastavro
import httpx

from schemas.catalog import SchemaCatalog, SchemaVersion
from schemas.exceptions import RegistryError, UnknownSchemaError
from schemas.settings import RegistrySettings


class SchemaRegistry(Protocol):
    """What the codec needs from a registry."""

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        """Return the id of ``schema`` under ``subject``, registering it if new."""
        ...

    def schema(self, schema_id: int) -> dict[str, Any]:
        """Return the schema document stored under ``schema_id``."""
        ...


def local_schema_id(version: SchemaVersion) -> int:
    """A stable id for a schema: its 64-bit Rabin fingerprint folded into 31 bits.

    Every process computes the same id from the same file, so the bridge and the
    workers agree without talking to each other.
    """
    fingerprint = fastavro.schema.fingerprint(version.canonical, "CRC-64-AVRO")
    return int(fingerprint, 16) & 0x7FFFFFFF


class LocalSchemaRegistry:
    """A registry built from the packaged ``.avsc`` files; the embedded default."""

    def __init__(self, catalog: SchemaCatalog) -> None:
        self._by_id: dict[int, dict[str, Any]] = {}
        self._ids: dict[str, int] = {}
        for version in catalog.every_version():
            schema_id = local_schema_id(version)
            clash = self._by_id.get(schema_id)
            if clash is not None and clash != version.raw:
                raise RegistryError(f"schema id collision on {schema_id} ({version.full_name})")
            self._by_id[schema_id] = version.raw
            self._ids[version.canonical] = schema_id

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        canonical = fastavro.schema.to_parsing_canonical_form(
            fastavro.parse_schema(schema, named_schemas={})
        )
        try:
            return self._ids[canonical]
        except KeyError:
            raise UnknownSchemaError(
                f"{subject}: schema is not among the packaged .avsc files"
            ) from None

    def schema(self, schema_id: int) -> dict[str, Any]:
        try:
            return self._by_id[schema_id]
        except KeyError:
            raise UnknownSchemaError(f"no schema with id {schema_id}") from None


class HttpSchemaRegistry:
    """A client of a Confluent-compatible schema registry (production).

    Ids are cached forever once known: a registry never changes the schema
    behind an id.
    """

    _CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"

    def __init__(self, client: httpx.Client) -> None:
        self._client = client
        self._schemas: dict[int, dict[str, Any]] = {}
        self._ids: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: RegistrySettings) -> HttpSchemaRegistry:
        if not settings.url:
            raise RegistryError("MANGAASSIST_SCHEMA_REGISTRY_URL is not set")
        return cls(httpx.Client(base_url=settings.url, timeout=settings.timeout_s))

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPStatusError as exc:
            raise RegistryError(
                f"schema registry answered {exc.response.status_code} to {method} {path}: "
                f"{exc.response.text[:200]}"
            ) from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise RegistryError(f"schema registry request {method} {path} failed: {exc}") from exc

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        text = json.dumps(schema, separators=(",", ":"), sort_keys=True)
        key = (subject, text)
        with self._lock:
            if key in self._ids:
                return self._ids[key]
        body = self._request(
            "POST",
            f"/subjects/{subject}/versions",
            content=json.dumps({"schema": text}),
            headers={"Content-Type": self._CONTENT_TYPE},
        )
        schema_id = int(body["id"])
        with self._lock:
            self._ids[key] = schema_id
            self._schemas[schema_id] = schema
        return schema_id

    def schema(self, schema_id: int) -> dict[str, Any]:
        with self._lock:
            if schema_id in self._schemas:
                return self._schemas[schema_id]
        body = self._request("GET", f"/schemas/ids/{schema_id}")
        schema: dict[str, Any] = json.loads(body["schema"])
        with self._lock:
            self._schemas[schema_id] = schema
        return schema


def registry_from_settings(settings: RegistrySettings, catalog: SchemaCatalog) -> SchemaRegistry:
    if settings.url:
        return HttpSchemaRegistry.from_settings(settings)
    return LocalSchemaRegistry(catalog)
