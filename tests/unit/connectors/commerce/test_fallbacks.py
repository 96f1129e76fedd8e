"""The bilingual texts for when a service is down."""

from __future__ import annotations

from connectors.commerce import Suggestion
from connectors.commerce.fallbacks import (
    catalog_unavailable,
    checkout_unavailable,
    orders_unavailable,
    promotions_unavailable,
    recommendations_unavailable,
    returns_unavailable,
    search_link,
)


def test_catalog_down_apologises_with_a_search_link() -> None:
    text = catalog_unavailable("鬼滅 3巻")
    assert text.link == search_link("鬼滅 3巻") == "/s?k=%E9%AC%BC%E6%BB%85+3%E5%B7%BB"
    assert text.link in text.ja
    assert text.link in text.en
    assert "申し訳ありません" in text.render("ja")
    assert text.render("en").startswith("Sorry")
    assert catalog_unavailable().link == catalog_unavailable("  ").link == "/s"


def test_orders_down_points_to_order_tracking() -> None:
    text = orders_unavailable("250-1234567-7654321")
    assert text.link == "/your-orders"
    assert "250-1234567-7654321" in text.ja
    assert "250-1234567-7654321" in text.en
    assert "注文追跡ページ" in text.ja
    assert "order-tracking page" in text.en
    assert "your order" in orders_unavailable().en


def test_recommendations_down_introduces_trending_or_points_to_the_ranking() -> None:
    trending = [
        Suggestion(
            asin="B0ABCDEFGH",
            series_id="series-001",
            score=1.0,
            reason_code="popular_now",
            reason_ja="今人気の作品",
            reason_en="Popular now",
        )
    ]
    assert "今人気の作品" in recommendations_unavailable(trending).ja
    assert "popular" in recommendations_unavailable(trending).en
    empty = recommendations_unavailable([])
    assert empty.link == "/ranking"
    assert empty.link in empty.ja


def test_every_fallback_speaks_both_languages() -> None:
    for text in (
        catalog_unavailable("x"),
        orders_unavailable(),
        recommendations_unavailable([]),
        returns_unavailable(),
        checkout_unavailable(),
        promotions_unavailable(),
    ):
        assert text.ja
        assert text.en
        assert text.ja != text.en
        assert any("\u3040" <= ch <= "\u30ff" for ch in text.ja)
        assert text.en.isascii()
