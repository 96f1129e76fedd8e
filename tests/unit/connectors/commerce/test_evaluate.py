"""The recommender's offline evaluation: figures, and what they must show."""

from typing import Any

import pytest

from connectors.commerce.evaluate import evaluate_recommender


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return evaluate_recommender(k=10)


def test_every_protocol_reports_engine_popularity_and_chance(figures: dict[str, Any]) -> None:
    assert (figures["k"], figures["shoppers"], figures["series"]) == (10, 24, 320)
    for protocol in ("purchase_holdout", "view_holdout", "guest_session"):
        result = figures[protocol]
        assert result["cases"] > 100
        for key in ("recommender_hit_rate", "popularity_hit_rate", "chance_hit_rate"):
            assert 0 <= result[key] <= 1


def test_the_engine_beats_popularity_where_the_data_has_a_signal(figures: dict[str, Any]) -> None:
    # Browsing follows each shopper's favourite genres; purchases are drawn at random
    # from the whole catalog by the generator, so no method can learn them.
    for protocol in ("view_holdout", "guest_session"):
        result = figures[protocol]
        assert result["recommender_hit_rate"] > 2 * result["popularity_hit_rate"]
        assert result["recommender_hit_rate"] > 4 * result["chance_hit_rate"]
