"""The catalog as pipeline context: lines quote the catalog's own prices and stock."""

from connectors.cache import CacheSettings, caches_from_settings
from connectors.store import CatalogSearch, load_store
from connectors.store.retriever import CatalogRetriever, OrderLookup

# Details through a catalog cache that keeps nothing: every line is read from the store.
CATALOG = caches_from_settings(CacheSettings(enabled=False)).catalog
RETRIEVER = CatalogRetriever(load_store(), CatalogSearch.bundled(), CATALOG)


async def test_a_named_volume_comes_back_with_its_real_price_in_both_languages() -> None:
    store = load_store()
    for locale in ("ja", "en"):
        [top, *_] = await RETRIEVER.search("黄昏の王都の勇者 3巻", locale)
        item = store.item_by_asin[top.ref_id]
        assert (top.source, 3) == ("catalog", item.volumes[0])
        price = f"{item.price_jpy:,}円" if locale == "ja" else f"¥{item.price_jpy:,}"
        assert price in top.text


async def test_a_series_without_a_volume_quotes_its_lowest_price() -> None:
    store = load_store()
    [top, *_] = await RETRIEVER.search("Hero of the Twilight Capital", "en")
    lowest = min(item.price_jpy for item in store.items_by_series[top.ref_id])
    assert top.text.endswith(f"from ¥{lowest:,}.")


async def test_nothing_found_is_an_empty_list() -> None:
    assert await RETRIEVER.search("zzzzqqqq", "en") == []


def test_orders_are_found_only_for_their_owner_in_both_languages() -> None:
    store = load_store()
    order = next(o for o in store.order_by_id.values() if o.tracking_number)
    lookup = OrderLookup(store)
    en = lookup.find(order.id, order.user_id, "en")
    ja = lookup.find(order.id, order.user_id, "ja")
    assert en is not None
    assert ja is not None
    assert f"¥{order.total_jpy:,}" in en.text
    assert order.tracking_number in en.text
    assert f"{order.total_jpy:,}円" in ja.text
    assert lookup.find(order.id, "someone-else", "en") is None
    assert lookup.find("250-0000000-0000000", order.user_id, "en") is None


def _kindle_item_with_volumes() -> tuple[str, str]:
    store = load_store()
    for series_id, items in store.items_by_series.items():
        kindles = {i.volumes[0]: i for i in items if i.format == "kindle" and len(i.volumes) == 1}
        if 1 in kindles and 3 in kindles:
            return series_id, kindles[3].asin
    raise AssertionError("the demo store has a series with Kindle volumes 1 and 3")


async def test_lookup_finds_the_named_items_in_order() -> None:
    from schemas.events import Entity

    series_id, asin = _kindle_item_with_volumes()
    found = await RETRIEVER.lookup(
        (Entity(kind="asin", value=asin), Entity(kind="series", value=series_id)), "en"
    )
    assert [item.ref_id for item in found] == [asin, series_id]
    assert all(item.source == "catalog" for item in found)


async def test_lookup_with_a_volume_finds_that_volume_in_the_items_format() -> None:
    from schemas.events import Entity

    store = load_store()
    series_id, asin = _kindle_item_with_volumes()
    [found] = await RETRIEVER.lookup(
        (Entity(kind="asin", value=asin), Entity(kind="volume", value="1")), "ja"
    )
    item = store.item_by_asin[found.ref_id]
    assert (item.series_id, item.volumes, item.format) == (series_id, (1,), "kindle")
    assert f"{item.price_jpy:,}円" in found.text


async def test_lookup_ignores_ids_it_does_not_know() -> None:
    from schemas.events import Entity

    assert await RETRIEVER.lookup((Entity(kind="asin", value="B0ZZZZZZZZ"),), "en") == []
