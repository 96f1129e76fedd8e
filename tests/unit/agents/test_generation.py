from collections.abc import Callable

import pytest

from agents.generation import SUMMARY_CHARS, generate, summarize
from agents.intent import INTENTS
from agents.text import JAPANESE_RE
from schemas.events import ContextItem, Entity, GroundedTurn, derive_id

Grounded = Callable[..., GroundedTurn]

SHIPPING = ContextItem(
    source="faq",
    ref_id="faq-shipping",
    title="Shipping fees",
    text="Shipping is a flat 350 yen. It is free from 2,000 yen.",
    score=1.0,
)
SHIPPING_JA = ContextItem(
    source="faq",
    ref_id="faq-shipping",
    title="送料について",
    text="送料は全国一律350円です。2,000円以上は無料です。",
    score=1.0,
)
ORDER = Entity(kind="order_id", value="250-1234567-7654321")


def test_a_retrieved_answer_quotes_the_best_item(grounded_turn: Grounded) -> None:
    other = SHIPPING.model_copy(update={"ref_id": "faq-delivery-time", "score": 0.5})
    draft = generate(grounded_turn("how much is shipping", "faq", context=(SHIPPING, other)))
    assert draft.final.text == SHIPPING.text
    assert draft.final.path == "retrieval"
    assert draft.final.sources == ("faq-shipping",)


def test_a_retrieved_answer_in_japanese(grounded_turn: Grounded) -> None:
    draft = generate(grounded_turn("送料はいくら", "faq", "ja", context=(SHIPPING_JA,)), 15)
    assert draft.final.text == SHIPPING_JA.text
    assert [chunk.text for chunk in draft.chunks] == [
        "送料は全国一律350円です。",
        "2,000円以上は無料です。",
    ]


@pytest.mark.parametrize("locale", ["ja", "en"])
@pytest.mark.parametrize("intent", [intent for intent in INTENTS if intent != "escalation"])
def test_every_intent_has_a_template_reply_in_both_languages(
    grounded_turn: Grounded, intent: str, locale: str
) -> None:
    draft = generate(grounded_turn("text", intent, locale))
    assert draft.final.path == "template"
    assert draft.final.sources == ()
    assert draft.final.intent == intent
    assert bool(JAPANESE_RE.search(draft.final.text)) == (locale == "ja")
    assert draft.escalation is None


def test_chitchat_offers_help(grounded_turn: Grounded) -> None:
    assert "How can I help?" in generate(grounded_turn("hello", "chitchat")).final.text
    assert "MangaAssist" in generate(grounded_turn("こんにちは", "chitchat", "ja")).final.text


@pytest.mark.parametrize(
    ("intent", "confidence"),
    [("chitchat", 0.1), ("chitchat", 0.2), ("faq", 0.44), ("nonsense", 0.9)],
)
@pytest.mark.parametrize(("locale", "phrase"), [("en", "rephrase"), ("ja", "別の言い方")])
def test_a_guess_asks_to_rephrase(
    grounded_turn: Grounded, intent: str, confidence: float, locale: str, phrase: str
) -> None:
    draft = generate(grounded_turn("🙃", intent, locale, confidence=confidence))
    assert phrase in draft.final.text
    assert draft.final.path == "template"


@pytest.mark.parametrize(
    ("locale", "text", "phrase"),
    [
        ("en", "talk to a human", "I'm connecting you with a member of our support team"),
        ("ja", "人と話したい", "サポートチームの担当者におつなぎします"),
    ],
)
def test_escalation_hands_over_to_a_person(
    grounded_turn: Grounded, locale: str, text: str, phrase: str
) -> None:
    turn = grounded_turn(text, "escalation", locale)
    draft = generate(turn)
    assert draft.final.text.startswith(phrase)
    assert draft.escalation is not None
    assert draft.escalation.event_id == derive_id(turn.event_id, "escalation")
    assert draft.escalation.reason == "shopper_request"
    assert draft.escalation.summary == text
    assert draft.escalation.locale == locale
    assert (draft.escalation.session_id, draft.escalation.user_id) == ("session-1", "user-1")


def test_escalation_with_context_adds_the_support_hours(grounded_turn: Grounded) -> None:
    hours = ContextItem(
        source="faq", ref_id="faq-contact", title="t", text="We answer 10:00 to 18:00.", score=1
    )
    draft = generate(grounded_turn("talk to a human", "escalation", context=(hours,)))
    assert draft.final.text.endswith(" We answer 10:00 to 18:00.")
    assert draft.final.sources == ("faq-contact",)
    assert draft.escalation is not None


def test_the_summary_is_one_short_line_without_personal_data() -> None:
    summary = summarize("Call me\non 090-1234-5678  or mail a@b.jp\t" + "please " * 100)
    assert summary.startswith("Call me on [phone] or mail [email] please")
    assert "\n" not in summary
    assert len(summary) == SUMMARY_CHARS
    assert summary.endswith("…")


def test_a_signed_in_shoppers_order_is_answered_from_the_order_context(
    grounded_turn: Grounded,
) -> None:
    status = ContextItem(
        source="orders", ref_id=ORDER.value, title=ORDER.value, text="Shipped.", score=1.0
    )
    turn = grounded_turn("where is it", "order_tracking", entities=(ORDER,), context=(status,))
    draft = generate(turn)
    assert (draft.final.text, draft.final.sources) == ("Shipped.", (ORDER.value,))


