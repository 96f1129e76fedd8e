"""The protocol every conversation memory follows."""

from __future__ import annotations

from typing import Protocol

from connectors.memory.models import Conversation, RememberedTurn
from mangaassist.errors import ConfigurationError

DEFAULT_MAX_TURNS = 10
DEFAULT_TTL_S = 86_400.0


def check_limits(max_turns: int, ttl_s: float) -> None:
    """Refuse limits no backend can honour."""
    if max_turns < 1:
        raise ConfigurationError(f"max_turns must be at least 1, not {max_turns}")
    if ttl_s <= 0:
        raise ConfigurationError(f"ttl_s must be positive, not {ttl_s}")


class ConversationMemory(Protocol):
    """The newest ``max_turns`` turns of each session, forgotten ``ttl`` after the last write.

    Delivery is at least once, so ``remember`` is idempotent on ``turn_id``: a
    turn remembered again is neither duplicated nor moved, and one already
    trimmed does not come back (see :meth:`Conversation.with_turn`). A call that
    changes nothing does not extend the conversation's life. Backends raise
    :class:`~connectors.memory.exceptions.MemoryUnavailable` when they cannot answer.
    """

    async def load(self, session_id: str) -> Conversation:
        """The session's turns, oldest first; empty when unknown or expired."""
        ...

    async def remember(self, session_id: str, turn: RememberedTurn) -> None:
        """Add ``turn``, trim to the newest ``max_turns`` and restart the session's TTL."""
        ...

    async def forget(self, session_id: str) -> None:
        """Drop the session's turns; forgetting an unknown session is not an error."""
        ...

    async def aclose(self) -> None:
        """Release connections this memory opened."""
        ...
