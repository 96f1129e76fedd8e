"""Generation stage: the reply to a grounded turn, as streamable chunks and a final event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from agents import templates
from agents.chunking import split_chunks
from agents.entities import first_entity
from agents.guardrail import mask_pii
from agents.intent import INTENTS, MIN_CONFIDENCE
from agents.references import AMBIGUOUS, REFERENCE
from agents.retrieval import NOTICE_SOURCE
from agents.text import clip
from schemas.events import (
    Escalation,
    FinalReply,
    GroundedTurn,
    LlmCompletion,
    ReplyChunk,
    derive_id,
)

SUMMARY_CHARS = 120


@dataclass(frozen=True)
class Draft:
    chunks: tuple[ReplyChunk, ...]
    final: FinalReply
    escalation: Escalation | None
    # What the LLM wrote, when it wrote the reply: recorded for replays.
    completion: LlmCompletion | None = None


Path = Literal["template", "retrieval", "llm", "fallback"]


@dataclass(frozen=True)
class _Reply:
    text: str
    path: Path
    sources: tuple[str, ...] = ()


def _compose(turn: GroundedTurn) -> _Reply:
    reply = _body(turn)
    return _Reply(with_context_notice(turn, reply.text), reply.path, reply.sources)


def _body(turn: GroundedTurn) -> _Reply:
    locale = turn.locale
    notices = [item.text for item in turn.context if item.source == NOTICE_SOURCE]
    if notices:
        # A service the answer needed is down: the degraded-mode message is the reply.
        return _Reply(templates.join_sentences(locale, *notices), "fallback")
    order_id = first_entity(turn.entities, "order_id")
    if turn.intent == "order_tracking" and order_id:
        return _order_reply(turn, order_id)
    products = [item for item in turn.context if item.source == "catalog"]
    if products and first_entity(turn.entities, REFERENCE) == AMBIGUOUS:
        # The whole line, format and price included: two formats share one title.
        numbered = [f"{n}. {item.text}" for n, item in enumerate(products, start=1)]
        text = templates.join_sentences(locale, templates.WHICH_ONE.render(locale), *numbered)
        return _Reply(text, "template", tuple(item.ref_id for item in products))
    if products and turn.intent == "recommendation" and not first_entity(turn.entities, REFERENCE):
        lead = (
            templates.TRENDING if "recommendations" in turn.degraded else templates.RECOMMENDED
        ).render(locale)
        text = templates.join_sentences(locale, lead, *(item.text for item in products))
        return _Reply(text, "retrieval", tuple(item.ref_id for item in products))
    if products:
        # Each line is the catalog's own wording of title, format, price and stock.
        lines = [item.text for item in products]
        text = templates.join_sentences(locale, templates.PRODUCTS_FOUND.render(locale), *lines)
        return _Reply(text, "retrieval", tuple(item.ref_id for item in products))
    if turn.context:
        # Context is sorted best first; only the best entry is quoted, so only it is a source.
        top = turn.context[0]
        return _Reply(
            templates.join_sentences(locale, _lead(turn), top.text), "retrieval", (top.ref_id,)
        )
    if turn.intent not in INTENTS or turn.confidence < MIN_CONFIDENCE:
        return _Reply(templates.REPHRASE.render(locale), "template")
    body = templates.BY_INTENT[turn.intent].render(locale)
    if "knowledge_base" in turn.degraded:
        # Without the help pages the template is a guess: say so.
        body = templates.join_sentences(locale, body, templates.LOWER_CONFIDENCE.render(locale))
    return _Reply(templates.join_sentences(locale, _lead(turn), body), "template")


def _order_reply(turn: GroundedTurn, order_id: str) -> _Reply:
    """An order's status for its signed-in owner; anyone else is asked to sign in or check."""
    locale = turn.locale
    found = [item for item in turn.context if item.source == "orders"]
    if found:
        return _Reply(found[0].text, "retrieval", (found[0].ref_id,))
    if turn.user_id is None:
        return _Reply(templates.SIGN_IN_FOR_ORDERS.render(locale, order_id=order_id), "template")
    return _Reply(templates.ORDER_NOT_FOUND.render(locale, order_id=order_id), "template")


def _lead(turn: GroundedTurn) -> str:
    """What opens a reply whatever its body: the hand-off notice."""
    if turn.intent == "escalation":
        return templates.CONNECTING.render(turn.locale)
    return ""


def summarize(text: str) -> str:
    """One short line standing for the shopper's message, personal data masked."""
    masked, _ = mask_pii(" ".join(text.split()))
    return clip(masked, SUMMARY_CHARS)


def _escalation(turn: GroundedTurn) -> Escalation:
    return Escalation(
        event_id=derive_id(turn.event_id, "escalation"),
        session_id=turn.session_id,
        turn_id=turn.turn_id,
        user_id=turn.user_id,
        locale=turn.locale,
        reason="shopper_request",
        summary=summarize(turn.text),
    )


def generate(turn: GroundedTurn, chunk_chars: int = 120) -> Draft:
    """The generation stage: a reply in the turn's language, cut at sentence ends.

    The chunks' texts joined together are exactly the final reply's text.
    """
    reply = _compose(turn)
    return draft(turn, reply.text, reply.path, reply.sources, chunk_chars)


def with_context_notice(turn: GroundedTurn, text: str) -> str:
    """``text``, followed by the lost-context notice when the turn was understood alone."""
    if not turn.context_lost:
        return text
    return templates.join_sentences(turn.locale, text, templates.CONTEXT_LOST.render(turn.locale))


def draft(
    turn: GroundedTurn,
    text: str,
    path: Path,
    sources: tuple[str, ...],
    chunk_chars: int,
    **final_fields: Any,
) -> Draft:
    """The chunks, final reply and maybe escalation of a reply ``text`` to ``turn``."""
    chunks = tuple(
        ReplyChunk(
            event_id=derive_id(turn.event_id, f"chunk-{seq}"),
            session_id=turn.session_id,
            turn_id=turn.turn_id,
            seq=seq,
            text=piece,
            received_ts=turn.received_ts,
        )
        for seq, piece in enumerate(split_chunks(text, chunk_chars))
    )
    final = FinalReply(
        event_id=derive_id(turn.event_id, "final"),
        session_id=turn.session_id,
        turn_id=turn.turn_id,
        status="ok",
        text=text,
        chunk_count=len(chunks),
        intent=turn.intent,
        path=path,
        sources=sources,
        received_ts=turn.received_ts,
        degraded=turn.degraded,
        **final_fields,
    )
    escalation = _escalation(turn) if turn.intent == "escalation" else None
    return Draft(chunks=chunks, final=final, escalation=escalation)
