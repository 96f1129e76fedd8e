import pytest

from agents.intent.rules import unambiguous_intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("talk to a human", "escalation"),
        ("オペレーターと話したい", "escalation"),
        ("my card was declined", "checkout_help"),
        ("返品したい", "return_request"),
        ("hello, where is my order?", "order_tracking"),
        ("こんにちは", "chitchat"),
    ],
)
def test_one_strong_rule_decides(text: str, intent: str) -> None:
    assert unambiguous_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "where is my order? also any coupons?",  # two tasks
        "manga",  # only weak evidence
        "qwzx",
        "",
    ],
)
def test_anything_else_is_left_to_the_model(text: str) -> None:
    assert unambiguous_intent(text) is None
