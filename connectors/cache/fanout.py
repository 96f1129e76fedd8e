"""Invalidations reach the L1 cache of every process, not only the one that consumed them.

A change event is consumed by one worker of the consumer group. That worker
deletes the keys in Redis and publishes them on the cache's channel in the same
round trip (:meth:`RedisCache.invalidate`); every process runs an
:class:`InvalidationListener` that drops them from its own L1. A listener that
lost its subscription may have missed messages, so it clears its L1 when it
subscribes again; until then ``l1_ttl_s`` bounds how stale L1 can be.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

from mangaassist.errors import ConfigurationError

log = logging.getLogger(__name__)
_ERRORS = (RedisError, OSError)


class LocalCache(Protocol):
    def invalidate_local(self, keys: list[str]) -> None: ...

    def clear_local(self) -> None: ...


def listener_client(url: str, timeout_s: float = 0.5) -> redis.Redis:
    """A client for a long-lived subscription: fast to connect, no read timeout."""
    try:
        return redis.Redis.from_url(
            url, socket_connect_timeout=timeout_s, socket_timeout=None, health_check_interval=5
        )
    except ValueError as exc:
        raise ConfigurationError(f"not a Redis URL: {exc}") from exc


class InvalidationListener:
    """Subscribes to ``channel`` and drops the announced keys from ``caches`` (by namespace)."""

    def __init__(
        self,
        client: redis.Redis,
        channel: str,
        caches: Mapping[str, LocalCache],
        *,
        retry_max_s: float = 5.0,
        ignore_sender: str | None = None,
        owns_client: bool = False,
    ) -> None:
        """``ignore_sender``: the ``instance_id`` of this process's own :class:`RedisCache`,
        whose invalidations already dropped the keys here."""
        self._client = client
        self._ignore_sender = ignore_sender
        self.channel = channel
        self._caches = caches
        self._retry_max_s = retry_max_s
        self._owns_client = owns_client
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()
        self.applied = 0

    def start(self) -> None:
        """Listen in the background until :meth:`aclose`; reconnects by itself."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="cache-invalidation-listener")

    async def wait_subscribed(self, timeout_s: float = 5.0) -> bool:
        try:
            await asyncio.wait_for(self.subscribed.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._owns_client:
            await self._client.aclose()

    def apply(self, data: bytes | str) -> None:
        """Drop the keys one message names; a message that does not parse is logged and skipped."""
        try:
            message: Any = json.loads(data)
            cache = self._caches.get(message["namespace"])
            keys = [str(key) for key in message["keys"]]
            sender = message.get("sender")
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("ignoring a malformed cache invalidation message %r: %s", data, exc)
            return
        if cache is not None and (self._ignore_sender is None or sender != self._ignore_sender):
            cache.invalidate_local(keys)
            self.applied += 1

    async def _run(self) -> None:
        delay, lost = 0.1, False
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                if lost:
                    # Messages sent while we were away are gone: forget everything instead.
                    for cache in self._caches.values():
                        cache.clear_local()
                    log.info("cache invalidations subscribed again; L1 caches cleared")
                lost, delay = False, 0.1
                self.subscribed.set()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        self.apply(message["data"])
            except _ERRORS as exc:
                self.subscribed.clear()
                if not lost:
                    log.warning("cache invalidation subscription lost, retrying: %s", exc)
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max_s)
            finally:
                with contextlib.suppress(*_ERRORS):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
