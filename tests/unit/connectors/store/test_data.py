import json
from collections import Counter
from datetime import datetime, timedelta
from importlib.resources import files
from typing import get_args

import pytest

from connectors.store import StoreData, StoreError, load_store
from connectors.store.ids import is_valid_isbn13
from connectors.store.models import Genre, OrderStatus
from connectors.store.promotion_maker import JST, jst_midnight
from mangaassist.errors import MangaAssistError

DATA_FILES = ("catalog.json", "users.json", "orders.json", "promotions.json")


@pytest.fixture(scope="module")
def store() -> StoreData:
    return load_store()


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_says_it_is_synthetic(name: str) -> None:
    data = json.loads(files("connectors.store").joinpath("data", name).read_text("utf-8"))
    assert data["synthetic"] is True
    assert "synthetic" in data["note"].lower()
    assert "made up" in data["note"]


def test_module_docstring_says_the_store_is_synthetic() -> None:
    import connectors.store

    assert "synthetic" in (connectors.store.__doc__ or "").lower()


def test_data_files_stay_small() -> None:
    folder = files("connectors.store").joinpath("data")
    total = sum(len(folder.joinpath(name).read_bytes()) for name in DATA_FILES)
    assert total < 5_000_000


def test_catalog_is_large_enough(store: StoreData) -> None:
    assert len(store.series_by_id) >= 300
    assert len(store.item_by_asin) >= 3000
    assert all(store.items_by_series.get(series_id) for series_id in store.series_by_id)


def test_asins_are_unique_and_well_formed(store: StoreData) -> None:
    asins = [item.asin for items in store.items_by_series.values() for item in items]
    assert len(asins) == len(set(asins)) == len(store.item_by_asin)
    assert all(asin.startswith("B0") and len(asin) == 10 for asin in asins)


def test_physical_items_have_unique_valid_isbns_and_kindle_none(store: StoreData) -> None:
    items = store.item_by_asin.values()
    isbns = [item.isbn13 for item in items if item.format != "kindle"]
    assert all(isbn is not None and is_valid_isbn13(isbn) for isbn in isbns)
    assert len(isbns) == len(set(isbns))
    assert all(item.isbn13 is None for item in items if item.format == "kindle")


def test_isbn_check_rejects_a_wrong_digit() -> None:
    assert is_valid_isbn13("9784088725093")
    assert not is_valid_isbn13("9784088725094")


def test_future_release_if_and_only_if_preorder(store: StoreData) -> None:
    items = list(store.item_by_asin.values())
    for item in items:
        assert (item.release_date > store.as_of) == (item.availability == "preorder"), item.asin
    assert any(item.availability == "preorder" for item in items)


def test_preorders_have_no_reviews_and_released_items_do(store: StoreData) -> None:
    for item in store.item_by_asin.values():
        reviewed = item.availability != "preorder"
        assert (item.rating is not None) == reviewed
        assert (item.review_ja is not None and item.review_en is not None) == reviewed


def test_every_availability_and_format_occurs(store: StoreData) -> None:
    items = store.item_by_asin.values()
    assert {item.availability for item in items} == {
        "in_stock",
        "low_stock",
        "out_of_stock",
        "preorder",
    }
    assert {item.format for item in items} == {"paperback", "kindle", "box_set", "special_edition"}


def test_stock_counts_match_availability(store: StoreData) -> None:
    for item in store.item_by_asin.values():
        if item.format == "kindle":
            assert item.stock is None
        elif item.availability == "in_stock":
            assert item.stock is not None
            assert item.stock > 5
        elif item.availability == "low_stock":
            assert item.stock is not None
            assert 1 <= item.stock <= 5
        else:
            assert item.stock == 0


def test_prices_are_realistic(store: StoreData) -> None:
    for items in store.items_by_series.values():
        paperback = {i.volume: i.price_jpy for i in items if i.format == "paperback"}
        assert all(528 <= price <= 990 for price in paperback.values())
        for item in items:
            if item.format == "kindle":
                assert item.price_jpy < paperback[item.volume]
            elif item.format == "box_set":
                assert item.price_jpy < sum(paperback.values())
                assert item.volumes == tuple(sorted(paperback))