@pytest.mark.parametrize(("locale", "phrase"), [("en", "sign in"), ("ja", "ログイン")])
def test_a_guest_is_asked_to_sign_in_before_an_order_look_up(
    grounded_turn: Grounded, locale: str, phrase: str
) -> None:
    turn = grounded_turn("where is it", "order_tracking", locale, entities=(ORDER,))
    guest = turn.model_copy(update={"user_id": None})
    text = generate(guest).final.text
    assert phrase in text
    assert ORDER.value in text


def test_an_order_not_on_the_account_is_not_found(grounded_turn: Grounded) -> None:
    text = generate(grounded_turn("where is it", "order_tracking", entities=(ORDER,))).final.text
    assert text.startswith(f"I couldn't find order {ORDER.value} on your account.")


def test_order_tracking_without_an_order_id_asks_for_it(grounded_turn: Grounded) -> None:
    text = generate(grounded_turn("where is my order", "order_tracking")).final.text
    assert "order-tracking page" in text
    assert "order number" in text


def test_chunks_and_final_event_ids_and_fields(grounded_turn: Grounded) -> None:
    turn = grounded_turn("how much is shipping", "faq", context=(SHIPPING,))
    draft = generate(turn)
    assert [chunk.seq for chunk in draft.chunks] == list(range(len(draft.chunks)))
    assert [chunk.event_id for chunk in draft.chunks] == [
        derive_id(turn.event_id, f"chunk-{seq}") for seq in range(len(draft.chunks))
    ]
    for event in (*draft.chunks, draft.final):
        assert (event.session_id, event.turn_id) == (turn.session_id, turn.turn_id)
        assert event.received_ts == turn.received_ts
    final = draft.final
    assert final.event_id == derive_id(turn.event_id, "final")
    assert (final.status, final.chunk_count) == ("ok", len(draft.chunks))
    assert (final.guardrail_flags, final.error_code) == ((), None)


@pytest.mark.parametrize("chunk_chars", [1, 10, 60, 1000])
def test_chunks_join_to_the_final_text(grounded_turn: Grounded, chunk_chars: int) -> None:
    for intent in INTENTS:
        for locale in ("ja", "en"):
            draft = generate(grounded_turn("x", intent, locale, entities=(ORDER,)), chunk_chars)
            assert "".join(chunk.text for chunk in draft.chunks) == draft.final.text
            assert all(len(chunk.text) <= chunk_chars for chunk in draft.chunks)
            assert draft.final.chunk_count == len(draft.chunks) > 0


def test_odd_shopper_text_changes_nothing_but_the_summary(grounded_turn: Grounded) -> None:
    for text in ("👍" * 5000, "\x00", "漫画 manga 😅 " * 1000):
        draft = generate(grounded_turn(text, "escalation"))
        assert draft.escalation is not None
        assert len(draft.escalation.summary) <= SUMMARY_CHARS
        assert "\n" not in draft.escalation.summary


def test_generate_is_deterministic(grounded_turn: Grounded) -> None:
    turn = grounded_turn("talk to a human", "escalation", context=(SHIPPING,))
    first, second = generate(turn), generate(turn)
    assert [c.model_dump(exclude={"ts"}) for c in first.chunks] == [
        c.model_dump(exclude={"ts"}) for c in second.chunks
    ]
    assert first.final.model_dump(exclude={"ts"}) == second.final.model_dump(exclude={"ts"})


def test_catalog_context_is_listed_with_every_item_as_a_source(grounded_turn: Grounded) -> None:
    items = tuple(
        ContextItem(
            source="catalog",
            ref_id=f"B0AAAAAAA{i}",
            title="t",
            text=f"Item {i}: ¥5{i}0.",
            score=1.0,
        )
        for i in range(2)
    )
    draft = generate(grounded_turn("how much is vol 3", "product_question", "en", context=items))
    assert draft.final.text == "Here is what I found in our catalog. Item 0: ¥500. Item 1: ¥510."
    assert draft.final.sources == ("B0AAAAAAA0", "B0AAAAAAA1")
    assert draft.final.path == "retrieval"


@pytest.mark.parametrize(("locale", "phrase"), [("en", "Which one"), ("ja", "どちら")])
def test_an_ambiguous_reference_asks_which_one(
    grounded_turn: Grounded, locale: str, phrase: str
) -> None:
    from schemas.events import ContextItem, Entity

    context = tuple(
        ContextItem(
            source="catalog", ref_id=f"B00000000{n}", title=f"Title {n}", text=f"Line {n}.", score=1
        )
        for n in (1, 2)
    )
    entities = (Entity(kind="reference", value="ambiguous"),)
    draft = generate(
        grounded_turn(
            "is it in stock?", "product_question", locale, entities=entities, context=context
        )
    )
    assert phrase in draft.final.text
    assert "1. Line 1." in draft.final.text
    assert "2. Line 2." in draft.final.text
    assert draft.final.sources == ("B000000001", "B000000002")


@pytest.mark.parametrize(("locale", "phrase"), [("en", "history"), ("ja", "履歴")])
def test_a_turn_understood_without_memory_says_so(
    grounded_turn: Grounded, locale: str, phrase: str
) -> None:
    turn = grounded_turn("hello", "chitchat", locale).model_copy(update={"context_lost": True})
    assert phrase in generate(turn).final.text
    assert phrase not in generate(grounded_turn("hello", "chitchat", locale)).final.text
