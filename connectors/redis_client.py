"""An asyncio Redis client that fails fast, as every connector on the chat path needs it."""

from __future__ import annotations

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from mangaassist.errors import ConfigurationError


def fail_fast_redis(url: str, timeout_s: float) -> redis.Redis:
    """A client with ``timeout_s`` connect and read timeouts and no retry.

    A chat turn, a cache lookup or a cached answer must never wait long on a
    Redis that is down; callers fall back instead.
    """
    try:
        return redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
    except ValueError as exc:
        raise ConfigurationError(f"not a Redis URL: {exc}") from exc
