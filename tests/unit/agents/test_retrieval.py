import json
from collections.abc import Callable
from importlib.resources import files

import pytest

from agents.exceptions import StageError
from agents.intent import understand
from agents.retrieval import GROUNDED_INTENTS, MIN_CONTEXT_SCORE, FaqIndex, ground
from agents.text import JAPANESE_RE
from connectors.knowledge.exceptions import KnowledgeBaseError
from mangaassist.errors import MangaAssistError
from schemas.events import ChatTurn, ContextItem, Locale, UnderstoodTurn, derive_id

TOPICS = {
    "faq-shipping",
    "faq-delivery-time",
    "faq-payment",
    "faq-points",
    "faq-preorder",
    "faq-returns",
    "faq-digital-refund",
    "faq-damaged",
    "faq-cancellation",
    "faq-gift-wrap",
    "faq-account",
    "faq-kindle-reading",
    "faq-privacy",
    "faq-order-tracking",
    "faq-coupons",
    "faq-contact",
}


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex.bundled()


def test_bundled_faq_is_marked_synthetic_and_covers_every_topic() -> None:
    data = json.loads(files("agents.data").joinpath("faq.json").read_text("utf-8"))
    assert data["synthetic"] is True
    assert "made-up" in data["note"].lower()
    assert {entry["id"] for entry in data["entries"]} == TOPICS
    for entry in data["entries"]:
        assert JAPANESE_RE.search(entry["title_ja"])
        assert JAPANESE_RE.search(entry["text_ja"])
        assert not JAPANESE_RE.search(entry["title_en"] + entry["text_en"])
        assert entry["keywords_ja"]
        assert entry["keywords_en"]


def test_bundled_is_loaded_once(index: FaqIndex) -> None:
    assert FaqIndex.bundled() is index
    assert len(index) == len(TOPICS)


@pytest.mark.parametrize(
    ("text", "locale", "best"),
    [
        ("how much is shipping", "en", "faq-shipping"),
        ("送料はいくら", "ja", "faq-shipping"),
        ("沖縄への送料", "ja", "faq-shipping"),
        ("where is my order 250-1234567-7654321", "en", "faq-order-tracking"),
        ("注文した本はいつ届きますか", "ja", "faq-order-tracking"),
        ("返品したい", "ja", "faq-returns"),
        ("I want a refund for a Kindle book", "en", "faq-digital-refund"),
        ("人と話したい", "ja", "faq-contact"),
        ("talk to a human", "en", "faq-contact"),
        ("セールやってる?", "ja", "faq-coupons"),
        ("any coupons", "en", "faq-coupons"),
        ("支払いができない", "ja", "faq-payment"),
        ("my card was declined", "en", "faq-payment"),
        ("cancel my order", "en", "faq-cancellation"),
        ("my book arrived with missing pages", "en", "faq-damaged"),
        ("パスワードを忘れました", "ja", "faq-account"),
        ("can I read on my phone", "en", "faq-kindle-reading"),
        ("予約できますか", "ja", "faq-preorder"),
        ("gift wrap?", "en", "faq-gift-wrap"),
    ],
)
def test_search_finds_the_right_entry(
    index: FaqIndex, text: str, locale: Locale, best: str
) -> None:
    results = index.search(text, locale)
    assert results[0].ref_id == best
    assert results[0].score >= MIN_CONTEXT_SCORE


def test_results_are_faq_items_best_first_in_the_locale(index: FaqIndex) -> None:
    for locale in ("ja", "en"):
        results = index.search("cancel my order and refund the shipping", locale, k=5)
        assert 1 < len(results) <= 5
        assert [item.score for item in results] == sorted(
            (item.score for item in results), reverse=True
        )
        assert all(item.source == "faq" and 0 < item.score <= 1 for item in results)
        has_japanese = [bool(JAPANESE_RE.search(item.text)) for item in results]
        assert has_japanese == [locale == "ja"] * len(results)


def test_other_language_fields_are_the_fallback(index: FaqIndex) -> None:
    # A Japanese sentence around an English word: no Japanese field matches "shipping".
    [top, *_] = index.search("shippingは?", "ja")
    assert top.ref_id == "faq-shipping"
    assert top.title == "送料について"
    [top, *_] = index.search("送料", "en")
    assert top.ref_id == "faq-shipping"
    assert top.title == "Shipping fees"


@pytest.mark.parametrize("text", ["👍", " ", "!!!", "250-1234567-7654321", "qwzx", "ぬるぽ"])
def test_nothing_matches_nothing(index: FaqIndex, text: str) -> None:
    assert index.search(text, "ja") == []
    assert index.search(text, "en") == []


def test_k_limits_the_results(index: FaqIndex) -> None:
    assert len(index.search("order", "en", k=1)) == 1
    assert index.search("order", "en", k=0) == []


def test_very_long_query(index: FaqIndex) -> None:
    results = index.search("shipping " * 20_000 + "送料" * 20_000, "en")
    assert results[0].ref_id == "faq-shipping"


def test_malformed_faq_data_is_a_stage_error() -> None:
    with pytest.raises(StageError, match="malformed"):
        FaqIndex.from_json('{"synthetic": true, "note": "x", "entries": [{"id": "faq-x"}]}')
    with pytest.raises(MangaAssistError):
        FaqIndex.from_json("not json")


