"""Token buckets per session, and per user when logged in.

A message takes one token from every bucket that applies, or from none: the
check and the take are one atomic step. In Redis that step is a Lua script,
so every bridge instance shares the buckets; without Redis each process keeps
its own.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from bridge.settings import BridgeSettings

logger = logging.getLogger(__name__)

KEY_PREFIX = "mangaassist:ratelimit:"

# A message must not wait on a Redis that is down: no retries, short timeouts,
# and the in-process buckets take over.
FAIL_FAST: dict[str, Any] = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.25,
    "retry": Retry(NoBackoff(), 0),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: float = 0.0


class RateLimiter(Protocol):
    async def acquire(self, keys: Sequence[str]) -> Decision:
        """Take one token from each bucket in ``keys``, or none if any is empty."""
        ...

    async def close(self) -> None: ...


def bucket_keys(session_id: str, user_id: str | None) -> list[str]:
    keys = [f"{KEY_PREFIX}session:{session_id}"]
    if user_id:
        keys.append(f"{KEY_PREFIX}user:{user_id}")
    return keys


def _wait_for_one_token(level: float, refill_per_s: float) -> float:
    return max(0.0, (1.0 - level) / refill_per_s)


class InProcessRateLimiter:
    """Buckets in this process's memory; the oldest idle ones are forgotten past ``max_keys``."""

    def __init__(
        self,
        capacity: int,
        refill_per_s: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = capacity
        self._refill = refill_per_s
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def acquire(self, keys: Sequence[str]) -> Decision:
        now = self._clock()
        levels = [self._level(key, now) for key in keys]
        wait = max(_wait_for_one_token(level, self._refill) for level in levels)
        allowed = wait == 0.0
        for key, level in zip(keys, levels, strict=True):
            self._buckets[key] = (level - 1.0 if allowed else level, now)
            self._buckets.move_to_end(key)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return Decision(allowed, wait)

    def _level(self, key: str, now: float) -> float:
        level, updated = self._buckets.get(key, (float(self._capacity), now))
        return min(float(self._capacity), level + (now - updated) * self._refill)

    async def close(self) -> None:
        self._buckets.clear()


# KEYS: the buckets; ARGV: capacity, refill per second. Returns {allowed, wait as text}.
_TAKE_SCRIPT = """
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local levels = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local level = tonumber(state[1]) or capacity
  local updated = tonumber(state[2]) or now
  level = math.min(capacity, level + math.max(0, now - updated) * refill)
  levels[i] = level
  if level < 1 then wait = math.max(wait, (1 - level) / refill) end
end
local allowed = 0
if wait == 0 then allowed = 1 end
local ttl = math.ceil(capacity / refill) + 1
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(levels[i] - allowed), 'ts', tostring(now))
  redis.call('EXPIRE', key, ttl)
end
return {allowed, tostring(wait)}
"""


class RedisRateLimiter:
    """Buckets in Redis, shared by every bridge; falls back to in-process while Redis is down."""

    def __init__(self, client: redis.Redis, capacity: int, refill_per_s: float) -> None:
        self._client = client
        self._capacity = capacity
        self._refill = refill_per_s
        self._script: Any = client.register_script(_TAKE_SCRIPT)
        self._fallback = InProcessRateLimiter(capacity, refill_per_s)

    async def acquire(self, keys: Sequence[str]) -> Decision:
        try:
            allowed, wait = await self._script(keys=list(keys), args=[self._capacity, self._refill])
        except (RedisError, OSError) as exc:
            logger.warning("rate limiting in-process: Redis is unavailable (%s)", exc)
            return await self._fallback.acquire(keys)
        return Decision(bool(int(allowed)), float(wait))

    async def close(self) -> None:
        await self._client.aclose()


def limiter_from_settings(settings: BridgeSettings) -> RateLimiter:
    if settings.redis_url is None:
        return InProcessRateLimiter(settings.rate_capacity, settings.rate_refill_per_s)
    client = redis.Redis.from_url(settings.redis_url.get_secret_value(), **FAIL_FAST)
    return RedisRateLimiter(client, settings.rate_capacity, settings.rate_refill_per_s)
