"""The cache's keys and rules, without Redis (tests/integration has the real one)."""

import pytest

from connectors.llm import AnswerRequest, contains_price, normalize_question
from connectors.llm.cache import cache_key, is_personal
from schemas.events import ContextItem

FAQ = ContextItem(source="faq", ref_id="returns", title="Returns", text="30 days.", score=1)
ORDER = ContextItem(source="orders", ref_id="250-1", title="250-1", text="Shipped.", score=1)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("  Can I RETURN a book?? ", "can i return a book"),
        ("Can I return a book?", "can i return   a book!"),
        ("返品 できますか？", "返品できますか"),
        ("ＡＢＣの返品は？", "abcの返品は"),
        ("「返品」について、教えて。", "返品について教えて"),
        ("Kindle 版 は？", "kindle版は"),
    ],
)
def test_questions_that_differ_only_in_form_normalise_alike(one: str, other: str) -> None:
    assert normalize_question(one) == normalize_question(other)


def test_words_stay_apart() -> None:
    assert normalize_question("Can I, return?") == "can i return"
    assert normalize_question("a book") != normalize_question("abook")


@pytest.mark.parametrize(
    "text",
    [
        "It is ¥1,200.",
        "￥500です",
        "1,200円です",
        "千五百円",
        "500 yen",
        "1.5k yen",
        "JPY 800",
        "合計３，５００円",
        "only 980yen!",
    ],
)
def test_prices_are_found(text: str) -> None:
    assert contains_price(text)


@pytest.mark.parametrize(
    "text",
    ["Returns within 30 days.", "Volume 3 is out.", "円安の影響", "order 250-1234567", "Yenta"],
)
def test_other_numbers_are_not_prices(text: str) -> None:
    assert not contains_price(text)


def test_personal_requests() -> None:
    assert not is_personal(AnswerRequest("q", "en", context=(FAQ,)))
    assert is_personal(AnswerRequest("q", "en", user_id="u1"))
    assert is_personal(AnswerRequest("q", "en", context=(FAQ, ORDER)))


def test_the_key_covers_question_context_model_and_locale() -> None:
    base = cache_key("Can I return?", [FAQ], "m", "en")
    assert cache_key("can i return", [FAQ], "m", "en") == base
    assert cache_key("Can I exchange?", [FAQ], "m", "en") != base
    assert cache_key("Can I return?", [FAQ.model_copy(update={"text": "14 days."})], "m", "en") != (
        base
    )
    assert cache_key("Can I return?", [FAQ.model_copy(update={"ref_id": "r2"})], "m", "en") != base
    assert cache_key("Can I return?", [], "m", "en") != base
    assert cache_key("Can I return?", [FAQ], "other", "en") != base
    assert cache_key("Can I return?", [FAQ], "m", "ja") != base
    assert cache_key("Can I return?", [FAQ], "m", "en", prefix="p:").startswith("p:")