def test_a_small_index_built_from_json() -> None:
    entry = {
        "id": "faq-manga",
        "title_ja": "漫画",
        "title_en": "Manga",
        "text_ja": "漫画の説明。",
        "text_en": "About manga.",
        "keywords_ja": [],
        "keywords_en": [],
    }
    index = FaqIndex.from_json(json.dumps({"synthetic": True, "note": "x", "entries": [entry]}))
    [item] = index.search("manga", "en")
    assert (item.ref_id, item.title, item.text, item.score) == (
        "faq-manga",
        "Manga",
        "About manga.",
        1.0,
    )


@pytest.mark.parametrize(
    ("text", "intent", "ref_id"),
    [
        ("送料はいくら", "faq", "faq-shipping"),
        ("how much is shipping", "faq", "faq-shipping"),
        ("返品したい", "return_request", "faq-returns"),
        ("where is my order", "order_tracking", "faq-order-tracking"),
        ("my card was declined", "checkout_help", "faq-payment"),
        ("any coupons", "promotion", "faq-coupons"),
    ],
)
async def test_ground_adds_faq_context(
    chat_turn: Callable[..., ChatTurn], index: FaqIndex, text: str, intent: str, ref_id: str
) -> None:
    understood = understand(chat_turn(text))
    grounded = await ground(understood, index)
    assert grounded.intent == intent
    assert grounded.intent in GROUNDED_INTENTS
    assert grounded.context[0].ref_id == ref_id
    assert all(item.score >= MIN_CONTEXT_SCORE for item in grounded.context)


@pytest.mark.parametrize(
    "text",
    [
        "hello",  # chitchat
        "ありがとう",
        "👍",
        "recommend something like Naruto",  # no catalogue yet
        "looking for a dark fantasy manga",
        "how many pages is Berserk vol 3",  # "pages" alone is no reason to cite missing pages
        "talk to a human, my email is a@example.com",  # a person answers: no help page
    ],
)
async def test_ground_adds_no_context(
    chat_turn: Callable[..., ChatTurn], index: FaqIndex, text: str
) -> None:
    assert (await ground(understand(chat_turn(text)), index)).context == ()


async def test_ground_copies_the_turn(chat_turn: Callable[..., ChatTurn], index: FaqIndex) -> None:
    understood = understand(chat_turn("返品したい vol. 2"))
    grounded = await ground(understood, index)
    assert grounded.event_id == derive_id(understood.event_id, "retrieval")
    copied = ("session_id", "turn_id", "user_id", "locale", "text", "intent", "confidence")
    for field in (*copied, "entities", "received_ts"):
        assert getattr(grounded, field) == getattr(understood, field)


class FixedRetriever:
    def __init__(self, *items: ContextItem) -> None:
        self.items = list(items)
        self.calls = 0

    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        self.calls += 1
        return self.items[:k]


PRODUCT = ContextItem(source="catalog", ref_id="B0TESTTEST", title="t", text="x", score=1.0)


def as_intent(chat_turn: Callable[..., ChatTurn], text: str, intent: str) -> UnderstoodTurn:
    return understand(chat_turn(text)).model_copy(update={"intent": intent})


async def test_product_intents_are_grounded_in_the_catalog(
    chat_turn: Callable[..., ChatTurn], index: FaqIndex
) -> None:
    turn = as_intent(chat_turn, "how much is vol 3", "product_question")
    assert (await ground(turn, index, FixedRetriever(PRODUCT))).context == (PRODUCT,)


async def test_faq_intents_never_ask_the_catalog(
    chat_turn: Callable[..., ChatTurn], index: FaqIndex
) -> None:
    catalog = FixedRetriever(PRODUCT)
    await ground(as_intent(chat_turn, "how much is shipping", "faq"), index, catalog)
    assert catalog.calls == 0


async def test_the_faq_answers_when_the_catalog_finds_nothing(
    chat_turn: Callable[..., ChatTurn], index: FaqIndex
) -> None:
    turn = as_intent(chat_turn, "送料はいくら", "product_question")
    grounded = await ground(turn, index, FixedRetriever())
    assert grounded.context
    assert all(item.source == "faq" for item in grounded.context)


class OneOrder:
    def find(self, order_id: str, user_id: str, locale: Locale) -> ContextItem | None:
        if (order_id, user_id) != ("250-1234567-7654321", "user-1"):
            return None
        return ContextItem(source="orders", ref_id=order_id, title=order_id, text="ok", score=1.0)


@pytest.mark.parametrize(("user_id", "found"), [("user-1", True), ("user-2", False), (None, False)])
async def test_orders_are_looked_up_only_for_their_signed_in_owner(
    chat_turn: Callable[..., ChatTurn], index: FaqIndex, user_id: str | None, found: bool
) -> None:
    text = "where is my order 250-1234567-7654321"
    turn = understand(chat_turn(text, "en").model_copy(update={"user_id": user_id}))
    grounded = await ground(turn, index, None, OneOrder())
    assert turn.intent == "order_tracking"
    assert any(item.source == "orders" for item in grounded.context) is found


class BrokenKnowledgeBase:
    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        raise KnowledgeBaseError("the search cluster is unreachable")


@pytest.mark.parametrize(("locale", "notice"), [("en", "may be incomplete"), ("ja", "不確か")])
async def test_knowledge_base_down_answers_with_lower_confidence(
    chat_turn: Callable[..., ChatTurn], locale: str, notice: str
) -> None:
    from agents.generation import generate

    turn = as_intent(chat_turn, "how much is shipping", "faq").model_copy(update={"locale": locale})
    grounded = await ground(turn, BrokenKnowledgeBase())
    assert grounded.degraded == ("knowledge_base",)
    reply = generate(grounded).final
    assert notice in reply.text
    assert reply.degraded == ("knowledge_base",)
