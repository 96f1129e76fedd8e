"""When a chat goes to a person, and what that person is told so the shopper need not repeat.

:func:`decide_handoff` says whether a turn hands the chat over, and why
(:data:`HandoffReason`), in this order:

1. ``shopper_request``: the intent is ``escalation`` ("I want to talk to a person").
2. ``guardrail_blocks``: this turn's reply and the one before were blocked by the
   guardrail (:data:`BLOCKED_TURNS` in a row).
3. ``negative_sentiment``: the message is strongly negative (:mod:`agents.sentiment`)
   and the shopper's message before it was not.
4. ``repeated_failure``: this turn and the two before it went unanswered
   (:data:`FAILED_TURNS` in a row): the reply was the rephrase request, the error
   apology or the guard's fallback, or the intent is none the assistant knows.

A streak fires once, on the turn that reaches it; later turns of the same streak
do not fire again (the hand-off queue also keeps one open ticket per session).

**What is read where.** This turn is read from the turn and its reply (a
:class:`FinalReply`, whose ``guardrail_flags`` may already carry a block); earlier
turns from the conversation memory. Memory keeps no guardrail flags, so an earlier
turn counts as blocked when its remembered reply is one of the guard's replacement
messages (``agents/guard/templates.py``), or when a future ``RememberedTurn`` carries
``guardrail_flags`` naming a block (:data:`BLOCK_FLAGS`). A block that the guardrail
stage makes *after* generation has remembered the turn is therefore only seen on
the turn itself (through the reply's flags, when the guard sets them before
generation); see ``docs/handoff.md``.

:func:`build_escalation` writes the :class:`Escalation`: the reason, the message on one
line, the last turns one exchange a line, their intents, the products and orders
shown or named, the sentiment, the user id when signed in and the locale. Personal
data is masked by the guard's PII stage (emails, phone and card numbers, My Numbers,
addresses, secrets); order ids, ASINs and the user id stay, as the agent needs them.

:func:`with_handoff` is the generation stage's one call: it reads memory only when
the turn could hand over, and returns the draft with the escalation set (or not).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Literal, get_args

from agents import templates
from agents.followups import remembered
from agents.generation import Draft
from agents.guard.pii import mask_pii
from agents.guard.templates import ABUSE_REFUSAL, INJECTION_REFUSAL, REPLY_FALLBACK
from agents.intent import INTENTS, MIN_CONFIDENCE
from agents.sentiment import is_strongly_negative, sentiment_score
from agents.text import clip
from connectors.memory import Conversation, ConversationMemory, MemoryUnavailable, RememberedTurn
from schemas.events import Escalation, FinalReply, GroundedTurn, Locale, derive_id

log = logging.getLogger(__name__)

HandoffReason = Literal[
    "shopper_request", "guardrail_blocks", "negative_sentiment", "repeated_failure"
]
REASONS: tuple[HandoffReason, ...] = get_args(HandoffReason)

FAILED_TURNS = 3
BLOCKED_TURNS = 2
# Flags of a blocked reply: the guard's blocking categories, or an explicit "blocked[:…]".
BLOCK_FLAGS = frozenset({"blocked", "prompt_injection", "toxicity"})
SUMMARY_TURNS = 5
SUMMARY_CHARS = 120
LINE_CHARS = 160
CONVERSATION_CHARS = 2000
MAX_IDS = 10

_FAILED_REPLIES = tuple(
    text
    for template in (templates.REPHRASE, templates.ERROR, REPLY_FALLBACK)
    for text in (template.ja, template.en)
)
_BLOCKED_REPLIES = tuple(
    text
    for template in (INJECTION_REFUSAL, ABUSE_REFUSAL, REPLY_FALLBACK)
    for text in (template.ja, template.en)
)
_LABELS: dict[Locale, tuple[str, str]] = {
    "ja": ("お客様", "アシスタント"),
    "en": ("Shopper", "Assistant"),
}


def decide_handoff(
    turn: GroundedTurn,
    conversation: Conversation | None,
    sentiment: float,
    reply: FinalReply | None = None,
) -> HandoffReason | None:
    """Why ``turn`` hands the chat to a person, or None.

    ``conversation`` is the session's memory (with or without this turn; None when
    unavailable), ``sentiment`` the score of the turn's text, ``reply`` the reply
    drafted for it (without it, only the turn's confidence says whether it failed).
    """
    if turn.intent == "escalation":
        return "shopper_request"
    earlier = _earlier(conversation, turn.turn_id)
    current = _current(turn, reply)
    blocked_now = _blocked(current) or (reply is not None and _blocked_flags(reply.guardrail_flags))
    if blocked_now and _streak(earlier, _blocked) + 1 == BLOCKED_TURNS:
        return "guardrail_blocks"
    if is_strongly_negative(sentiment) and not (
        earlier and is_strongly_negative(sentiment_score(earlier[-1].user_text))
    ):
        return "negative_sentiment"
    failed_now = _failed(current) or _failed_turn(turn, reply)
    if failed_now and _streak(earlier, _failed) + 1 == FAILED_TURNS:
        return "repeated_failure"
    return None


def build_escalation(
    turn: GroundedTurn,
    reason: HandoffReason,
    conversation: Conversation | None,
    sentiment: float,
    reply: FinalReply | None = None,
) -> Escalation:
    """The hand-off of ``turn``'s session: reason, summary and user context, PII masked.

    Its id derives from the turn's, as the generation stage's own escalation does,
    so a redelivered turn yields the same event.
    """
    turns = (*_earlier(conversation, turn.turn_id)[-(SUMMARY_TURNS - 1) :], _current(turn, reply))
    return Escalation(
        event_id=derive_id(turn.event_id, "escalation"),
        session_id=turn.session_id,
        turn_id=turn.turn_id,
        user_id=turn.user_id,
        locale=turn.locale,
        reason=reason,
        summary=clip(_one_line(turn.text), SUMMARY_CHARS),
        conversation=conversation_summary(turns, turn.locale),
        intents=tuple(past.intent for past in turns),
        product_ids=_ids(turns, "product", ("asin", "isbn")),
        order_ids=_ids(turns, "order", ("order_id",)),
        sentiment=round(max(-1.0, min(1.0, sentiment)), 3),
    )


def conversation_summary(turns: Sequence[RememberedTurn], locale: Locale) -> str:
    """One line per exchange, oldest first: "1. [intent] Shopper: … → Assistant: …"."""
    shopper, assistant = _LABELS[locale]
    lines = [
        f"{n}. [{past.intent}] {shopper}: {clip(_one_line(past.user_text), LINE_CHARS)}"
        f" → {assistant}: {clip(_one_line(past.reply_text), LINE_CHARS)}"
        for n, past in enumerate(turns, start=1)
    ]
    return clip("\n".join(lines), CONVERSATION_CHARS)


def handoff_escalation(
    turn: GroundedTurn, draft: Draft, conversation: Conversation | None
) -> Escalation | None:
    """The escalation ``turn`` calls for, given its ``draft`` reply, or None."""
    sentiment = sentiment_score(turn.text)
    reason = decide_handoff(turn, conversation, sentiment, draft.final)
    if reason is None:
        return None
    return build_escalation(turn, reason, conversation, sentiment, draft.final)


async def with_handoff(turn: GroundedTurn, draft: Draft, memory: ConversationMemory) -> Draft:
    """``draft`` with the escalation its turn calls for, summary and user context filled in.

    Memory is read only when this turn could hand over (an escalation intent, a
    failed or blocked reply, a strongly negative message); unreadable, the
    decision and the summary go ahead with this turn alone.
    """
    if not _could_hand_over(turn, draft.final):
        return replace(draft, escalation=None) if draft.escalation is not None else draft
    conversation: Conversation | None = None
    if not turn.context_lost:
        try:
            conversation = await memory.load(turn.session_id)
        except MemoryUnavailable as exc:
            log.warning("memory unavailable, hand-off of %s decided alone: %s", turn.turn_id, exc)
    return replace(draft, escalation=handoff_escalation(turn, draft, conversation))


def _could_hand_over(turn: GroundedTurn, reply: FinalReply) -> bool:
    current = _current(turn, reply)
    return (
        turn.intent == "escalation"
        or _blocked(current)
        or _blocked_flags(reply.guardrail_flags)
        or _failed(current)
        or _failed_turn(turn, reply)
        or is_strongly_negative(sentiment_score(turn.text))
    )


def _earlier(conversation: Conversation | None, turn_id: str) -> tuple[RememberedTurn, ...]:
    # A redelivered turn may already be remembered; it is "this turn", not an earlier one.
    if conversation is None:
        return ()
    return tuple(past for past in conversation.turns if past.turn_id != turn_id)


def _current(turn: GroundedTurn, reply: FinalReply | None) -> RememberedTurn:
    if reply is not None:
        return remembered(turn, reply)
    return RememberedTurn(
        turn_id=turn.turn_id,
        at=turn.received_ts,
        locale=turn.locale,
        user_text=_mask(turn.text),
        intent=turn.intent,
        entities=turn.entities,
        reply_text="",
    )


def _streak(turns: Sequence[RememberedTurn], counts: Callable[[RememberedTurn], bool]) -> int:
    """How many of the newest ``turns`` in a row ``counts``."""
    streak = 0
    for past in reversed(turns):
        if not counts(past):
            break
        streak += 1
    return streak


def _failed(past: RememberedTurn) -> bool:
    return past.intent not in INTENTS or past.reply_text.startswith(_FAILED_REPLIES)


def _failed_turn(turn: GroundedTurn, reply: FinalReply | None) -> bool:
    """This turn's own signs of failure: an error reply, or (undrafted) nothing understood."""
    if reply is not None:
        return reply.status == "error" or reply.path == "error"
    return turn.confidence < MIN_CONFIDENCE and not turn.context


def _blocked(past: RememberedTurn) -> bool:
    # RememberedTurn has no guardrail_flags today; read them if it ever does.
    flags: Iterable[str] = getattr(past, "guardrail_flags", ())
    return past.reply_text.startswith(_BLOCKED_REPLIES) or _blocked_flags(flags)


def _blocked_flags(flags: Iterable[str]) -> bool:
    return any(flag in BLOCK_FLAGS or flag.startswith("blocked") for flag in flags)


def _ids(
    turns: Iterable[RememberedTurn], kind: Literal["product", "order"], entity_kinds: Sequence[str]
) -> tuple[str, ...]:
    """Ids of ``kind`` the turns showed or named, newest first, once each."""
    found: dict[str, None] = {}
    for past in reversed(list(turns)):
        for item in past.shown:
            if item.kind == kind:
                found.setdefault(item.id)
        for entity in past.entities:
            if entity.kind in entity_kinds:
                found.setdefault(entity.value)
    return tuple(found)[:MAX_IDS]


def _mask(text: str) -> str:
    masked, _ = mask_pii(text)
    return masked


def _one_line(text: str) -> str:
    return _mask(" ".join(text.split()))
