from collections.abc import Callable

import pytest

from agents.intent import INTENTS, MIN_CONFIDENCE, bundled_classifier, understand
from agents.intent.classifier import NO_WORDS_CONFIDENCE
from schemas.events import ChatTurn, Entity, derive_id

# Written for these tests, not taken from the training examples.
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
    ("recommend something like The Secret Hero", "recommendation"),
    ("送料はいくら", "faq"),
    ("how much is shipping", "faq"),
    ("hello", "chitchat"),
    ("こんにちは", "chitchat"),
    ("ありがとう", "chitchat"),
    ("支払いができない", "checkout_help"),
    ("my card was declined", "checkout_help"),
    ("時計塔の騎士の最新刊の値段", "product_question"),
    ("how many pages is The Clock Tower Knight vol 3", "product_question"),
    ("異世界ファンタジーを探しています", "product_discovery"),
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
def test_plain_requests_in_both_languages(text: str, intent: str) -> None:
    result = bundled_classifier().classify(text)
    assert result.intent == intent
    assert result.confidence >= MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ＡＮＹ ＣＯＵＰＯＮＳ", "promotion"),
        ("WHERE IS MY ORDER", "order_tracking"),
        ("届いた本が破れていました", "return_request"),
        ("Kindle版を返金してほしい", "return_request"),
        ("オペレーターに代わってください", "escalation"),
        ("hello, where is my order?", "order_tracking"),
        ("こんにちは。送料はいくらですか", "faq"),
        ("wher is my pakage", "order_tracking"),
        ("へんぴんしたいです", "return_request"),
    ],
)
def test_typos_width_and_greetings(text: str, intent: str) -> None:
    assert bundled_classifier().classify(text).intent == intent


def test_rules_decide_only_the_labels_they_are_trusted_with() -> None:
    classifier = bundled_classifier()
    for text, _ in EXAMPLES:
        result = classifier.classify(text)
        if result.stage == "rules":
            assert result.intent in classifier.model.rule_precision
            assert result.confidence == classifier.model.rule_precision[result.intent]


@pytest.mark.parametrize("text", ["", "👍", "🙏🙏", "...", "!?", " ", "\u3000", "。", "12345"])
def test_text_without_words_is_low_confidence_chitchat(text: str) -> None:
    result = bundled_classifier().classify(text)
    assert (result.intent, result.confidence) == ("chitchat", NO_WORDS_CONFIDENCE)
    assert result.confidence < MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "a" * 50_000,
        "返品" * 10_000,
        "where is my 注文 😅 250-1234567-7654321 vol. 3 Kindle版?" * 200,
        "\x00\x01\u200d\ufeff",
        "ｈｅｌｌｏ ﾜﾝﾋﾟｰｽ",
        "qwzx",
    ],
)
def test_odd_text_still_gives_a_known_intent(text: str) -> None:
    result = bundled_classifier().classify(text)
    assert result.intent in INTENTS
    assert 0.0 <= result.confidence <= 1.0


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
    assert understood.confidence >= MIN_CONFIDENCE
    assert not understood.context_lost
    assert understood.entities[:2] == (
        Entity(kind="order_id", value="250-1234567-7654321"),
        Entity(kind="format", value="kindle"),
    )


def test_understand_japanese(chat_turn: Callable[..., ChatTurn]) -> None:
    understood = understand(chat_turn("時計塔の騎士3巻の値段は?", "en"))
    assert understood.locale == "ja"
    assert understood.intent == "product_question"
    assert Entity(kind="volume", value="3") in understood.entities


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
