from collections.abc import Callable

import pytest

from agents.intent import INTENTS, MIN_CONFIDENCE, STRONG, WEAK, classify, understand
from schemas.events import ChatTurn, Entity, derive_id

EXAMPLES = [
    ("where is my order 250-1234567-7654321", "order_tracking"),
    ("注文した本はいつ届きますか", "order_tracking"),
    ("返品したい", "return_request"),
    ("I want a refund", "return_request"),
    ("人と話したい", "escalation"),
    ("talk to a human", "escalation"),
    ("セールやってる?", "promotion"),
    ("any coupons", "promotion"),
    ("おすすめの漫画は?", "recommendation"),
    ("recommend something like Naruto", "recommendation"),
    ("送料はいくら", "faq"),
    ("how much is shipping", "faq"),
    ("hello", "chitchat"),
    ("こんにちは", "chitchat"),
    ("ありがとう", "chitchat"),
    ("支払いができない", "checkout_help"),
    ("my card was declined", "checkout_help"),
    ("ワンピースの最新刊の値段", "product_question"),
    ("how many pages is Berserk vol 3", "product_question"),
    ("探している: 異世界ファンタジー", "product_discovery"),
    ("looking for a dark fantasy manga", "product_discovery"),
]


def test_the_ten_intents() -> None:
    assert INTENTS == (
        "product_discovery",
        "product_question",
        "faq",
        "order_tracking",
        "return_request",
        "promotion",
        "recommendation",
        "checkout_help",
        "escalation",
        "chitchat",
    )


@pytest.mark.parametrize(("text", "intent"), EXAMPLES)
def test_strong_keywords_in_both_languages(text: str, intent: str) -> None:
    assert classify(text) == (intent, STRONG)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ＡＮＹ ＣＯＵＰＯＮＳ", "promotion"),
        ("WHERE IS MY ORDER", "order_tracking"),
        ("届いた本が破れていました", "return_request"),
        ("Kindle版を返金してほしい", "return_request"),
        ("cancel my order", "faq"),
        ("オペレーターに代わってください", "escalation"),
        ("人間失格の値段", "product_question"),  # a title, not a request for a person
    ],
)
def test_more_phrasings(text: str, intent: str) -> None:
    assert classify(text)[0] == intent


def test_a_greeting_does_not_dilute_a_task() -> None:
    assert classify("hello, where is my order?") == ("order_tracking", STRONG)
    assert classify("こんにちは。送料はいくらですか") == ("faq", STRONG)


def test_two_strong_tasks_are_ambiguous() -> None:
    intent, confidence = classify("where is my order? also any coupons?")
    assert intent == "order_tracking"  # the earlier in priority
    assert WEAK < confidence < STRONG


def test_weak_evidence_gives_middling_confidence() -> None:
    assert classify("manga") == ("product_discovery", WEAK)
    entities = (Entity(kind="order_id", value="250-1234567-7654321"),)
    assert classify("250-1234567-7654321", entities) == ("order_tracking", WEAK)


def test_an_entity_kind_without_a_hint_is_ignored() -> None:
    assert classify("hello", (Entity(kind="colour", value="red"),)) == ("chitchat", STRONG)


@pytest.mark.parametrize("text", ["👍", "🙏🙏", "...", "!?", " ", "\u3000", "。"])
def test_empty_ish_text_is_low_confidence_chitchat(text: str) -> None:
    intent, confidence = classify(text)
    assert intent == "chitchat"
    assert confidence < MIN_CONFIDENCE
    assert confidence < classify("qwzx")[1]


@pytest.mark.parametrize("text", ["qwzx", "ぬるぽ", "12345", "lorem ipsum dolor"])
def test_unknown_text_is_low_confidence_chitchat(text: str) -> None:
    intent, confidence = classify(text)
    assert intent == "chitchat"
    assert 0 < confidence < MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "a" * 50_000,
        "返品" * 10_000,
        "where is my 注文 😅 250-1234567-7654321 vol. 3 Kindle版?" * 200,
        "\x00\x01\u200d\ufeff",
        "ｈｅｌｌｏ ﾜﾝﾋﾟｰｽ",
    ],
)
def test_odd_text_still_gives_a_known_intent(text: str) -> None:
    intent, confidence = classify(text)
    assert intent in INTENTS
    assert 0.0 <= confidence <= 1.0


def test_understand_builds_the_next_event(chat_turn: Callable[..., ChatTurn]) -> None:
    turn = chat_turn("Where is my order 250-1234567-7654321? It's the Kindle edition.", "ja")
    understood = understand(turn)
    assert understood.event_id == derive_id(turn.event_id, "intent")
    assert (understood.session_id, understood.turn_id, understood.user_id) == (
        turn.session_id,
        turn.turn_id,
        turn.user_id,
    )
    assert understood.received_ts == turn.ts
    assert understood.text == turn.text
    assert understood.locale == "en"  # the text wins over the locale the client sent
    assert understood.intent == "order_tracking"
    assert understood.confidence == STRONG
    assert understood.entities == (
        Entity(kind="order_id", value="250-1234567-7654321"),
        Entity(kind="format", value="kindle"),
    )


def test_understand_japanese(chat_turn: Callable[..., ChatTurn]) -> None:
    understood = understand(chat_turn("ワンピース3巻の値段は?", "en"))
    assert understood.locale == "ja"
    assert understood.intent == "product_question"
    assert understood.entities == (Entity(kind="volume", value="3"),)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_understand_keeps_the_client_locale_for_text_without_letters(
    chat_turn: Callable[..., ChatTurn], locale: str
) -> None:
    understood = understand(chat_turn("👍", locale))
    assert understood.locale == locale
    assert understood.intent == "chitchat"
    assert understood.confidence < MIN_CONFIDENCE


def test_understand_is_deterministic(chat_turn: Callable[..., ChatTurn]) -> None:
    turn = chat_turn("返品したい 250-1234567-7654321")
    first, second = understand(turn), understand(turn)
    assert first.model_dump(exclude={"ts"}) == second.model_dump(exclude={"ts"})
