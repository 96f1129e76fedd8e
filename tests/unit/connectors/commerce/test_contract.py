"""What every implementation of the store's services promises, run against each of them.

The ``services`` fixture decides which: in-process and the HTTP clients over
the ASGI app here; in-process and the HTTP clients over real HTTP (uvicorn on
a loopback port) in ``tests/integration/connectors/commerce``, which imports
these tests.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.commerce import (
    CommerceServices,
    NotFound,
    RecommendationRequest,
    ServiceRejected,
)
from connectors.commerce.local import rma_id
from connectors.store.models import OrderStatus
from tests.unit.connectors.commerce.helpers import Demo

# --- catalog ---------------------------------------------------------------


async def test_products_carry_details_and_never_price_or_stock(
    services: CommerceServices, demo: Demo
) -> None:
    kindle = next(i for i in demo.store.item_by_asin.values() if i.format == "kindle")
    paper = next(i for i in demo.store.item_by_asin.values() if i.format == "paperback")
    found = await services.catalog.get_products([paper.asin, kindle.asin, "B0ZZZZZZZZ"])
    assert set(found) == {paper.asin, kindle.asin}
    product = found[paper.asin]
    series = demo.store.series_by_id[paper.series_id]
    author = demo.store.authors[series.author_id]
    assert (product.title_ja, product.title_en) == (paper.title_ja, paper.title_en)
    assert (product.author_ja, product.author_romaji) == (author.name_ja, author.name_romaji)
    assert product.format == "paperback"
    assert product.volumes == paper.volumes
    assert product.release_date == paper.release_date
    assert product.page_count == paper.page_count
    assert product.reviews.count == paper.review_count
    assert product.image_url.endswith(f"{paper.asin}.jpg")
    assert not {"price_jpy", "stock", "availability"} & set(product.model_dump())


async def test_offers_are_the_live_price_and_stock(services: CommerceServices, demo: Demo) -> None:
    kindle = next(i for i in demo.store.item_by_asin.values() if i.format == "kindle")
    low = next(i for i in demo.store.item_by_asin.values() if i.availability == "low_stock")
    found = await services.catalog.get_offers([kindle.asin, low.asin, "B0ZZZZZZZZ"])
    assert set(found) == {kindle.asin, low.asin}
    assert found[low.asin].price_jpy == low.price_jpy
    assert found[low.asin].availability == "low_stock"
    assert found[low.asin].stock == low.stock
    assert found[kindle.asin].stock is None


async def test_no_asins_ask_nothing(services: CommerceServices) -> None:
    assert await services.catalog.get_products([]) == {}
    assert await services.catalog.get_offers([]) == {}


@pytest.mark.parametrize(
    "asins", [["not-an-asin"], ["B0../../x"], [f"B0{n:08d}" for n in range(51)]]
)
async def test_malformed_or_too_many_asins_are_refused(
    services: CommerceServices, asins: list[str]
) -> None:
    with pytest.raises(ServiceRejected):
        await services.catalog.get_products(asins)
    with pytest.raises(ServiceRejected):
        await services.catalog.get_offers(asins)


async def test_search_finds_a_series_by_its_japanese_and_english_titles(
    services: CommerceServices, demo: Demo
) -> None:
    series = demo.store.series_by_id["series-001"]
    for query in (series.title_ja, series.title_en):
        hits = await services.catalog.search(query, 5)
        assert hits[0].series_id == series.id
        assert hits[0].kind == "series"
        assert len(hits) <= 5


async def test_search_names_the_item_when_asked_for_a_volume(
    services: CommerceServices, demo: Demo
) -> None:
    series = demo.store.series_by_id["series-001"]
    hits = await services.catalog.search(f"{series.title_ja} 1巻", 3)
    assert hits[0].kind == "item"
    assert hits[0].asin is not None
    assert demo.store.item_by_asin[hits[0].asin].volumes == (1,)


@pytest.mark.parametrize(("query", "k"), [("   ", 5), ("one piece", 0), ("one piece", 51)])
async def test_search_refuses_an_empty_query_or_a_bad_k(
    services: CommerceServices, query: str, k: int
) -> None:
    with pytest.raises(ServiceRejected):
        await services.catalog.search(query, k)


# --- orders ----------------------------------------------------------------


async def test_a_shopper_gets_their_own_order(services: CommerceServices, demo: Demo) -> None:
    order = demo.order("shipped")
    found = await services.orders.get_order(order.id, order.user_id)
    assert found is not None
    assert (found.id, found.status, found.total_jpy) == (order.id, "shipped", order.total_jpy)
    assert found.tracking_number == order.tracking_number
    assert [line.asin for line in found.lines] == [line.asin for line in order.lines]
    assert found.lines[0].title_ja == demo.store.item_by_asin[order.lines[0].asin].title_ja
    assert found.delivered_at is None


async def test_a_delivered_order_says_when(services: CommerceServices, demo: Demo) -> None:
    order = demo.order("delivered")
    found = await services.orders.get_order(order.id, order.user_id)
    assert found is not None
    assert found.delivered_at == order.updated_at


@pytest.mark.parametrize("order_id", ["250-0000000-0000000", "../users/user-01/orders", ""])
async def test_unknown_orders_are_none(services: CommerceServices, order_id: str) -> None:
    assert await services.orders.get_order(order_id, "user-01") is None


async def test_someone_elses_order_is_none(services: CommerceServices, demo: Demo) -> None:
    order = demo.order("delivered")
    assert await services.orders.get_order(order.id, demo.other_user(order.user_id)) is None


async def test_a_shoppers_orders_come_newest_first(services: CommerceServices, demo: Demo) -> None:
    user_id = "user-01"
    orders = await services.orders.list_orders(user_id)
    expected = demo.store.orders_by_user[user_id]
    assert [order.id for order in orders] == [order.id for order in reversed(expected)]
    assert all(order.user_id == user_id for order in orders)
    assert await services.orders.list_orders("nobody") == []


# --- returns ---------------------------------------------------------------


async def test_an_unopened_book_within_30_days_can_be_returned(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.recent_physical()
    verdict = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin)
    assert verdict.eligible
    assert (verdict.reason_code, verdict.resolution) == ("returnable", "return")
    assert verdict.return_shipping_paid_by == "customer"
    delivered = pick.order.updated_at.astimezone(demo.now.tzinfo).date()
    assert verdict.deadline == delivered + timedelta(days=30)
    assert verdict.help_doc_id == "returns"
    assert "30" not in verdict.reason_en or str(verdict.deadline) in verdict.reason_en


async def test_an_opened_book_cannot_be_returned_unless_defective(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.recent_physical()
    opened = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin, "opened")
    assert not opened.eligible
    assert opened.reason_code == "opened"
    defective = await services.returns.eligibility(
        pick.order.id, pick.user_id, pick.asin, "defective"
    )
    assert defective.eligible
    assert (defective.resolution, defective.return_shipping_paid_by) == ("replacement", "store")
    assert defective.help_doc_id == "missing-pages-misprints"


async def test_a_damaged_item_now_out_of_stock_is_refunded(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.recent_out_of_stock()
    verdict = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin, "damaged")
    assert verdict.eligible
    assert (verdict.resolution, verdict.reason_code) == ("refund", "damaged_refund")


async def test_after_30_days_nothing_is_returned(services: CommerceServices, demo: Demo) -> None:
    pick = demo.old_physical()
    verdict = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin)
    assert (verdict.eligible, verdict.reason_code) == (False, "window_passed")
    misprint = await services.returns.eligibility(
        pick.order.id, pick.user_id, pick.asin, "defective"
    )
    assert (misprint.eligible, misprint.reason_code) == (False, "window_passed_publisher")


async def test_digital_books_after_7_days_only_for_a_defect(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.old_digital()
    unread = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin)
    assert (unread.eligible, unread.reason_code) == (False, "digital_window_passed")
    assert unread.help_doc_id == "digital-refunds"
    broken = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin, "defective")
    assert (broken.eligible, broken.resolution) == (True, "replacement")


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("pending", "not_shipped"),
        ("paid", "not_shipped"),
        ("shipped", "not_delivered"),
        ("out_for_delivery", "not_delivered"),
        ("cancelled", "cancelled"),
        ("returned", "already_returned"),
        ("refunded", "already_refunded"),
    ],
)
async def test_orders_not_delivered_or_closed_are_not_returnable(
    services: CommerceServices, demo: Demo, status: OrderStatus, reason: str
) -> None:
    pick = demo.pick(demo.order(status))
    verdict = await services.returns.eligibility(pick.order.id, pick.user_id, pick.asin)
    assert (verdict.eligible, verdict.reason_code) == (False, reason)
    assert verdict.reason_ja
    assert verdict.reason_en


async def test_returns_of_someone_elses_order_or_another_item_are_not_found(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.recent_physical()
    with pytest.raises(NotFound):
        await services.returns.eligibility(pick.order.id, demo.other_user(pick.user_id), pick.asin)
    with pytest.raises(NotFound):
        await services.returns.eligibility(pick.order.id, pick.user_id, "B0ZZZZZZZZ")
    with pytest.raises(NotFound):
        await services.returns.start_return(pick.order.id, demo.other_user(pick.user_id), pick.asin)


async def test_starting_a_return_twice_gives_the_same_rma(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.recent_physical()
    first = await services.returns.start_return(pick.order.id, pick.user_id, pick.asin)
    again = await services.returns.start_return(pick.order.id, pick.user_id, pick.asin)
    assert first == again
    assert first.rma_id == rma_id(pick.order.id, pick.asin)
    assert (first.resolution, first.return_shipping_paid_by) == ("return", "customer")
    assert first.instructions_ja
    assert first.instructions_en


async def test_a_return_that_is_not_allowed_is_refused(
    services: CommerceServices, demo: Demo
) -> None:
    pick = demo.old_physical()
    with pytest.raises(ServiceRejected) as refused:
        await services.returns.start_return(pick.order.id, pick.user_id, pick.asin)
    assert refused.value.code == "not_eligible"


# --- checkout --------------------------------------------------------------


async def test_the_cart_is_the_newest_unpaid_order(services: CommerceServices, demo: Demo) -> None:
    user_id = demo.user_with_pending()
    cart = await services.checkout.cart_status(user_id)
    pending = [o for o in demo.store.orders_by_user[user_id] if o.status == "pending"][-1]
    assert cart.order_id == pending.id
    assert [line.asin for line in cart.lines] == [line.asin for line in pending.lines]
    subtotal = sum(line.unit_price_jpy * line.quantity for line in cart.lines)
    assert cart.subtotal_jpy == subtotal
    if subtotal < 2000:
        assert (cart.shipping_jpy, cart.free_shipping_gap_jpy) == (350, 2000 - subtotal)
    else:
        assert (cart.shipping_jpy, cart.free_shipping_gap_jpy) == (0, 0)
    flagged = {issue.asin for issue in cart.issues}
    assert flagged == {line.asin for line in cart.lines if line.availability != "in_stock"}


async def test_no_unpaid_order_is_an_empty_cart(services: CommerceServices, demo: Demo) -> None:
    cart = await services.checkout.cart_status(demo.user_without_pending())
    assert (cart.order_id, cart.lines, cart.subtotal_jpy, cart.issues) == (None, (), 0, ())
    with pytest.raises(NotFound):
        await services.checkout.cart_status("nobody")


@pytest.mark.parametrize(
    ("code", "doc"),
    [
        ("card_declined", "payment-card"),
        ("3ds_failed", "overseas-cards"),
        ("KONBINI-EXPIRED", "payment-konbini"),
        ("address_invalid", "address-change"),
    ],
)
async def test_known_payment_errors_get_their_hint(
    services: CommerceServices, code: str, doc: str
) -> None:
    hint = await services.checkout.diagnose_payment("user-01", code)
    assert hint.known
    assert hint.error_code == code.lower().replace("-", "_")
    assert hint.help_doc_id == doc
    assert hint.hint_ja
    assert hint.hint_en
    assert not hint.escalate


async def test_an_unknown_payment_error_gets_general_advice_and_a_human(
    services: CommerceServices,
) -> None:
    hint = await services.checkout.diagnose_payment("user-01", "E-4711")
    assert (hint.known, hint.escalate) == (False, True)
    with pytest.raises(NotFound):
        await services.checkout.diagnose_payment("nobody", "card_declined")


# --- promotions ------------------------------------------------------------


async def test_only_promotions_running_at_the_time_are_active(
    services: CommerceServices, demo: Demo
) -> None:
    found = await services.promotions.active_promotions(demo.now)
    expected = {p.id for p in demo.store.promotions if p.starts_at <= demo.now < p.ends_at}
    assert {p.id for p in found} == expected
    assert "promo-summer-horror" not in expected  # expired by then
    assert [p.ends_at for p in found] == sorted(p.ends_at for p in found)
    later = await services.promotions.active_promotions(demo.now + timedelta(days=40))
    assert "promo-year-end" in {p.id for p in later}
    assert "promo-isekai-fair" not in {p.id for p in later}


async def test_promotions_for_items_are_those_covering_them(
    services: CommerceServices, demo: Demo
) -> None:
    store = demo.store
    isekai = next(
        i for i in store.item_by_asin.values() if "isekai" in store.series_by_id[i.series_id].genres
    )
    other = next(
        i
        for i in store.item_by_asin.values()
        if not {"isekai", "romance"} & set(store.series_by_id[i.series_id].genres)
        and i.series_id not in ("series-265", "series-005", "series-019", "series-273")
    )
    found = await services.promotions.active_promotions(demo.now, [isekai.asin, other.asin])
    by_id = {p.id: p for p in found}
    assert by_id["promo-isekai-fair"].applies_to == (isekai.asin,)
    assert by_id["promo-welcome10"].storewide
    assert by_id["promo-welcome10"].applies_to == (isekai.asin, other.asin)
    only_other = await services.promotions.active_promotions(demo.now, [other.asin])
    assert all(p.storewide for p in only_other)


async def test_promotions_need_an_aware_time(services: CommerceServices, demo: Demo) -> None:
    with pytest.raises(ServiceRejected):
        await services.promotions.active_promotions(demo.now.replace(tzinfo=None))


# --- profiles --------------------------------------------------------------


async def test_a_profile_has_locale_and_favourite_genres(
    services: CommerceServices, demo: Demo
) -> None:
    user = demo.store.users_by_id["user-01"]
    profile = await services.profiles.get_profile(user.id)
    assert (profile.locale, profile.favorite_genres) == (user.locale, user.favorite_genres)
    assert profile.display_name_ja == user.name_ja
    with pytest.raises(NotFound):
        await services.profiles.get_profile("nobody")


async def test_history_has_every_purchase_and_view(services: CommerceServices, demo: Demo) -> None:
    user = demo.store.users_by_id["user-02"]
    history = await services.profiles.history(user.id)
    orders = demo.store.orders_by_user[user.id]
    assert len(history.purchases) == sum(len(order.lines) for order in orders)
    assert [view.asin for view in history.views] == [v.asin for v in user.browsing_history]
    assert all(p.series_id for p in history.purchases)
    with pytest.raises(NotFound):
        await services.profiles.history("nobody")


# --- recommendations -------------------------------------------------------

REASONS = {
    "bought_together",
    "viewed_together",
    "same_author",
    "similar_genre",
    "favorite_genre",
    "popular_now",
}


async def test_a_shopper_gets_k_explained_suggestions_of_series_they_do_not_own(
    services: CommerceServices, demo: Demo
) -> None:
    user_id = "user-03"
    owned = {
        demo.store.item_by_asin[line.asin].series_id
        for order in demo.store.orders_by_user[user_id]
        if order.status not in ("cancelled", "returned", "refunded")
        for line in order.lines
    }
    suggestions = await services.recommendations.recommend(
        RecommendationRequest(user_id=user_id, k=8)
    )
    assert len(suggestions) == 8
    assert not owned & {s.series_id for s in suggestions}
    assert len({s.series_id for s in suggestions}) == 8
    assert {s.reason_code for s in suggestions} <= REASONS
    assert all(s.reason_ja and s.reason_en for s in suggestions)
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    for suggestion in suggestions:
        assert demo.store.item_by_asin[suggestion.asin].series_id == suggestion.series_id


async def test_a_guest_gets_suggestions_like_the_page_they_are_on(
    services: CommerceServices, demo: Demo
) -> None:
    page = demo.store.items_by_series["series-001"][0]
    result = await services.recommendations.recommend(
        RecommendationRequest(page_asin=page.asin, session_viewed=(page.asin,), k=5)
    )
    assert len(result) == 5
    assert "series-001" not in {s.series_id for s in result}
    assert result[0].reason_code in ("same_author", "similar_genre")
    assert demo.store.series_by_id["series-001"].title_en in result[0].reason_en


async def test_a_guest_with_no_context_gets_popular_items(services: CommerceServices) -> None:
    result = await services.recommendations.recommend(RecommendationRequest(k=3))
    assert len(result) == 3
    assert {s.reason_code for s in result} == {"popular_now"}
    assert {s.reason_en for s in result} == {"Popular now"}


async def test_an_unknown_shopper_is_treated_as_a_guest(services: CommerceServices) -> None:
    known = await services.recommendations.recommend(RecommendationRequest(k=4))
    unknown = await services.recommendations.recommend(RecommendationRequest(user_id="nobody", k=4))
    assert unknown == known
