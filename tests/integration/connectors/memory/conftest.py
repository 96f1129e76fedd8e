"""The contract's ``backend`` fixture over the real Redis and moto's DynamoDB."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis

from connectors.memory import DynamoDbMemory, RedisMemory, ensure_table
from tests.unit.connectors.memory.helpers import Backend, FakeClock


@pytest.fixture
async def table(dynamodb: Any) -> AsyncIterator[str]:
    """A DynamoDB table of this test's own, deleted afterwards."""
    name = f"memory-{uuid.uuid4().hex[:12]}"
    await asyncio.to_thread(ensure_table, dynamodb, name)
    yield name
    await asyncio.to_thread(dynamodb.delete_table, TableName=name)


@pytest.fixture(params=["redis", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Backend:
    # Not async: pytest-asyncio cannot set up async fixtures from inside one. The
    # memories own no connection; the fixtures above close and clean up.
    if request.param == "redis":
        client: redis.Redis = request.getfixturevalue("redis_client")
        prefix: str = request.getfixturevalue("key_prefix")
        return Backend(
            "redis",
            lambda max_turns, ttl_s: RedisMemory(client, max_turns, ttl_s, key_prefix=prefix),
            asyncio.sleep,  # Redis expires keys on its own clock: time must really pass
        )
    dynamodb = request.getfixturevalue("dynamodb")
    table: str = request.getfixturevalue("table")
    # On a whole second, so expires_at (whole seconds) falls where the contract expects.
    clock = FakeClock(float(math.floor(time.time())))

    async def elapse(seconds: float) -> None:
        clock.advance(seconds)

    return Backend(
        "dynamodb",
        lambda max_turns, ttl_s: DynamoDbMemory(table, dynamodb, max_turns, ttl_s, clock=clock),
        elapse,
    )
