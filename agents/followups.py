"""A turn in the light of the conversation so far: references in, remembered turns out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from agents.guardrail import mask_pii
from agents.intent import MIN_CONFIDENCE
from agents.references import REFERENCE, resolve_references
from connectors.memory.models import RememberedTurn, ShownItem
from schemas.events import FinalReply, GroundedTurn, UnderstoodTurn

# Entities that already say which product or order the shopper means.
_NAMING_KINDS = frozenset({"asin", "isbn", "series", "order_id"})
# "it" and "that" point back only in a turn about products or orders; in
# "that's all, thanks" they point at nothing.
_POINTING_INTENTS = frozenset(
    {"product_question", "product_discovery", "recommendation", "promotion", "return_request"}
)
_SHOWN_SOURCES: dict[str, Literal["product", "order"]] = {"catalog": "product", "orders": "order"}


def with_references(turn: UnderstoodTurn, shown: Sequence[ShownItem]) -> UnderstoodTurn:
    """``turn`` with "the second one" / 「それ」 resolved to the items ``shown`` last.

    A resolved product makes a vague turn a product question, a resolved order an
    order-tracking one.
    """
    if not shown or any(entity.kind in _NAMING_KINDS for entity in turn.entities):
        return turn
    resolution = resolve_references(turn.text, shown)
    how = next((e.value for e in resolution.entities if e.kind == REFERENCE), None)
    if how is None:
        return turn
    vague = turn.confidence < MIN_CONFIDENCE or turn.intent == "chitchat"
    if how in ("anaphora", "ambiguous") and not (vague or turn.intent in _POINTING_INTENTS):
        return turn
    intent, confidence = turn.intent, turn.confidence
    if vague or turn.intent not in (*_POINTING_INTENTS, "order_tracking"):
        points_at_order = any(e.kind == "order_id" for e in resolution.entities)
        intent = "order_tracking" if points_at_order else "product_question"
        confidence = max(confidence, MIN_CONFIDENCE)
    return turn.model_copy(
        update={
            "entities": (*turn.entities, *resolution.entities),
            "intent": intent,
            "confidence": confidence,
        }
    )


def remembered(turn: GroundedTurn, reply: FinalReply) -> RememberedTurn:
    """What memory keeps of a finished turn: masked text, intent, and the items the reply showed."""
    by_ref = {item.ref_id: item for item in turn.context if item.source in _SHOWN_SOURCES}
    shown = tuple(
        ShownItem(kind=_SHOWN_SOURCES[by_ref[ref].source], id=ref, title=by_ref[ref].title)
        for ref in reply.sources
        if ref in by_ref
    )
    return RememberedTurn(
        turn_id=turn.turn_id,
        at=turn.received_ts,
        locale=turn.locale,
        user_text=mask_pii(turn.text)[0],
        intent=turn.intent,
        entities=turn.entities,
        reply_text=reply.text,
        shown=shown,
    )
