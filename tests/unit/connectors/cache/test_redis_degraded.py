"""RedisCache's degraded mode, driven by a client that fails on demand (real Redis: integration)."""

import json
import logging
from collections.abc import Mapping
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from connectors.cache import CacheMetrics, RedisCache, TieredCache, TtlCache
from connectors.cache.metrics import REDIS_ERRORS, REDIS_SKIPPED
from tests.unit.connectors.cache.helpers import CountingLoader, FakeClock


class FlakyRedis:
    """Just enough of redis.asyncio.Redis: a dict, or ConnectionError while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.data: dict[str, bytes] = {}
        self.published: list[tuple[str, str]] = []
        self.calls = 0

    def _call(self) -> None:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused")

    async def mget(self, keys: list[str]) -> list[bytes | None]:
        self._call()
        return [self.data.get(key) for key in keys]

    def pipeline(self, transaction: bool = True) -> "FlakyPipeline":
        return FlakyPipeline(self)

    async def ping(self) -> bool:
        self._call()
        return True


class FlakyPipeline:
    def __init__(self, redis: FlakyRedis) -> None:
        self.redis = redis
        self.commands: list[tuple[str, Any]] = []

    def set(self, key: str, value: bytes, px: int) -> None:
        self.commands.append(("set", (key, value)))

    def delete(self, *keys: str) -> None:
        self.commands.append(("delete", keys))

    def publish(self, channel: str, message: str) -> None:
        self.commands.append(("publish", (channel, message)))

    async def execute(self) -> list[Any]:
        self.redis._call()
        for name, args in self.commands:
            if name == "set":
                self.redis.data[args[0]] = args[1]
            elif name == "delete":
                for key in args:
                    self.redis.data.pop(key, None)
            else:
                self.redis.published.append(args)
        return []


def make(
    flaky: FlakyRedis, clock: FakeClock, metrics: CacheMetrics, values: Mapping[str, str]
) -> tuple[TieredCache[str], RedisCache, CountingLoader]:
    redis_cache = RedisCache(flaky, metrics, clock=clock, retry_after_s=1.0, log_interval_s=30.0)  # type: ignore[arg-type]
    loader = CountingLoader(values)
    cache = TieredCache(
        "things",
        TtlCache[str](100, 30, clock=clock),
        redis_cache,
        loader,
        value_type=str,
        ttl_s=60,
        metrics=metrics,
    )
    return cache, redis_cache, loader


async def test_with_redis_down_reads_fall_through_to_the_origin_and_never_raise() -> None:
    flaky, clock, metrics = FlakyRedis(), FakeClock(), CacheMetrics()
    cache, redis_cache, _ = make(flaky, clock, metrics, {"a": "A", "b": "B"})
    flaky.down = True
    assert await cache.get_many(["a", "b"]) == {"a": "A", "b": "B"}
    assert metrics.count(REDIS_ERRORS, operation="get") == 1
    assert not redis_cache.available
    # Within retry_after_s Redis is not even tried: the write-back is skipped.
    assert metrics.count(REDIS_SKIPPED, operation="set") == 1
    assert flaky.calls == 1


async def test_redis_is_tried_again_after_retry_after_s() -> None:
    flaky, clock, metrics = FlakyRedis(), FakeClock(), CacheMetrics()
    cache, redis_cache, _ = make(flaky, clock, metrics, {"a": "A"})
    flaky.down = True
    await cache.get("a")
    flaky.down = False
    cache.clear_local()
    clock.advance(0.5)
    await cache.get("a")
    assert flaky.calls == 1  # still skipped
    clock.advance(0.5)
    cache.clear_local()
    await cache.get("a")
    assert redis_cache.available
    assert flaky.data == {"mangaassist:cache:things:a": b'"A"'}


async def test_failures_are_logged_at_most_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flaky, clock, metrics = FlakyRedis(), FakeClock(), CacheMetrics()
    cache, _, _ = make(flaky, clock, metrics, {"a": "A"})
    flaky.down = True
    with caplog.at_level(logging.WARNING, logger="connectors.cache.redis_cache"):
        for _ in range(20):
            cache.clear_local()
            clock.advance(1.0)  # past retry_after_s: every read tries Redis again
            await cache.get("a")
    warnings = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert metrics.count(REDIS_ERRORS, operation="get") == 20
    assert metrics.count(REDIS_SKIPPED, operation="set") == 20  # right after a failed read
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="connectors.cache.redis_cache"):
        clock.advance(30)
        cache.clear_local()
        await cache.get("a")
    [again] = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert "(20 failed calls since the last report)" in again.getMessage()


async def test_an_invalidation_redis_missed_is_sent_once_it_answers() -> None:
    flaky, clock, metrics = FlakyRedis(), FakeClock(), CacheMetrics()
    cache, redis_cache, loader = make(flaky, clock, metrics, {"a": "A", "b": "B"})
    await cache.get_many(["a", "b"])
    assert set(flaky.data) == {"mangaassist:cache:things:a", "mangaassist:cache:things:b"}
    flaky.down = True
    assert not await cache.invalidate(["a"])
    assert cache.l1.get("a") is None  # L1 is dropped at once regardless
    assert redis_cache.pending_invalidations == 1
    flaky.down = False
    clock.advance(1.0)
    # The next call that reaches Redis first deletes "a", then reads: "a" comes from the origin.
    loader.values["a"] = "A2"
    assert await cache.get("a") == "A2"
    assert redis_cache.pending_invalidations == 0
    [(channel, message)] = flaky.published
    assert channel == "mangaassist:cache:invalidations"
    assert json.loads(message) == {
        "namespace": "things",
        "keys": ["a"],
        "sender": redis_cache.instance_id,
    }


async def test_pending_invalidations_are_bounded() -> None:
    flaky, clock, metrics = FlakyRedis(), FakeClock(), CacheMetrics()
    redis_cache = RedisCache(flaky, metrics, clock=clock, max_pending=3)  # type: ignore[arg-type]
    flaky.down = True
    await redis_cache.invalidate("things", ["a", "b"])
    await redis_cache.invalidate("things", ["b", "c", "d", "e"])
    assert redis_cache.pending_invalidations == 3
