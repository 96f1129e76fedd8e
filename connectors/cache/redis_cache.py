"""L2: JSON values in Redis, shared by every process, that never make a read fail.

A value lives at ``mangaassist:cache:<namespace>:<key>`` with a TTL. Every call
is one round trip (``MGET`` for reads, a pipeline for writes and deletes) on a
client with short timeouts. When Redis fails, the error is counted, logged at
most once per ``log_interval_s``, and the call answers as a miss (reads) or
does nothing (writes): the caller falls through to the origin. For
``retry_after_s`` after a failure Redis is not tried at all, so a Redis that is
down or black-holed costs nothing per lookup. Invalidations that could not
reach Redis are kept (up to ``max_pending``) and sent first thing once it answers.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence

import redis.asyncio as redis
from redis.exceptions import RedisError

from connectors.cache.metrics import REDIS_ERRORS, REDIS_SKIPPED, CacheMetrics
from connectors.redis_client import fail_fast_redis
from mangaassist.errors import ConfigurationError

log = logging.getLogger(__name__)

KEY_PREFIX = "mangaassist:cache:"
DEFAULT_TIMEOUT_S = 0.1
_ERRORS = (RedisError, OSError)  # OSError covers TimeoutError


def redis_client(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> redis.Redis:
    """A client that fails fast: a cache must never be slower than its origin."""
    return fail_fast_redis(url, timeout_s)


def invalidation_message(namespace: str, keys: Iterable[str], sender: str = "") -> str:
    """What :meth:`RedisCache.invalidate` publishes for the L1 caches of every process.

    ``sender`` names the publishing cache, whose own listener skips the echo.
    """
    message = {"namespace": namespace, "keys": list(keys), "sender": sender}
    return json.dumps(message, ensure_ascii=False)


class RedisCache:
    """The shared tier; namespaces keep each kind of value apart."""

    def __init__(
        self,
        client: redis.Redis,
        metrics: CacheMetrics,
        *,
        key_prefix: str = KEY_PREFIX,
        retry_after_s: float = 1.0,
        log_interval_s: float = 30.0,
        max_pending: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        owns_client: bool = False,
    ) -> None:
        """``owns_client``: ``aclose`` closes ``client`` too."""
        if retry_after_s < 0 or log_interval_s < 0:
            raise ConfigurationError("retry_after_s and log_interval_s must not be negative")
        self._client = client
        self._metrics = metrics
        self.key_prefix = key_prefix
        self.channel = f"{key_prefix}invalidations"
        self.instance_id = uuid.uuid4().hex  # names this cache in invalidation messages
        self._retry_after_s = retry_after_s
        self._log_interval_s = log_interval_s
        self._max_pending = max_pending
        self._clock = clock
        self._owns_client = owns_client
        self._down_until = float("-inf")
        self._failing = False
        self._unlogged = 0
        self._next_log = float("-inf")
        self._pending: dict[str, set[str]] = {}

    @classmethod
    def from_url(
        cls,
        url: str,
        metrics: CacheMetrics,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        key_prefix: str = KEY_PREFIX,
        retry_after_s: float = 1.0,
    ) -> RedisCache:
        """A cache with a fail-fast client of its own (see :func:`redis_client`)."""
        return cls(
            redis_client(url, timeout_s),
            metrics,
            key_prefix=key_prefix,
            retry_after_s=retry_after_s,
            owns_client=True,
        )

    def key(self, namespace: str, key: str) -> str:
        return f"{self.key_prefix}{namespace}:{key}"

    @property
    def available(self) -> bool:
        """False while Redis is skipped after a failure."""
        return self._clock() >= self._down_until

    @property
    def pending_invalidations(self) -> int:
        return sum(len(keys) for keys in self._pending.values())

    async def get_many(self, namespace: str, keys: Sequence[str]) -> dict[str, bytes]:
        """The raw values held for ``keys`` (one ``MGET``); empty when Redis fails."""
        if not keys or not await self._ready("get"):
            return {}
        try:
            values = await self._client.mget([self.key(namespace, key) for key in keys])
        except _ERRORS as exc:
            self._failed("get", exc)
            return {}
        self._succeeded()
        return {
            key: value.encode() if isinstance(value, str) else value
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    async def set_many(self, namespace: str, values: Mapping[str, bytes], ttl_s: float) -> None:
        """Store ``values`` for ``ttl_s`` (one pipelined round trip); dropped when Redis fails."""
        if not values or not await self._ready("set"):
            return
        ttl_ms = max(1, round(ttl_s * 1000))
        pipe = self._client.pipeline(transaction=False)
        for key, value in values.items():
            pipe.set(self.key(namespace, key), value, px=ttl_ms)
        try:
            await pipe.execute()
        except _ERRORS as exc:
            self._failed("set", exc)
            return
        self._succeeded()

    async def invalidate(self, namespace: str, keys: Sequence[str]) -> bool:
        """Delete ``keys`` and announce it to every process's L1, in one round trip.

        False when Redis could not be reached: the keys are kept and sent with
        the next call that reaches Redis (past ``max_pending`` they are dropped,
        and only their TTL bounds how long Redis may still serve them).
        """
        if not keys:
            return True
        self._remember(namespace, keys)
        return await self._ready("invalidate")

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except _ERRORS:
            return False

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _ready(self, operation: str) -> bool:
        """Whether to call Redis now; first sends any invalidation still pending."""
        if not self.available:
            self._metrics.inc(REDIS_SKIPPED, operation=operation)
            return False
        pending = {namespace: keys for namespace, keys in self._pending.items() if keys}
        if not pending:
            return True
        self._pending = {}
        pipe = self._client.pipeline(transaction=False)
        for namespace, keys in pending.items():
            ordered = sorted(keys)
            pipe.delete(*(self.key(namespace, key) for key in ordered))
            pipe.publish(self.channel, invalidation_message(namespace, ordered, self.instance_id))
        try:
            await pipe.execute()
        except _ERRORS as exc:
            for namespace, keys in pending.items():
                self._remember(namespace, keys)
            self._failed("invalidate", exc)
            return False
        self._succeeded()
        return True

    def _remember(self, namespace: str, keys: Iterable[str]) -> None:
        room = self._max_pending - self.pending_invalidations
        held = self._pending.setdefault(namespace, set())
        for key in keys:
            if key in held:
                continue
            if room <= 0:
                log.error("cache invalidations to Redis dropped past %d pending", self._max_pending)
                return
            held.add(key)
            room -= 1

    def _failed(self, operation: str, exc: Exception) -> None:
        now = self._clock()
        self._metrics.inc(REDIS_ERRORS, operation=operation)
        self._down_until = now + self._retry_after_s
        self._failing = True
        self._unlogged += 1
        if now >= self._next_log:
            log.warning(
                "Redis cache unavailable (%d failed calls since the last report), "
                "reading from the origin: %s: %s",
                self._unlogged,
                type(exc).__name__,
                exc,
            )
            self._unlogged = 0
            self._next_log = now + self._log_interval_s

    def _succeeded(self) -> None:
        if self._failing:
            self._failing = False
            log.info("Redis cache answers again")
