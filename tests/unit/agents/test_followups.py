from collections.abc import Callable

import pytest

from agents.followups import remembered, with_references
from agents.generation import generate
from agents.intent import MIN_CONFIDENCE
from connectors.memory.models import ShownItem
from schemas.events import ContextItem, Entity, GroundedTurn, UnderstoodTurn

SHOWN = (
    ShownItem(kind="product", id="B000000001", title="One"),
    ShownItem(kind="product", id="B000000002", title="Two"),
)


def _understood(
    text: str, intent: str, confidence: float = 0.9, **fields: object
) -> UnderstoodTurn:
    return UnderstoodTurn(
        session_id="s",
        turn_id="t2",
        locale="en",
        text=text,
        intent=intent,
        confidence=confidence,
        received_ts="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def test_an_ordinal_makes_a_vague_turn_a_product_question() -> None:
    turn = with_references(_understood("what about the second one?", "chitchat", 0.3), SHOWN)
    assert turn.intent == "product_question"
    assert turn.confidence == MIN_CONFIDENCE
    assert Entity(kind="asin", value="B000000002") in turn.entities


def test_a_product_intent_keeps_its_label() -> None:
    turn = with_references(_understood("any coupon for the second one?", "promotion"), SHOWN)
    assert (turn.intent, turn.confidence) == ("promotion", 0.9)
    assert Entity(kind="asin", value="B000000002") in turn.entities


def test_it_in_a_turn_about_something_else_points_at_nothing() -> None:
    turn = _understood("is it free to ship it to Okinawa?", "faq")
    assert with_references(turn, SHOWN) is turn


def test_a_turn_that_names_its_product_is_left_alone() -> None:
    named = (Entity(kind="asin", value="B000000009"),)
    turn = _understood(
        "how much is the second one, B000000009?", "product_question", entities=named
    )
    assert with_references(turn, SHOWN) is turn


def test_a_reference_to_an_order_makes_it_order_tracking() -> None:
    orders = (ShownItem(kind="order", id="250-1234567-7654321", title="250-1234567-7654321"),)
    turn = with_references(_understood("and the first one?", "chitchat", 0.2), orders)
    assert turn.intent == "order_tracking"
    assert Entity(kind="order_id", value="250-1234567-7654321") in turn.entities


def test_remembered_keeps_the_products_the_reply_showed_in_order(
    grounded_turn: Callable[..., GroundedTurn],
) -> None:
    context = tuple(
        ContextItem(source="catalog", ref_id=f"B00000000{n}", title=f"T{n}", text=f"L{n}.", score=1)
        for n in (1, 2)
    )
    turn = grounded_turn(
        "kindle box sets? mail me at a@example.com", "product_discovery", context=context
    )
    memory = remembered(turn, generate(turn).final)
    assert [(s.kind, s.id, s.title) for s in memory.shown] == [
        ("product", "B000000001", "T1"),
        ("product", "B000000002", "T2"),
    ]
    assert "a@example.com" not in memory.user_text
    assert memory.turn_id == turn.turn_id


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_a_faq_answer_shows_no_products(
    grounded_turn: Callable[..., GroundedTurn], locale: str
) -> None:
    faq = ContextItem(source="faq", ref_id="shipping", title="Shipping", text="Free.", score=1)
    turn = grounded_turn("shipping?", "faq", locale, context=(faq,))
    assert remembered(turn, generate(turn).final).shown == ()
