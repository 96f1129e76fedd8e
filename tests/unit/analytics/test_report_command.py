"""``report_main``: where the report goes, and clear failures when there is nothing to report."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import DuckDBSink
from analytics.report import report_main
from tests.unit.analytics.test_model_views import scenario_rows
from tests.unit.analytics.test_report_render import assert_is_full_report


@pytest.fixture
def warehouse_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "analytics.duckdb"
    monkeypatch.delenv("MANGAASSIST_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_DUCKDB_PATH", str(path))
    return path


def test_writes_the_report_of_the_configured_warehouse(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with DuckDBSink(warehouse_file) as sink:
        sink.setup()
        sink.write(scenario_rows())  # the model is not installed: the command does it
    output = tmp_path / "out" / "report.html"

    assert report_main(output) == 0

    assert_is_full_report(output.read_text("utf-8"))
    assert str(output) in capsys.readouterr().out


def test_a_missing_duckdb_file_is_reported_not_created(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "report.html"

    assert report_main(output) == 1

    assert f"no warehouse at {warehouse_file}" in capsys.readouterr().err
    assert not warehouse_file.exists()
    assert not output.exists()


def test_an_empty_warehouse_is_an_error(
    warehouse_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with DuckDBSink(warehouse_file) as sink:
        sink.setup()

    assert report_main(tmp_path / "report.html") == 1

    assert "holds no chat events yet" in capsys.readouterr().err


def test_an_unreachable_postgres_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MANGAASSIST_WAREHOUSE_URL", "postgresql://postgres@127.0.0.1:1/none")

    assert report_main(tmp_path / "report.html") == 1

    err = capsys.readouterr().err
    assert err.startswith("mangaassist report: error: the warehouse is unreachable")
