"""The generation stage's LLM path: a grounded answer from the gateway, or a fallback.

Structured requests (greetings, order status, product lookups with catalog
lines) stay on templates; a turn grounded in knowledge-base passages is
answered by the LLM, which may only use those passages and cites them. With
the LLM down (an error before any text, the breaker open), the turn gets the
reply the template path would have given, marked ``fallback``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from agents.generation import Draft, draft, generate, with_context_notice
from agents.intent import MIN_CONFIDENCE
from connectors.llm.answer import AnswerRequest, generate_answer
from connectors.llm.exceptions import LlmError
from connectors.llm.gateway import LlmGateway
from connectors.llm.models import Usage
from connectors.llm.prompt import PastTurn
from connectors.llm.replay import request_digest
from schemas.events import GroundedTurn, LlmCompletion, derive_id

log = logging.getLogger(__name__)
# Escalations are answered by a person; the hand-off notice is a template.
_NEVER_LLM = frozenset({"escalation", "order_tracking", "chitchat"})


def uses_llm(turn: GroundedTurn) -> bool:
    """Whether the LLM writes this turn's reply: knowledge-base context, a confident intent."""
    return (
        turn.intent not in _NEVER_LLM
        and turn.confidence >= MIN_CONFIDENCE
        and any(item.source == "kb" for item in turn.context)
    )


async def llm_reply(
    turn: GroundedTurn,
    gateway: LlmGateway,
    memory: Sequence[PastTurn] = (),
    chunk_chars: int = 120,
) -> Draft:
    """The LLM's answer to ``turn`` as a draft, or the template path's reply if the LLM fails."""
    answer = generate_answer(gateway, AnswerRequest.from_turn(turn, memory))
    try:
        async for _ in answer:
            pass
    except LlmError as exc:
        log.warning("LLM unavailable for turn %s, template fallback: %s", turn.turn_id, exc)
        fallback = generate(turn, chunk_chars)
        final = fallback.final.model_copy(update={"path": "fallback"})
        return Draft(fallback.chunks, final, fallback.escalation)
    usage = answer.usage or Usage(answer.choice.model, 0, 0, 0.0)
    reply = draft(
        turn,
        with_context_notice(turn, answer.text),
        "llm",
        answer.sources,
        chunk_chars,
        llm_model=usage.model,
        prompt_tokens=usage.input_tokens,
        completion_tokens=usage.output_tokens,
        cost_usd=usage.cost_usd,
    )
    completion = LlmCompletion(
        event_id=derive_id(turn.event_id, "llm"),
        session_id=turn.session_id,
        turn_id=turn.turn_id,
        model=usage.model,
        prompt_sha256=request_digest(answer.prompt),
        text=answer.text,
        sources=answer.sources,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cost_usd=usage.cost_usd,
        cached=answer.cached,
        stop_reason=answer.stop_reason,
    )
    return replace(reply, completion=completion)
