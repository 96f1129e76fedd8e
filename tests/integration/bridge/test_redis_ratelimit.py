"""The Redis token bucket against the real server (make test starts it)."""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as redis

from bridge.ratelimit import FAIL_FAST, RedisRateLimiter, bucket_keys
from connectors.kafka import free_loopback_port


async def test_exactly_capacity_of_100_concurrent_requests_are_admitted(
    redis_client: redis.Redis,
) -> None:
    # Two limiters stand for two bridge processes sharing one bucket.
    first = RedisRateLimiter(redis_client, capacity=37, refill_per_s=0.001)
    second = RedisRateLimiter(redis_client, capacity=37, refill_per_s=0.001)
    keys = bucket_keys(f"s-{uuid.uuid4().hex}", None)
    decisions = await asyncio.gather(
        *((first if i % 2 else second).acquire(keys) for i in range(100))
    )
    assert sum(d.allowed for d in decisions) == 37
    refused = [d for d in decisions if not d.allowed]
    assert all(d.retry_after_s > 0 for d in refused)


async def test_the_bucket_refills_over_time(redis_client: redis.Redis) -> None:
    limiter = RedisRateLimiter(redis_client, capacity=1, refill_per_s=20.0)
    keys = bucket_keys(f"s-{uuid.uuid4().hex}", f"u-{uuid.uuid4().hex}")
    assert (await limiter.acquire(keys)).allowed
    refused = await limiter.acquire(keys)
    assert not refused.allowed
    await asyncio.sleep(refused.retry_after_s + 0.02)
    assert (await limiter.acquire(keys)).allowed


async def test_buckets_expire_from_redis(redis_client: redis.Redis) -> None:
    limiter = RedisRateLimiter(redis_client, capacity=2, refill_per_s=1.0)
    [key] = bucket_keys(f"s-{uuid.uuid4().hex}", None)
    await limiter.acquire([key])
    assert 0 < await redis_client.ttl(key) <= 3


async def test_an_unreachable_redis_falls_back_to_in_process_buckets() -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=free_loopback_port(), **FAIL_FAST)
    limiter = RedisRateLimiter(unreachable, capacity=2, refill_per_s=0.001)
    decisions = [await limiter.acquire(["k"]) for _ in range(3)]
    await limiter.close()
    assert [d.allowed for d in decisions] == [True, True, False]
