"""RedisMemory against the real server (make test starts it)."""

import time
import uuid

import pytest
import redis.asyncio as redis

from connectors.kafka import free_loopback_port
from connectors.memory import (
    ConversationMemoryError,
    MemorySettings,
    MemoryUnavailable,
    RedisMemory,
    memory_from_settings,
)
from tests.integration.conftest import REDIS_URL
from tests.unit.connectors.memory.helpers import ids, make_turn


async def test_a_session_is_one_list_key_with_its_ttl_restarted_by_each_write(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    memory = RedisMemory(redis_client, max_turns=3, ttl_s=600, key_prefix=key_prefix)
    for number in range(1, 6):
        await memory.remember("s", make_turn(number))
    key = f"{key_prefix}s"
    assert [k async for k in redis_client.scan_iter(match=f"{key_prefix}*")] == [key.encode()]
    assert await redis_client.type(key) == b"list"
    assert await redis_client.llen(key) == 3
    assert 0 < await redis_client.pttl(key) <= 600_000
    await redis_client.pexpire(key, 5_000)
    await memory.remember("s", make_turn(6))
    assert 5_000 < await redis_client.pttl(key) <= 600_000


async def test_a_write_that_changes_nothing_leaves_the_ttl_alone(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    memory = RedisMemory(redis_client, max_turns=3, ttl_s=600, key_prefix=key_prefix)
    await memory.remember("s", make_turn(1))
    await redis_client.pexpire(f"{key_prefix}s", 5_000)
    await memory.remember("s", make_turn(1))
    assert await redis_client.pttl(f"{key_prefix}s") <= 5_000


async def test_an_unreadable_conversation_is_an_error(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    memory = RedisMemory(redis_client, key_prefix=key_prefix)
    await redis_client.rpush(f"{key_prefix}s", "not a turn")
    with pytest.raises(ConversationMemoryError):
        await memory.load("s")


async def test_the_factory_memory_owns_its_client() -> None:
    settings = MemorySettings.model_validate({"backend": "redis", "redis_url": REDIS_URL})
    memory = memory_from_settings(settings)
    assert isinstance(memory, RedisMemory)
    session_id = f"test-{uuid.uuid4().hex}"  # under the default prefix: forgotten below
    try:
        await memory.remember(session_id, make_turn(1))
        assert ids((await memory.load(session_id)).turns) == ["t1"]
    finally:
        await memory.forget(session_id)
        await memory.aclose()


async def test_a_closed_port_fails_fast_with_memory_unavailable() -> None:
    memory = RedisMemory.from_url(f"redis://127.0.0.1:{free_loopback_port()}/0", timeout_s=0.5)
    for call in (memory.load("s"), memory.remember("s", make_turn(1)), memory.forget("s")):
        started = time.monotonic()
        with pytest.raises(MemoryUnavailable) as raised:
            await call
        assert time.monotonic() - started < 2.0
        assert raised.value.__cause__ is not None
    await memory.aclose()
