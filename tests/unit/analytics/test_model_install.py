"""Installing the model views and reading them by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import DuckDBSink, WarehouseError
from analytics.model import MODEL_VIEWS, SETUP_VIEWS, install_model, query_view
from tests.unit.analytics.test_model_views import EXPECTED, assert_view_matches, load_scenario


def view_names(sink: DuckDBSink) -> set[str]:
    rows = sink.query("SELECT view_name FROM duckdb_views() WHERE NOT internal")
    return {row["view_name"] for row in rows}


def test_install_creates_every_view_and_is_idempotent(sink: DuckDBSink) -> None:
    load_scenario(sink)
    install_model(sink)
    sink.setup()

    assert view_names(sink) == {view.name for view in (*SETUP_VIEWS, *MODEL_VIEWS)}
    assert_view_matches(sink, "experiment_comparison")


def test_apply_sql_runs_the_named_scripts_in_order(sink: DuckDBSink) -> None:
    sink.apply_sql(["chat_replies", "chat_reply_flags"])

    assert view_names(sink) >= {"chat_replies", "chat_reply_flags"}
    assert "chat_turns" not in view_names(sink)


def test_a_failed_install_leaves_no_view_behind(sink: DuckDBSink) -> None:
    with pytest.raises(WarehouseError):
        sink.apply_sql(["chat_replies", "chat_turns"])  # chat_turns needs chat_feedback

    assert "chat_replies" not in view_names(sink)


def test_setup_views_are_readable_by_name(sink: DuckDBSink) -> None:
    load_scenario(sink)

    counts = query_view(sink, "intent_counts")
    latency = query_view(sink, "turn_latency")

    assert counts[0] == {"intent": "chitchat", "turns": 2}
    assert len(latency) == len(EXPECTED["chat_turns"])


def test_limit_keeps_the_first_rows_of_the_order(sink: DuckDBSink) -> None:
    load_scenario(sink)

    turns = query_view(sink, "chat_turns", limit=2)

    assert [(row["session_id"], row["turn_id"]) for row in turns] == [
        ("s-en-4", "t3"),
        ("s-en-4", "t2"),
    ]


@pytest.mark.parametrize("name", ["chat_events", "nope", "chat_turns; DROP TABLE chat_events"])
def test_unknown_view_is_a_clear_error(sink: DuckDBSink, name: str) -> None:
    with pytest.raises(WarehouseError, match=r"no view named .*; the views are: turn_latency, "):
        query_view(sink, name)

    assert sink.count() == 0


def test_docs_define_every_view() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "analytics.md").read_text("utf-8")

    assert [view.name for view in MODEL_VIEWS if f"| `{view.name}` |" not in docs] == []
