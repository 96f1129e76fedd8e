from pathlib import Path

import pytest
from pydantic import ValidationError

from analytics import DuckDBSink, PostgresSink, WarehouseSettings, sink_from_settings

ENV_URL = "MANGAASSIST_WAREHOUSE_URL"


def test_defaults_select_duckdb_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)
    settings = WarehouseSettings()

    assert settings.url is None
    assert settings.duckdb_path == Path("var/analytics.duckdb")
    assert (settings.schema_name, settings.batch_size, settings.batch_age_s) == (
        "mangaassist",
        500,
        0.5,
    )
    assert isinstance(sink_from_settings(settings), DuckDBSink)


def test_postgres_url_from_the_environment_selects_postgres(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_URL, "postgresql://analyst:hunter2@db.example:5432/warehouse")
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_SCHEMA_NAME", "chat")
    settings = WarehouseSettings()

    assert "hunter2" not in repr(settings)
    assert settings.schema_name == "chat"
    assert isinstance(sink_from_settings(settings), PostgresSink)


def test_other_url_schemes_are_rejected_without_echoing_the_url() -> None:
    with pytest.raises(ValidationError, match="postgresql://") as caught:
        WarehouseSettings.model_validate({"url": "mysql://root:hunter2@db/warehouse"})

    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("schema_name", ["Chat", "chat; DROP TABLE x", "1chat", ""])
def test_schema_names_must_be_plain_identifiers(schema_name: str) -> None:
    with pytest.raises(ValidationError):
        WarehouseSettings(schema_name=schema_name)


@pytest.mark.parametrize(("field", "value"), [("batch_size", 0), ("batch_age_s", 0)])
def test_batches_must_be_able_to_fill(field: str, value: float) -> None:
    with pytest.raises(ValidationError):
        WarehouseSettings.model_validate({field: value})
