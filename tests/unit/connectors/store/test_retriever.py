"""The catalog as pipeline context: lines quote the catalog's own prices and stock."""

from connectors.store import CatalogSearch, load_store
from connectors.store.retriever import CatalogRetriever, OrderLookup

RETRIEVER = CatalogRetriever(load_store(), CatalogSearch.bundled())


def test_a_named_volume_comes_back_with_its_real_price_in_both_languages() -> None:
    store = load_store()
    for locale in ("ja", "en"):
        [top, *_] = RETRIEVER.search("黄昏の王都の勇者 3巻", locale)
        item = store.item_by_asin[top.ref_id]
        assert (top.source, 3) == ("catalog", item.volumes[0])
        price = f"{item.price_jpy:,}円" if locale == "ja" else f"¥{item.price_jpy:,}"
        assert price in top.text


def test_a_series_without_a_volume_quotes_its_lowest_price() -> None:
    store = load_store()
    [top, *_] = RETRIEVER.search("Hero of the Twilight Capital", "en")
    lowest = min(item.price_jpy for item in store.items_by_series[top.ref_id])
    assert top.text.endswith(f"from ¥{lowest:,}.")


def test_nothing_found_is_an_empty_list() -> None:
    assert RETRIEVER.search("zzzzqqqq", "en") == []


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
