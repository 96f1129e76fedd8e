"""The embedded memory: one process's dict, bounded in time and in sessions."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from connectors.memory.base import DEFAULT_MAX_TURNS, DEFAULT_TTL_S, check_limits
from connectors.memory.models import Conversation, RememberedTurn
from mangaassist.errors import ConfigurationError

DEFAULT_MAX_SESSIONS = 100_000


class InProcessMemory:
    """Conversations in this process only: lost on restart, not shared between workers.

    Past ``max_sessions`` the least recently written session is forgotten.
    """

    def __init__(
        self,
        max_turns: int = DEFAULT_MAX_TURNS,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_limits(max_turns, ttl_s)
        if max_sessions < 1:
            raise ConfigurationError(f"max_sessions must be at least 1, not {max_sessions}")
        self._max_turns = max_turns
        self._ttl_s = ttl_s
        self._max_sessions = max_sessions
        self._clock = clock
        # Least recently written first; with one TTL for all, also soonest to expire.
        self._sessions: OrderedDict[str, tuple[Conversation, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._sessions)

    async def load(self, session_id: str) -> Conversation:
        return self._live(session_id, self._clock()) or Conversation(session_id=session_id)

    async def remember(self, session_id: str, turn: RememberedTurn) -> None:
        now = self._clock()
        conversation = self._live(session_id, now) or Conversation(session_id=session_id)
        updated = conversation.with_turn(turn, self._max_turns)
        if updated is conversation:
            return
        self._sessions[session_id] = (updated, now + self._ttl_s)
        self._sessions.move_to_end(session_id)
        self._drop_expired(now)
        while len(self._sessions) > self._max_sessions:
            self._sessions.popitem(last=False)

    async def forget(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    async def aclose(self) -> None:
        self._sessions.clear()

    def _live(self, session_id: str, now: float) -> Conversation | None:
        held = self._sessions.get(session_id)
        if held is None:
            return None
        conversation, expires_at = held
        if expires_at <= now:
            del self._sessions[session_id]
            return None
        return conversation

    def _drop_expired(self, now: float) -> None:
        while self._sessions:
            _, expires_at = next(iter(self._sessions.values()))
            if expires_at > now:
                return
            self._sessions.popitem(last=False)
