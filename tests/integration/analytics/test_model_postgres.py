"""The warehouse model on the real PostgreSQL: the DuckDB expectations hold unchanged.

A schema of its own per test, dropped afterwards; a missing server fails, never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from analytics import PostgresSink, WarehouseError
from analytics.model import MODEL_VIEWS, install_model, query_view
from tests.unit.analytics.test_model_views import EXPECTED, assert_view_matches, load_scenario

POSTGRES_URL = os.environ.get(
    "MANGAASSIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def postgres_sink() -> Iterator[PostgresSink]:
    schema = f"model_test_{uuid.uuid4().hex[:12]}"
    try:
        with PostgresSink(POSTGRES_URL, schema) as sink:
            sink.setup()
            yield sink
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def test_every_view_gives_the_duckdb_figures(postgres_sink: PostgresSink) -> None:
    load_scenario(postgres_sink)

    for name in EXPECTED:
        assert_view_matches(postgres_sink, name)


def test_install_twice_and_with_workers_writing_is_idempotent(
    postgres_sink: PostgresSink,
) -> None:
    load_scenario(postgres_sink)
    install_model(postgres_sink)
    postgres_sink.setup()

    assert_view_matches(postgres_sink, "experiment_comparison")
    assert {view.name for view in MODEL_VIEWS} <= {
        row["table_name"]
        for row in postgres_sink.query(
            "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()"
        )
    }


def test_unknown_view_is_a_clear_error(postgres_sink: PostgresSink) -> None:
    with pytest.raises(WarehouseError, match="no view named 'chat_events; DROP'"):
        query_view(postgres_sink, "chat_events; DROP")
