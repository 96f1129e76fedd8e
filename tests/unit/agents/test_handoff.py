"""When a chat goes to a person (agents/handoff.py), and what the person is told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from agents import templates
from agents.generation import Draft, generate
from agents.guard.templates import ABUSE_REFUSAL, INJECTION_REFUSAL
from agents.handoff import (
    build_escalation,
    conversation_summary,
    decide_handoff,
    handoff_escalation,
    with_handoff,
)
from agents.sentiment import sentiment_score
from connectors.memory import (
    Conversation,
    InProcessMemory,
    MemoryUnavailable,
    RememberedTurn,
    ShownItem,
)
from schemas.events import ContextItem, Entity, FinalReply, GroundedTurn, derive_id

Grounded = Callable[..., GroundedTurn]
EARLIER = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)
BOOK = ContextItem(
    source="catalog",
    ref_id="B0NIGT9WIB",
    title="Hero of the Twilight Capital, Vol. 3",
    text="Hero of the Twilight Capital, Vol. 3 (paperback): ¥715, in stock.",
    score=1.0,
)


def past(n: int, reply: str, intent: str = "faq", **fields: object) -> RememberedTurn:
    values: dict[str, object] = {
        "turn_id": f"past-{n}",
        "at": EARLIER + timedelta(minutes=n),
        "locale": "en",
        "user_text": f"message {n}",
        "intent": intent,
        "reply_text": reply,
    }
    values.update(fields)
    return RememberedTurn.model_validate(values)


def conversation(*turns: RememberedTurn) -> Conversation:
    return Conversation(session_id="session-1", turns=turns)


ANSWERED = "Shipping is a flat 350 yen."
REPHRASE = templates.REPHRASE.en
REPHRASE_JA = templates.REPHRASE.ja


def reply(turn: GroundedTurn, **fields: object) -> FinalReply:
    return generate(turn).final.model_copy(update=fields)


# ---- the decision ----


def test_asking_for_a_person_is_a_shopper_request(grounded_turn: Grounded) -> None:
    turn = grounded_turn("This is useless, get me a human!", "escalation")
    assert decide_handoff(turn, None, sentiment_score(turn.text)) == "shopper_request"


def test_three_unanswered_turns_in_a_row_are_a_repeated_failure(grounded_turn: Grounded) -> None:
    turn = grounded_turn("asdf qwerty", "chitchat", confidence=0.1)
    history = conversation(past(1, ANSWERED), past(2, REPHRASE), past(3, REPHRASE_JA))
    assert generate(turn).final.text == REPHRASE
    assert decide_handoff(turn, history, 0.0, generate(turn).final) == "repeated_failure"
    # Without the reply, a low confidence with nothing found says the same.
    assert decide_handoff(turn, history, 0.0) == "repeated_failure"


@pytest.mark.parametrize(
    "earlier",
    [
        (past(1, REPHRASE),),  # two failures only
        (past(1, REPHRASE), past(2, ANSWERED)),  # broken by an answer
        (past(1, REPHRASE), past(2, REPHRASE), past(3, REPHRASE)),  # the fourth: already fired
    ],
    ids=["two", "broken", "fourth"],
)
def test_a_failure_streak_fires_once_when_it_reaches_three(
    grounded_turn: Grounded, earlier: tuple[RememberedTurn, ...]
) -> None:
    turn = grounded_turn("asdf qwerty", "chitchat", confidence=0.1)
    assert decide_handoff(turn, conversation(*earlier), 0.0, generate(turn).final) is None


def test_error_replies_and_unknown_intents_are_failures(grounded_turn: Grounded) -> None:
    turn = grounded_turn("where is my order", "order_tracking")
    error = reply(turn, status="error", path="error", text=templates.ERROR.en)
    history = conversation(past(1, templates.ERROR.ja), past(2, ANSWERED, intent="new_thing"))
    assert decide_handoff(turn, history, 0.0, error) == "repeated_failure"


def test_the_turn_itself_in_memory_is_not_an_earlier_turn(grounded_turn: Grounded) -> None:
    turn = grounded_turn("asdf qwerty", "chitchat", confidence=0.1)
    itself = past(9, REPHRASE, turn_id=turn.turn_id)  # a redelivered turn, already remembered
    history = conversation(past(1, REPHRASE), itself)
    assert decide_handoff(turn, history, 0.0, generate(turn).final) is None


def test_two_blocked_replies_in_a_row_hand_over(grounded_turn: Grounded) -> None:
    turn = grounded_turn("you are a useless idiot", "chitchat")
    blocked = reply(turn, guardrail_flags=("toxicity",))
    history = conversation(past(1, ANSWERED), past(2, ABUSE_REFUSAL.en))
    assert decide_handoff(turn, history, 0.0, blocked) == "guardrail_blocks"
    # A reply the input guard already replaced counts as blocked too.
    refused = reply(turn, text=INJECTION_REFUSAL.en)
    assert decide_handoff(turn, history, 0.0, refused) == "guardrail_blocks"
    flagged = reply(turn, guardrail_flags=("blocked:prompt_injection",))
    assert decide_handoff(turn, history, 0.0, flagged) == "guardrail_blocks"


@pytest.mark.parametrize(
    ("earlier", "flags"),
    [
        ((past(1, ANSWERED),), ("toxicity",)),  # only this one blocked
        ((past(1, ABUSE_REFUSAL.ja),), ("pii", "length")),  # this one only masked
        ((past(1, ABUSE_REFUSAL.ja), past(2, ABUSE_REFUSAL.en)), ("toxicity",)),  # third: fired
    ],
    ids=["one", "masked", "third"],
)
def test_a_block_streak_fires_once_when_it_reaches_two(
    grounded_turn: Grounded, earlier: tuple[RememberedTurn, ...], flags: tuple[str, ...]
) -> None:
    turn = grounded_turn("hey", "chitchat")
    decided = decide_handoff(turn, conversation(*earlier), 0.0, reply(turn, guardrail_flags=flags))
    assert decided is None


def test_a_strongly_negative_message_hands_over_once(grounded_turn: Grounded) -> None:
    turn = grounded_turn("My order is late again and your support is useless!!", "order_tracking")
    score = sentiment_score(turn.text)
    assert decide_handoff(turn, conversation(past(1, ANSWERED)), score) == "negative_sentiment"
    still_angry = past(1, ANSWERED, user_text="This is ridiculous, worst store ever!")
    assert decide_handoff(turn, conversation(still_angry), score) is None


@pytest.mark.parametrize(
    ("text", "locale"),
    [("The ending made me cry 😭 so sad!", "en"), ("最終回、泣ける…つらすぎる", "ja")],
)
def test_plot_talk_does_not_hand_over(grounded_turn: Grounded, text: str, locale: str) -> None:
    turn = grounded_turn(text, "recommendation", locale)
    assert decide_handoff(turn, None, sentiment_score(text), generate(turn).final) is None


def test_a_request_comes_first(grounded_turn: Grounded) -> None:
    turn = grounded_turn("worst service ever!!! get me a human", "escalation")
    history = conversation(past(1, REPHRASE), past(2, REPHRASE))
    assert decide_handoff(turn, history, -0.9, reply(turn, status="error")) == "shopper_request"


# ---- the escalation ----


def test_the_escalation_carries_the_context_with_personal_data_masked(
    grounded_turn: Grounded,
) -> None:
    turn = grounded_turn(
        "Still nothing!! Call me on 090-1234-5678 or mail taro@example.com, this is useless!!",
        "order_tracking",
        entities=(Entity(kind="order_id", value="250-1234567-7654321"),),
    )
    history = conversation(
        past(
            1,
            "Here is what I found in our catalog. Hero of the Twilight Capital, Vol. 3 …",
            intent="product_question",
            user_text="Ship it to 東京都千代田区千代田1-1 please",
            shown=(ShownItem(kind="product", id="B0NIGT9WIB", title="Hero, Vol. 3"),),
        ),
        past(2, REPHRASE, intent="chitchat"),
    )
    score = sentiment_score(turn.text)
    escalation = build_escalation(turn, "negative_sentiment", history, score, generate(turn).final)
    assert escalation.event_id == derive_id(turn.event_id, "escalation")
    assert (escalation.session_id, escalation.turn_id, escalation.user_id) == (
        "session-1",
        "turn-1",
        "user-1",
    )
    assert (escalation.locale, escalation.reason) == ("en", "negative_sentiment")
    assert escalation.schema_version == 2
    assert escalation.summary.startswith("Still nothing!! Call me on [phone] or mail [email]")
    assert escalation.intents == ("product_question", "chitchat", "order_tracking")
    assert escalation.product_ids == ("B0NIGT9WIB",)
    assert escalation.order_ids == ("250-1234567-7654321",)
    assert escalation.sentiment == round(score, 3) < -0.65
    lines = escalation.conversation.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("1. [product_question] Shopper: Ship it to [address]")
    assert lines[2].startswith("3. [order_tracking] Shopper: Still nothing!! Call me on [phone]")
    for secret in ("090-1234-5678", "taro@example.com", "千代田1-1"):
        assert secret not in escalation.conversation + escalation.summary


def test_the_conversation_keeps_the_last_five_turns_in_the_turns_language(
    grounded_turn: Grounded,
) -> None:
    turn = grounded_turn("担当者と話したい", "escalation", "ja")
    history = conversation(*(past(n, f"答え{n}") for n in range(1, 9)))
    escalation = build_escalation(turn, "shopper_request", history, 0.0, generate(turn).final)
    lines = escalation.conversation.splitlines()
    assert [line.split("]")[0] for line in lines] == [
        "1. [faq",
        "2. [faq",
        "3. [faq",
        "4. [faq",
        "5. [escalation",
    ]
    assert lines[0] == "1. [faq] お客様: message 5 → アシスタント: 答え5"
    assert "アシスタント: サポートチームの担当者におつなぎします" in lines[-1]


def test_summary_lines_are_one_line_and_clipped() -> None:
    long = past(1, "a\nreply " * 100, user_text="line one\nline two")
    [line] = conversation_summary([long], "en").splitlines()
    assert "Shopper: line one line two →" in line
    assert len(line) < 400


def test_the_escalation_of_a_request_replaces_generations_own(grounded_turn: Grounded) -> None:
    turn = grounded_turn("I want to talk to a person", "escalation")
    draft = generate(turn)
    assert draft.escalation is not None
    enriched = handoff_escalation(turn, draft, conversation(past(1, ANSWERED)))
    assert enriched is not None
    assert enriched.event_id == draft.escalation.event_id
    assert enriched.intents == ("faq", "escalation")


# ---- with_handoff, the generation stage's one call ----


class CountingMemory(InProcessMemory):
    def __init__(self, *turns: RememberedTurn, down: bool = False) -> None:
        super().__init__()
        self.loads = 0
        self.down = down
        self.turns = turns

    async def load(self, session_id: str) -> Conversation:
        self.loads += 1
        if self.down:
            raise MemoryUnavailable("Redis is down")
        return Conversation(session_id=session_id, turns=self.turns)


async def test_an_ordinary_turn_does_not_read_memory(grounded_turn: Grounded) -> None:
    memory = CountingMemory()
    turn = grounded_turn("how much is shipping", "faq")
    draft = generate(turn)
    assert await with_handoff(turn, draft, memory) is draft
    assert memory.loads == 0


async def test_a_turn_that_could_hand_over_reads_memory(grounded_turn: Grounded) -> None:
    memory = CountingMemory(past(1, REPHRASE), past(2, REPHRASE))
    turn = grounded_turn("asdf", "chitchat", confidence=0.1)
    drafted = generate(turn)
    draft = await with_handoff(turn, drafted, memory)
    assert memory.loads == 1
    assert draft.escalation is not None
    assert draft.escalation.reason == "repeated_failure"
    assert (draft.final, draft.chunks) == (drafted.final, drafted.chunks)  # the reply is as drafted


async def test_with_memory_down_the_hand_off_goes_ahead_alone(grounded_turn: Grounded) -> None:
    turn = grounded_turn("担当者をお願いします", "escalation", "ja")
    draft = await with_handoff(turn, generate(turn), CountingMemory(down=True))
    assert draft.escalation is not None
    assert draft.escalation.intents == ("escalation",)
    assert draft.escalation.conversation.startswith("1. [escalation] お客様: 担当者をお願いします")


async def test_a_turn_understood_without_context_does_not_read_memory(
    grounded_turn: Grounded,
) -> None:
    memory = CountingMemory(past(1, REPHRASE), past(2, REPHRASE))
    turn = grounded_turn("asdf", "chitchat", confidence=0.1).model_copy(
        update={"context_lost": True}
    )
    draft = await with_handoff(turn, generate(turn), memory)
    assert (memory.loads, draft.escalation) == (0, None)


async def test_products_shown_by_this_turn_are_in_the_escalation(grounded_turn: Grounded) -> None:
    turn = grounded_turn(
        "Hero vol 3 again?? this is ridiculous, your search is useless!!",
        "product_question",
        context=(BOOK,),
    )
    draft: Draft = await with_handoff(turn, generate(turn), CountingMemory())
    assert draft.escalation is not None
    assert draft.escalation.reason == "negative_sentiment"
    assert draft.escalation.product_ids == ("B0NIGT9WIB",)
