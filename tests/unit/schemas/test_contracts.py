"""The .avsc files are the contract: models must match them, and evolution must stay compatible."""

import io
import json
from importlib import resources
from typing import Any

import fastavro
import pytest
from fastavro.utils import generate_many

from schemas import EVENT_TYPES, Event, load_catalog
from schemas.catalog import SchemaVersion

CATALOG = load_catalog()
ENVELOPE = {"event_id", "session_id", "turn_id", "ts", "schema_version"}


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_model_fields_match_the_avsc(event_type: type[Event]) -> None:
    version = CATALOG.latest(event_type.full_name())
    avro_fields = [f["name"] for f in version.raw["fields"]]
    assert list(event_type.model_fields) == avro_fields


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_every_event_carries_the_envelope(event_type: type[Event]) -> None:
    assert set(event_type.model_fields) >= ENVELOPE


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_model_schema_version_default_matches_the_file(event_type: type[Event]) -> None:
    version = CATALOG.latest(event_type.full_name())
    assert event_type.model_fields["schema_version"].default == version.version


def test_every_avsc_file_is_a_known_event() -> None:
    files = {e.name for e in resources.files("schemas").joinpath("avro").iterdir()}
    stems = {name.removesuffix(".avsc") for name in files if name.endswith(".avsc")}
    assert stems == {v.stem for v in CATALOG.current.values()}
    assert set(CATALOG.current) == {t.full_name() for t in EVENT_TYPES}


def _pairs() -> list[tuple[SchemaVersion, SchemaVersion]]:
    pairs = []
    for name in CATALOG.current:
        versions = CATALOG.all_versions(name)
        pairs += [
            (old, new) for old in versions[:-1] for new in versions[versions.index(old) + 1 :]
        ]
    return pairs


def test_there_is_history_to_check() -> None:
    assert _pairs(), "no schema has an older version; the compatibility test would check nothing"


@pytest.mark.parametrize(
    "pair", _pairs(), ids=lambda p: f"{p[0].stem}-v{p[0].version}-to-v{p[1].version}"
)
def test_old_data_decodes_with_the_new_schema(pair: tuple[SchemaVersion, SchemaVersion]) -> None:
    old, new = pair
    added = [
        f for f in new.raw["fields"] if f["name"] not in {g["name"] for g in old.raw["fields"]}
    ]
    for record in generate_many(old.parsed, 50):
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, old.parsed, record)
        as_written: dict[str, Any] = _read(buffer, old.parsed, old.parsed)
        as_evolved: dict[str, Any] = _read(buffer, old.parsed, new.parsed)
        for field in old.raw["fields"]:
            assert as_evolved[field["name"]] == as_written[field["name"]]
        for field in added:
            assert as_evolved[field["name"]] == field["default"]


def _read(buffer: io.BytesIO, writer: Any, reader: Any) -> dict[str, Any]:
    buffer.seek(0)
    record: dict[str, Any] = fastavro.schemaless_reader(buffer, writer, reader)
    return record


def test_versions_increase_through_history() -> None:
    for name in CATALOG.current:
        numbers = [v.version for v in CATALOG.all_versions(name)]
        assert numbers == sorted(set(numbers)), name


def test_history_files_are_valid_json() -> None:
    history = resources.files("schemas").joinpath("avro", "history")
    for entry in history.iterdir():
        assert json.loads(entry.read_text("utf-8"))["type"] == "record"
