"""Factories of input events for the stage tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.events import ChatTurn, ContextItem, Entity, GroundedTurn, Locale

RECEIVED = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


@pytest.fixture
def chat_turn() -> Callable[..., ChatTurn]:
    def make(text: str, locale: Locale = "ja", **fields: Any) -> ChatTurn:
        return ChatTurn(
            event_id="turn-event",
            session_id="session-1",
            turn_id="turn-1",
            user_id="user-1",
            ts=RECEIVED,
            locale=locale,
            text=text,
            **fields,
        )

    return make


@pytest.fixture
def grounded_turn() -> Callable[..., GroundedTurn]:
    def make(
        text: str,
        intent: str,
        locale: Locale = "en",
        *,
        confidence: float = 0.9,
        entities: tuple[Entity, ...] = (),
        context: tuple[ContextItem, ...] = (),
    ) -> GroundedTurn:
        return GroundedTurn(
            event_id="grounded-event",
            session_id="session-1",
            turn_id="turn-1",
            user_id="user-1",
            locale=locale,
            text=text,
            intent=intent,
            confidence=confidence,
            entities=entities,
            context=context,
            received_ts=RECEIVED,
        )

    return make
