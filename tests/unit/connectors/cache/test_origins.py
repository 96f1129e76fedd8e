from datetime import UTC, datetime

from connectors.cache import StoreOrigin
from connectors.cache.models import LIVE_FIELDS
from connectors.store import load_store


async def test_details_and_offers_split_a_store_item() -> None:
    store = load_store()
    item = next(iter(store.item_by_asin.values()))
    origin = StoreOrigin(store)
    details = await origin.product_details([item.asin, "B0NOTHERE0"])
    offers = await origin.offers([item.asin, "B0NOTHERE0"])
    assert list(details) == list(offers) == [item.asin]
    assert details[item.asin].model_dump() == item.model_dump(exclude=set(LIVE_FIELDS))
    assert offers[item.asin].model_dump() == {
        "asin": item.asin,
        "price_jpy": item.price_jpy,
        "availability": item.availability,
        "stock": item.stock,
    }


async def test_series_by_id() -> None:
    store = load_store()
    series_id = next(iter(store.series_by_id))
    assert await StoreOrigin(store).series([series_id, "nope"]) == {
        series_id: store.series_by_id[series_id]
    }


async def test_recommendations_follow_a_shoppers_favourite_genres() -> None:
    store = load_store()
    user = next(u for u in store.users_by_id.values() if u.favorite_genres)
    origin = StoreOrigin(store)
    found = await origin.recommendations([f"user:{user.id}", "session:s1"])
    mine, anonymous = found[f"user:{user.id}"], found["session:s1"]
    assert len(mine.asins) == len(anonymous.asins) == 10
    seen = {view.asin for view in user.browsing_history}
    for asin in mine.asins:
        item = store.item_by_asin[asin]
        assert asin not in seen
        assert set(store.series_by_id[item.series_id].genres) & set(user.favorite_genres)


async def test_promotions_between_returns_those_overlapping_the_window() -> None:
    store = load_store()
    origin = StoreOrigin(store)
    at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    assert await origin.promotions_between(long_ago, long_ago.replace(year=2021)) == []
    found = await origin.promotions_between(at, datetime(2026, 11, 20, 13, tzinfo=UTC))
    assert {p.id for p in found} >= {p.id for p in store.active_promotions(at)}
