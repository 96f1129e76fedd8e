"""The catalog never serves a cached price; recommendations and promotions are cached."""

from datetime import UTC, datetime, timedelta

import pytest

from connectors.cache import (
    CachedCatalog,
    CachedPromotions,
    CachedRecommendations,
    CacheMetrics,
    PromotionWindow,
    TieredCache,
    TtlCache,
)
from connectors.cache.facades import promotion_window_loader
from connectors.cache.metrics import ORIGIN_LOADS
from connectors.cache.models import LIVE_FIELDS, CatalogProduct, ProductDetails, Recommendations
from connectors.store.models import Item, Series
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.cache.helpers import (
    FakeCatalog,
    FakePromotions,
    FakeRecommender,
    promotion,
)

ASINS = ("B0AAAAAAA1", "B0AAAAAAA2", "B0AAAAAAA3")


def catalog_over(origin: FakeCatalog, metrics: CacheMetrics | None = None) -> CachedCatalog:
    metrics = metrics or CacheMetrics()
    products = TieredCache(
        "products",
        TtlCache[ProductDetails](100, 30),
        None,
        origin.product_details,
        value_type=ProductDetails,
        ttl_s=600,
        metrics=metrics,
    )
    series = TieredCache(
        "series", TtlCache[Series](100, 30), None, origin.series, value_type=Series, ttl_s=600
    )
    return CachedCatalog(products, series, origin)


def test_the_cached_details_have_no_price_or_stock_field() -> None:
    assert set(Item.model_fields) >= LIVE_FIELDS
    assert LIVE_FIELDS.isdisjoint(ProductDetails.model_fields)
    assert set(Item.model_fields) - LIVE_FIELDS == set(ProductDetails.model_fields)


async def test_details_are_cached_but_price_and_stock_are_read_on_every_call() -> None:
    origin = FakeCatalog(ASINS)
    metrics = CacheMetrics()
    catalog = catalog_over(origin, metrics)
    first = await catalog.get_products(ASINS)
    assert [p.offer.price_jpy for p in first.values() if p.offer] == [700, 700, 700]
    origin.prices["B0AAAAAAA2"] = 450  # a sale starts
    origin.stock["B0AAAAAAA3"] = 0  # the last copy sells
    second = await catalog.get_products(ASINS)
    assert second["B0AAAAAAA2"].offer is not None
    assert second["B0AAAAAAA2"].offer.price_jpy == 450
    assert second["B0AAAAAAA3"].offer is not None
    assert (second["B0AAAAAAA3"].offer.availability, second["B0AAAAAAA3"].offer.stock) == (
        "out_of_stock",
        0,
    )
    assert origin.detail_calls == [list(ASINS)]  # details: loaded once
    assert origin.offer_calls == [list(ASINS), list(ASINS)]  # offers: every call
    assert metrics.count(ORIGIN_LOADS, namespace="offers") == 2


async def test_unknown_products_are_left_out_and_a_product_without_offer_has_none() -> None:
    origin = FakeCatalog(ASINS)
    del origin.prices["B0AAAAAAA1"]
    catalog = catalog_over(origin)
    products = await catalog.get_products(["B0ZZZZZZZZ", "B0AAAAAAA1", "B0AAAAAAA1"])
    assert list(products) == ["B0AAAAAAA1"]
    assert products["B0AAAAAAA1"] == CatalogProduct(
        details=origin.details["B0AAAAAAA1"], offer=None
    )
    assert products["B0AAAAAAA1"].asin == "B0AAAAAAA1"
    assert await catalog.get_product("B0ZZZZZZZZ") is None
    assert await catalog.get_products([]) == {}


async def test_invalidate_reloads_the_details() -> None:
    origin = FakeCatalog(ASINS)
    catalog = catalog_over(origin)
    await catalog.get_details(ASINS)
    origin.details["B0AAAAAAA1"] = origin.details["B0AAAAAAA1"].model_copy(
        update={"title_ja": "新しい題名"}
    )
    assert await catalog.invalidate(asins=["B0AAAAAAA1"], series_ids=["series-001"])
    product = await catalog.get_product("B0AAAAAAA1")
    assert product is not None
    assert product.details.title_ja == "新しい題名"
    assert await catalog.get_series(["series-001"]) == {}


async def test_recommendations_are_cached_per_user_and_per_session() -> None:
    origin = FakeRecommender()
    cache = TieredCache(
        "recommendations",
        TtlCache[Recommendations](100, 30),
        None,
        origin.recommendations,
        value_type=Recommendations,
        ttl_s=300,
    )
    recommendations = CachedRecommendations(cache)
    for _ in range(2):
        assert (await recommendations.for_user("u1")) is not None
        assert (await recommendations.for_session("s1")) is not None
    assert origin.calls == [["user:u1"], ["session:s1"]]
    assert await recommendations.invalidate(user_ids=["u1"])
    await recommendations.for_user("u1")
    assert origin.calls[-1] == ["user:u1"]


NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def promotions_over(origin: FakePromotions, window_s: float = 60) -> CachedPromotions:
    cache = TieredCache(
        "promotions",
        TtlCache[PromotionWindow](10, 30),
        None,
        promotion_window_loader(origin, window_s),
        value_type=PromotionWindow,
        ttl_s=window_s,
    )
    return CachedPromotions(cache, window_s, now=lambda: NOON)


async def test_the_active_list_follows_starts_and_ends_inside_a_cached_window() -> None:
    minute = timedelta(minutes=1)
    origin = FakePromotions(
        [
            promotion("running", NOON - 60 * minute, NOON + 60 * minute),
            promotion("ends-soon", NOON - minute, NOON + timedelta(seconds=20)),
            promotion("starts-soon", NOON + timedelta(seconds=30), NOON + 60 * minute),
            promotion("later", NOON + 10 * minute, NOON + 60 * minute),
        ]
    )
    promotions = promotions_over(origin)

    async def ids(at: datetime) -> list[str]:
        return [p.id for p in await promotions.active(at)]

    assert await ids(NOON) == ["running", "ends-soon"]
    assert await ids(NOON + timedelta(seconds=25)) == ["running"]
    assert await ids(NOON + timedelta(seconds=45)) == ["running", "starts-soon"]
    assert origin.calls == [(NOON, NOON + minute)]  # one window, loaded once
    assert await ids(NOON + 10 * minute) == ["running", "starts-soon", "later"]
    assert len(origin.calls) == 2


async def test_a_promotion_change_reloads_the_current_window() -> None:
    origin = FakePromotions([promotion("p1", NOON - timedelta(hours=1), NOON + timedelta(hours=1))])
    promotions = promotions_over(origin)
    assert [p.id for p in await promotions.active()] == ["p1"]
    origin.promotions.clear()  # ended early
    assert [p.id for p in await promotions.active()] == ["p1"]  # still cached
    assert await promotions.invalidate()
    assert await promotions.active() == ()


async def test_promotions_need_an_aware_time_and_a_positive_window() -> None:
    promotions = promotions_over(FakePromotions([]))
    with pytest.raises(ConfigurationError):
        await promotions.active(datetime(2026, 6, 1, 12, 0))
    with pytest.raises(ConfigurationError):
        CachedPromotions(promotions.cache, 0)
