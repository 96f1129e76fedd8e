"""The reply a shopper gets when a stage fails on their turn."""

from __future__ import annotations

from datetime import datetime

from agents import templates
from schemas.events import FinalReply, Locale, derive_id


def error_reply(
    *,
    session_id: str,
    turn_id: str,
    received_ts: datetime,
    error_code: str,
    locale: Locale,
    parent_event_id: str,
) -> FinalReply:
    """A polite apology in the shopper's language, closing the turn with status "error"."""
    return FinalReply(
        event_id=derive_id(parent_event_id, f"error-{error_code}"),
        session_id=session_id,
        turn_id=turn_id,
        status="error",
        text=templates.ERROR.render(locale),
        chunk_count=0,
        path="error",
        error_code=error_code,
        received_ts=received_ts,
    )
