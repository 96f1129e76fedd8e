"""The report from the real PostgreSQL warehouse, through the sink and through the settings.

A schema of its own per test, dropped afterwards; a missing server fails, never skips.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from analytics import PostgresSink
from analytics.report import render_report, report_main
from tests.integration.analytics.test_model_postgres import POSTGRES_URL
from tests.unit.analytics.test_model_views import load_scenario, scenario_rows
from tests.unit.analytics.test_report_render import assert_is_full_report


@pytest.fixture
def schema_name() -> Iterator[str]:
    name = f"report_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def test_render_report_from_postgres(schema_name: str) -> None:
    with PostgresSink(POSTGRES_URL, schema_name) as sink:
        sink.setup()
        load_scenario(sink)

        assert_is_full_report(render_report(sink))


def test_report_main_reads_the_warehouse_the_settings_name(
    schema_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with PostgresSink(POSTGRES_URL, schema_name) as sink:
        sink.setup()
        sink.write(scenario_rows())
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_URL", POSTGRES_URL)
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_SCHEMA_NAME", schema_name)
    output = tmp_path / "report.html"

    assert report_main(output) == 0

    assert_is_full_report(output.read_text("utf-8"))
    assert str(output) in capsys.readouterr().out


def test_a_schema_without_events_is_an_error(
    schema_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_URL", POSTGRES_URL)
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_SCHEMA_NAME", schema_name)

    output = tmp_path / "report.html"

    assert report_main(output) == 1

    assert "cannot read the warehouse" in capsys.readouterr().err
    assert not output.exists()
