"""Conversations in Redis, shared by every worker: one key per session."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as redis
from pydantic import ValidationError
from redis.exceptions import RedisError

from connectors.memory.base import DEFAULT_MAX_TURNS, DEFAULT_TTL_S, check_limits
from connectors.memory.exceptions import ConversationMemoryError, MemoryUnavailable
from connectors.memory.models import Conversation, RememberedTurn
from connectors.redis_client import fail_fast_redis

KEY_PREFIX = "mangaassist:memory:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Each session is one LIST, oldest turn first, each element
#     "<at, µs since the epoch>\t<turn id as a JSON string>\t<the turn as JSON>"
# The script orders and de-duplicates on the two header fields without
# decoding any JSON (Redis's cjson would also turn an empty [] into {}), then
# inserts, trims and restarts the TTL in the same atomic step: one round trip.
# Mirrors Conversation.with_turn. ARGV: at, id, element, max_turns, ttl in ms.
_REMEMBER_SCRIPT = r"""
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
local at = tonumber(ARGV[1])
local max_turns = tonumber(ARGV[4])
local newer = nil
for i, entry in ipairs(entries) do
  local entry_at, entry_id = string.match(entry, '^(%-?%d+)\t([^\t]*)\t')
  if entry_id == ARGV[2] then return 0 end
  if newer == nil and tonumber(entry_at) > at then newer = i end
end
if newer == nil then
  redis.call('RPUSH', KEYS[1], ARGV[3])
elseif #entries - newer + 1 >= max_turns then
  return 0
else
  redis.call('LINSERT', KEYS[1], 'BEFORE', entries[newer], ARGV[3])
end
redis.call('LTRIM', KEYS[1], -max_turns, -1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""


def _element(turn: RememberedTurn) -> tuple[int, str, str]:
    at_us = (turn.at - _EPOCH) // timedelta(microseconds=1)
    turn_id = json.dumps(turn.turn_id)
    return at_us, turn_id, f"{at_us}\t{turn_id}\t{turn.model_dump_json()}"


def _turn_json(element: bytes | str) -> str:
    text = element.decode() if isinstance(element, bytes) else element
    return text.split("\t", 2)[2]


def redis_client(url: str, timeout_s: float = 0.5) -> redis.Redis:
    """A client that fails fast: a chat turn must not wait on a Redis that is down."""
    return fail_fast_redis(url, timeout_s)


class RedisMemory:
    """Conversations in Redis; each write is one atomic script call."""

    def __init__(
        self,
        client: redis.Redis,
        max_turns: int = DEFAULT_MAX_TURNS,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        key_prefix: str = KEY_PREFIX,
        owns_client: bool = False,
    ) -> None:
        """``owns_client``: ``aclose`` closes ``client`` too."""
        check_limits(max_turns, ttl_s)
        self._client = client
        self._max_turns = max_turns
        self._ttl_ms = max(1, round(ttl_s * 1000))
        self._prefix = key_prefix
        self._owns_client = owns_client
        self._remember: Any = client.register_script(_REMEMBER_SCRIPT)

    @classmethod
    def from_url(
        cls,
        url: str,
        max_turns: int = DEFAULT_MAX_TURNS,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        timeout_s: float = 0.5,
        key_prefix: str = KEY_PREFIX,
    ) -> RedisMemory:
        """A memory with a fail-fast client of its own (see :func:`redis_client`)."""
        client = redis_client(url, timeout_s)
        return cls(client, max_turns, ttl_s, key_prefix=key_prefix, owns_client=True)

    def key(self, session_id: str) -> str:
        return f"{self._prefix}{session_id}"

    async def load(self, session_id: str) -> Conversation:
        try:
            elements = await self._client.lrange(self.key(session_id), 0, -1)
        except (RedisError, OSError) as exc:
            raise MemoryUnavailable(f"Redis did not load the conversation: {exc}") from exc
        try:
            turns = ",".join(_turn_json(element) for element in elements)
            return Conversation.model_validate_json(
                f'{{"session_id":{json.dumps(session_id)},"turns":[{turns}]}}'
            )
        except (ValidationError, IndexError) as exc:
            raise ConversationMemoryError(f"unreadable conversation in Redis: {exc}") from exc

    async def remember(self, session_id: str, turn: RememberedTurn) -> None:
        at_us, turn_id, element = _element(turn)
        try:
            await self._remember(
                keys=[self.key(session_id)],
                args=[at_us, turn_id, element, self._max_turns, self._ttl_ms],
            )
        except (RedisError, OSError) as exc:
            raise MemoryUnavailable(f"Redis did not remember the turn: {exc}") from exc

    async def forget(self, session_id: str) -> None:
        try:
            await self._client.delete(self.key(session_id))
        except (RedisError, OSError) as exc:
            raise MemoryUnavailable(f"Redis did not forget the conversation: {exc}") from exc

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
