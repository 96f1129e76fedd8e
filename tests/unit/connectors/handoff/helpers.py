"""Escalations for the hand-off tests, and a clock that moves when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.events import Escalation

ESCALATED = datetime(2026, 11, 21, 9, 30, 15, 123000, tzinfo=UTC)


def escalation(session: str = "s-1", event: str | None = None, **fields: Any) -> Escalation:
    values: dict[str, Any] = {
        "event_id": event or f"esc-{session}",
        "session_id": session,
        "turn_id": f"turn-{session}",
        "ts": ESCALATED,
        "user_id": "user-01",
        "locale": "ja",
        "reason": "shopper_request",
        "summary": "担当者と話したい",
        "conversation": "1. [escalation] お客様: 担当者と話したい → アシスタント: おつなぎします。",
        "intents": ("order_tracking", "escalation"),
        "product_ids": ("B0ABCDEFGH",),
        "order_ids": ("250-1234567-7654321",),
        "sentiment": -0.4,
    }
    values.update(fields)
    return Escalation(**values)


class FakeClock:
    def __init__(self, start: datetime = ESCALATED) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
