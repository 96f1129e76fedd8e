from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics import DuckDBSink


@pytest.fixture
def duckdb_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "analytics.duckdb"


@pytest.fixture
def sink(duckdb_path: Path) -> Iterator[DuckDBSink]:
    with DuckDBSink(duckdb_path) as sink:
        sink.setup()
        yield sink
