"""The return rule set, on orders made up around the edges of each window."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from connectors.commerce.models import ItemCondition
from connectors.commerce.returns import decide_return, instructions, jst_day
from connectors.store.models import Item, Order
from tests.unit.connectors.commerce.helpers import Demo, at

DOCS = Path(__file__).parents[4] / "connectors" / "knowledge" / "docs"
TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def paper(demo: Demo) -> Item:
    item = next(i for i in demo.store.item_by_asin.values() if i.format == "paperback")
    return item.model_copy(update={"availability": "in_stock"})


@pytest.fixture(scope="module")
def kindle(demo: Demo) -> Item:
    return next(i for i in demo.store.item_by_asin.values() if i.format == "kindle")


@pytest.fixture(scope="module")
def delivered(demo: Demo) -> Order:
    return demo.order("delivered")


def delivered_days_ago(order: Order, days: int, hour: int = 12) -> Order:
    when = at(TODAY - timedelta(days=days), hour)
    return order.model_copy(update={"placed_at": when, "updated_at": when})


@pytest.mark.parametrize(("days", "eligible"), [(0, True), (30, True), (31, False)])
def test_the_30_day_window_includes_its_last_day(
    delivered: Order, paper: Item, days: int, eligible: bool
) -> None:
    decision = decide_return(delivered_days_ago(delivered, days), paper, "unopened", TODAY)
    assert decision.eligible is eligible
    assert decision.deadline == TODAY - timedelta(days=days) + timedelta(days=30)


def test_days_are_counted_in_japan(delivered: Order, paper: Item) -> None:
    # 23:30 JST on day D is still D in Japan (and D-1 14:30 in UTC).
    late = delivered_days_ago(delivered, 30, hour=23)
    assert jst_day(late.updated_at) == TODAY - timedelta(days=30)
    assert decide_return(late, paper, "unopened", TODAY).eligible


@pytest.mark.parametrize(
    ("condition", "code", "doc"),
    [
        ("damaged", "damaged_replacement", "damaged-items"),
        ("defective", "defective_replacement", "missing-pages-misprints"),
        ("wrong_item", "wrong_item_replacement", "wrong-item"),
    ],
)
def test_problems_are_replaced_at_the_stores_cost(
    delivered: Order, paper: Item, condition: ItemCondition, code: str, doc: str
) -> None:
    decision = decide_return(delivered_days_ago(delivered, 10), paper, condition, TODAY)
    assert decision.eligible
    assert (decision.reason_code, decision.help_doc_id) == (code, doc)
    assert (decision.resolution, decision.return_shipping_paid_by) == ("replacement", "store")


def test_a_change_of_mind_is_returned_at_the_shoppers_cost(delivered: Order, paper: Item) -> None:
    decision = decide_return(delivered_days_ago(delivered, 10), paper, "unopened", TODAY)
    assert (decision.resolution, decision.return_shipping_paid_by) == ("return", "customer")
    assert "5営業日" in decision.reason_ja
    assert "5 business days" in decision.reason_en


@pytest.mark.parametrize(("days", "eligible"), [(7, True), (8, False)])
def test_unread_digital_books_are_refunded_within_7_days_of_purchase(
    delivered: Order, kindle: Item, days: int, eligible: bool
) -> None:
    decision = decide_return(delivered_days_ago(delivered, days), kindle, "unopened", TODAY)
    assert decision.eligible is eligible
    assert decision.help_doc_id == "digital-refunds"
    if eligible:
        assert (decision.reason_code, decision.resolution) == ("digital_unread_refund", "refund")


def test_a_digital_book_started_is_not_refunded(delivered: Order, kindle: Item) -> None:
    decision = decide_return(delivered_days_ago(delivered, 2), kindle, "opened", TODAY)
    assert (decision.eligible, decision.reason_code) == (False, "digital_started")


def test_a_digital_book_bought_by_mistake_follows_the_unread_rule(
    delivered: Order, kindle: Item
) -> None:
    decision = decide_return(delivered_days_ago(delivered, 2), kindle, "wrong_item", TODAY)
    assert (decision.eligible, decision.resolution) == (True, "refund")


def test_digital_books_are_never_sent_back(delivered: Order, kindle: Item) -> None:
    for condition in ("unopened", "opened", "damaged", "defective", "wrong_item"):
        decision = decide_return(delivered_days_ago(delivered, 2), kindle, condition, TODAY)
        assert decision.resolution != "return"
        assert decision.return_shipping_paid_by is None


def test_a_digital_defect_gets_a_corrected_file(delivered: Order, kindle: Item) -> None:
    decision = decide_return(delivered_days_ago(delivered, 100), kindle, "defective", TODAY)
    assert (decision.eligible, decision.resolution) == (True, "replacement")
    ja, en = instructions("replacement", digital=True)
    assert "修正版" in ja
    assert "corrected file" in en


def test_every_rule_cites_a_help_page_that_exists(
    delivered: Order, paper: Item, kindle: Item, demo: Demo
) -> None:
    docs = set()
    for status in ("pending", "shipped", "cancelled", "returned", "refunded"):
        order = demo.order(status)
        docs.add(decide_return(order, paper, "unopened", TODAY).help_doc_id)
    for days in (2, 10, 40):
        for item in (paper, kindle):
            for condition in ("unopened", "opened", "damaged", "defective", "wrong_item"):
                order = delivered_days_ago(delivered, days)
                docs.add(decide_return(order, item, condition, TODAY).help_doc_id)
    for doc in docs:
        assert (DOCS / "en" / f"{doc}.md").exists() or (DOCS / "ja" / f"{doc}.md").exists(), doc
