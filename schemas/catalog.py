"""The ``.avsc`` files shipped in ``schemas/avro``: the source of truth for every event.

``avro/NAME.avsc`` is the current version of a record; ``avro/history/NAME.vN.avsc``
keeps each older version so that data written with it can still be read. A
record's version is the default of its ``schema_version`` field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import fastavro

from schemas.exceptions import SchemaError, UnknownSchemaError

_HISTORY_NAME = re.compile(r"^(?P<stem>[a-z_]+)\.v(?P<version>\d+)\.avsc$")


@dataclass(frozen=True)
class SchemaVersion:
    """One version of one record schema."""

    stem: str  # file stem, e.g. "chat_turn"
    full_name: str  # e.g. "mangaassist.events.ChatTurn"; also the registry subject
    version: int
    raw: dict[str, Any]
    parsed: Any  # fastavro's parsed schema

    @property
    def canonical(self) -> str:
        return str(fastavro.schema.to_parsing_canonical_form(self.parsed))


@dataclass(frozen=True)
class SchemaCatalog:
    """Every known version of every record, current ones first."""

    current: dict[str, SchemaVersion]  # by full name
    history: dict[str, list[SchemaVersion]]  # by full name, oldest first, without current

    def latest(self, full_name: str) -> SchemaVersion:
        try:
            return self.current[full_name]
        except KeyError:
            raise UnknownSchemaError(f"no schema named {full_name!r}") from None

    def all_versions(self, full_name: str) -> list[SchemaVersion]:
        return [*self.history.get(full_name, []), self.latest(full_name)]

    def every_version(self) -> list[SchemaVersion]:
        return [v for name in sorted(self.current) for v in self.all_versions(name)]


def parse(raw: dict[str, Any], stem: str) -> SchemaVersion:
    """Parse one schema document; its version is its ``schema_version`` default."""
    try:
        parsed = fastavro.parse_schema(raw, named_schemas={})
    except (fastavro.schema.SchemaParseException, ValueError, TypeError) as exc:
        raise SchemaError(f"{stem}: not a valid Avro schema: {exc}") from exc
    fields = {f["name"]: f for f in raw.get("fields", [])}
    if "schema_version" not in fields or "default" not in fields["schema_version"]:
        raise SchemaError(f"{stem}: every event needs a schema_version field with a default")
    full_name = f"{raw['namespace']}.{raw['name']}"
    return SchemaVersion(stem, full_name, int(fields["schema_version"]["default"]), raw, parsed)


@cache
def load_catalog() -> SchemaCatalog:
    """Load the packaged schemas (cached: the files do not change at run time)."""
    root = resources.files("schemas").joinpath("avro")
    current: dict[str, SchemaVersion] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".avsc"):
            version = parse(json.loads(entry.read_text("utf-8")), entry.name[: -len(".avsc")])
            current[version.full_name] = version
    history: dict[str, list[SchemaVersion]] = {}
    for entry in root.joinpath("history").iterdir():
        match = _HISTORY_NAME.match(entry.name)
        if match is None:
            continue
        version = parse(json.loads(entry.read_text("utf-8")), match["stem"])
        if version.version != int(match["version"]):
            raise SchemaError(f"{entry.name}: file name and schema_version default disagree")
        history.setdefault(version.full_name, []).append(version)
    for versions in history.values():
        versions.sort(key=lambda v: v.version)
    return SchemaCatalog(current, history)
