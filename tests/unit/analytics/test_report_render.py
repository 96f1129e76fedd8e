"""The HTML report: charts, a table per view, bilingual headings, and nothing unescaped."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics import DuckDBSink
from analytics.model import MODEL_VIEWS, install_model
from analytics.report import render_report
from analytics.report.markup import format_value, table
from analytics.report.svg import Series, bar_chart
from tests.unit.analytics.test_model_views import SHOPPER_SCRIPT, load_scenario

CHARTS = 6


def assert_is_full_report(page: str) -> None:
    """What any report of the shared scenario shows, whatever the engine."""
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == CHARTS
    for view in MODEL_VIEWS:
        assert f"<h2>{view.title_ja} / {view.title_en} <code>{view.name}</code></h2>" in page
    assert "<h2>グラフ / Charts</h2>" in page
    assert "ワンピースの最新刊はありますか？" in page
    assert "37.5%" in page  # the resolution rate
    # Shopper text is shown, never run.
    assert "<script" not in page
    assert "Where is my order 12345? &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt; 遅すぎる" in page
    # Self-contained: nothing to fetch.
    assert "<link" not in page
    assert " src=" not in page
    assert " href=" not in page


@pytest.fixture
def scenario_sink(sink: DuckDBSink) -> DuckDBSink:
    load_scenario(sink)
    return sink


def test_report_of_the_scenario(scenario_sink: DuckDBSink) -> None:
    page = render_report(scenario_sink)

    assert_is_full_report(page)
    assert SHOPPER_SCRIPT not in page


def test_report_of_an_empty_model_still_renders(sink: DuckDBSink) -> None:
    install_model(sink)

    page = render_report(sink)

    assert page.count("<svg") == CHARTS
    assert "行なし / no rows" in page


def test_chart_escapes_labels_and_marks_missing_values() -> None:
    chart = bar_chart(
        "<b>title</b>",
        ["<img src=x onerror=alert(1)>", "ok"],
        [Series("a", [0.5, None]), Series("b", [1.0, 0.25])],
        str,
        full_scale=1.0,
    )

    assert "<img" not in chart
    assert "<b>" not in chart
    assert "&lt;img src=x onerror=alert(1)&gt;" in chart
    assert chart.count("<rect") == 3 + 2  # three bars and a two-entry legend
    assert 'width="340.0"' in chart
    assert 'width="170.0"' in chart
    assert "—" in chart


def test_chart_scales_to_the_largest_value_without_a_full_scale() -> None:
    chart = bar_chart("t", ["x", "y"], [Series("s", [200.0, 50.0])], str)

    assert 'width="340.0"' in chart
    assert 'width="85.0"' in chart
    assert chart.count("<rect") == 2  # one series: no legend


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("resolution_rate", 0.375, "37.5%"),
        ("turn_share", 2 / 3, "66.7%"),
        ("final_p95_ms", 251.5, "251.5"),
        ("mean_confidence", 0.75, "0.75"),
        ("turns", 12345, "12,345"),
        ("resolved", True, "yes"),
        ("cost_usd", None, "—"),
        ("day", date(2024, 5, 1), "2024-05-01"),
        ("received_ts", datetime(2024, 5, 1, 9, 1, tzinfo=UTC), "2024-05-01 09:01:00.000+00:00"),
        ("text", "送料は？", "送料は？"),
    ],
)
def test_values_read_naturally(column: str, value: object, text: str) -> None:
    assert format_value(column, value) == text


def test_table_escapes_column_names_and_values() -> None:
    html = table([{"<th>": "<td>&", "n": 1.5}])

    assert "<th>&lt;th&gt;</th>" in html
    assert "<td>&lt;td&gt;&amp;</td>" in html
    assert '<td class="number">1.50</td>' in html
