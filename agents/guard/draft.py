"""A generated reply through the guard, sentence by sentence, before any of it is sent.

The draft's chunks are fed to a :class:`StreamGuard` in order, as a streaming
LLM's text would be; every piece it releases becomes a chunk, so the chunks
the shopper receives join up exactly to the final reply, and nothing unsafe is
released. Categories found are recorded in ``FinalReply.guardrail_flags``.
"""

from __future__ import annotations

from dataclasses import replace

from agents.chunking import split_chunks
from agents.generation import Draft
from agents.guard.guard import Guard
from agents.guard.model import GroundingContext
from agents.guard.stream import StreamGuard
from schemas.events import GroundedTurn, ReplyChunk, derive_id


def guard_draft(draft: Draft, turn: GroundedTurn, guard: Guard, chunk_chars: int = 120) -> Draft:
    """``draft`` with every sentence checked against the turn's products and orders."""
    context = GroundingContext.from_refs(item.ref_id for item in turn.context)
    stream = StreamGuard(guard, context, turn.locale)
    released: list[str] = []
    for chunk in draft.chunks:
        released.extend(piece.text for piece in stream.feed(chunk.text))
    released.extend(piece.text for piece in stream.close())
    text = "".join(released)
    if not stream.findings:
        return draft
    chunks = tuple(
        ReplyChunk(
            event_id=derive_id(draft.final.event_id, f"guarded-{seq}"),
            session_id=draft.final.session_id,
            turn_id=draft.final.turn_id,
            seq=seq,
            text=piece,
            received_ts=draft.final.received_ts,
        )
        for seq, piece in enumerate(split_chunks(text, chunk_chars) if text else [])
    )
    flags = tuple(dict.fromkeys((*draft.final.guardrail_flags, *stream.categories)))
    if stream.blocked:
        flags = (*flags, "blocked") if "blocked" not in flags else flags
    final = draft.final.model_copy(
        update={"text": text, "chunk_count": len(chunks), "guardrail_flags": flags}
    )
    return replace(draft, chunks=chunks, final=final)