def test_volume_titles_name_the_volume(store: StoreData) -> None:
    for item in store.item_by_asin.values():
        series = store.series_by_id[item.series_id]
        assert item.title_ja.startswith(series.title_ja)
        assert item.title_en.startswith(series.title_en)
        assert item.title_romaji.startswith(series.title_romaji)
        if item.volume is not None:
            assert f"{item.volume}巻" in item.title_ja
            assert f"Vol. {item.volume}" in item.title_en


def test_series_titles_are_unique_in_every_script(store: StoreData) -> None:
    series = list(store.series_by_id.values())
    for field in ("title_ja", "title_en", "title_romaji"):
        assert len({getattr(one, field) for one in series}) == len(series), field


def test_series_refer_to_known_authors_publishers_and_genres(store: StoreData) -> None:
    for series in store.series_by_id.values():
        assert series.author_id in store.authors
        assert series.publisher_id in store.publishers
        assert set(series.genres) <= set(store.genres)
        assert series.demographic in store.demographics
    assert set(store.genres) == set(get_args(Genre))


def test_users_have_histories(store: StoreData) -> None:
    assert len(store.users_by_id) >= 20
    for user in store.users_by_id.values():
        assert user.browsing_history
        assert all(view.asin in store.item_by_asin for view in user.browsing_history)
        assert store.orders_by_user[user.id]


def test_orders_cover_every_state_with_amazon_style_ids(store: StoreData) -> None:
    orders = list(store.order_by_id.values())
    assert Counter(order.status for order in orders).keys() == set(get_args(OrderStatus))
    for order in orders:
        assert order.id.startswith("250-")
        assert order.user_id in store.users_by_id
        assert all(line.asin in store.item_by_asin for line in order.lines)
        subtotal = sum(line.unit_price_jpy * line.quantity for line in order.lines)
        assert order.subtotal_jpy == subtotal
        assert order.total_jpy == subtotal - order.discount_jpy + order.shipping_jpy
        assert order.placed_at <= order.updated_at


def test_orders_by_user_are_oldest_first(store: StoreData) -> None:
    for orders in store.orders_by_user.values():
        placed = [order.placed_at for order in orders]
        assert placed == sorted(placed)


def test_shipped_orders_have_tracking_and_unshipped_ones_do_not(store: StoreData) -> None:
    for order in store.order_by_id.values():
        if order.status in ("pending", "paid", "cancelled"):
            assert order.tracking_number is None
        elif order.status in ("shipped", "out_for_delivery"):
            assert order.tracking_number is not None


def test_promotions_active_and_expired_at_as_of(store: StoreData) -> None:
    now = jst_midnight(store.as_of) + timedelta(hours=12)
    active = store.active_promotions(now)
    expired = [p for p in store.promotions if p.ends_at <= now]
    assert {p.kind for p in active} == {"coupon", "sale", "points"}
    assert {p.kind for p in expired} == {"coupon", "sale", "points"}
    assert any(p.series_ids for p in active)
    assert any(p.genres for p in active)
    assert all(set(p.series_ids) <= set(store.series_by_id) for p in store.promotions)
    assert all(p.title_ja and p.title_en and p.starts_at < p.ends_at for p in store.promotions)


def test_active_promotions_respects_the_date_range(store: StoreData) -> None:
    promotion = store.promotions[0]
    assert promotion in store.active_promotions(promotion.starts_at)
    assert promotion not in store.active_promotions(promotion.ends_at)
    assert promotion not in store.active_promotions(promotion.starts_at - timedelta(seconds=1))


def test_active_promotions_rejects_naive_datetimes(store: StoreData) -> None:
    with pytest.raises(StoreError, match="aware") as caught:
        store.active_promotions(datetime(2026, 11, 20, 12))
    assert isinstance(caught.value, MangaAssistError)
    assert store.active_promotions(datetime(2026, 11, 20, 12, tzinfo=JST))


def test_load_store_is_cached() -> None:
    assert load_store() is load_store()
