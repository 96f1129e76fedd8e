"""RedisHandoffQueue against the real Redis (make test starts it): the contract, and races."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as redis

from connectors.handoff import (
    HandoffSettings,
    HandoffUnavailable,
    RedisHandoffQueue,
    TicketConflict,
    local_queue_from_settings,
)
from connectors.kafka import free_loopback_port
from tests.integration.conftest import REDIS_URL
from tests.unit.connectors.handoff.helpers import FakeClock, escalation
from tests.unit.connectors.handoff.queue_contract import AVERAGE_HANDLE_S, QueueContract


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(redis_client: redis.Redis, key_prefix: str, clock: FakeClock) -> RedisHandoffQueue:
    return RedisHandoffQueue(redis_client, AVERAGE_HANDLE_S, key_prefix=key_prefix, clock=clock)


class TestRedisQueue(QueueContract):
    pass


async def test_the_keys_expire_with_the_ticket(redis_client: redis.Redis, key_prefix: str) -> None:
    queue = RedisHandoffQueue(redis_client, ticket_ttl_s=600, key_prefix=key_prefix)
    await queue.enqueue(escalation("a"))
    assert await redis_client.type(f"{key_prefix}t:esc-a") == b"hash"
    assert await redis_client.get(f"{key_prefix}s:a") == b"esc-a"
    assert 0 < await redis_client.pttl(f"{key_prefix}t:esc-a") <= 600_000
    assert 0 < await redis_client.pttl(f"{key_prefix}s:a") <= 600_000
    assert await redis_client.zrange(f"{key_prefix}waiting", 0, -1) == [b"esc-a"]


async def test_a_ticket_that_expired_in_line_leaves_it(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    queue = RedisHandoffQueue(redis_client, 60, ticket_ttl_s=0.2, key_prefix=key_prefix)
    await queue.enqueue(escalation("a"))
    await asyncio.sleep(0.4)
    fresh = RedisHandoffQueue(redis_client, 60, key_prefix=key_prefix)
    assert (await fresh.enqueue(escalation("b"))).position == 2  # rank before the clean-up
    assert [(p.ticket.session_id, p.position) for p in await fresh.waiting()] == [("b", 1)]
    assert await redis_client.zrange(f"{key_prefix}waiting", 0, -1) == [b"esc-b"]


async def test_two_workers_delivering_one_escalation_queue_it_once(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    queues = [RedisHandoffQueue(redis_client, key_prefix=key_prefix) for _ in range(5)]
    placements = await asyncio.gather(*(q.enqueue(escalation("a")) for q in queues))
    assert sorted(p.new for p in placements) == [False, False, False, False, True]
    assert len(await queues[0].waiting()) == 1


async def test_only_one_of_several_agents_claims_a_ticket(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    queue = RedisHandoffQueue(redis_client, key_prefix=key_prefix)
    await queue.enqueue(escalation("a"))
    agents = [f"agent-{n}" for n in range(6)]
    outcomes = await asyncio.gather(
        *(queue.claim("esc-a", agent) for agent in agents), return_exceptions=True
    )
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(o, TicketConflict) for o in outcomes if o not in winners)
    assert (await queue.get("esc-a")).agent == winners[0].agent


async def test_the_settings_make_a_queue_shared_through_redis(
    redis_client: redis.Redis, key_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MANGAASSIST_HANDOFF_REDIS_URL", REDIS_URL)
    worker = local_queue_from_settings(HandoffSettings(average_handle_s=60))
    assert isinstance(worker, RedisHandoffQueue)
    await worker.aclose()
    # What a worker queues, a bridge's console sees.
    writer = RedisHandoffQueue.from_url(REDIS_URL, 60, key_prefix=key_prefix)
    reader = RedisHandoffQueue.from_url(REDIS_URL, 60, key_prefix=key_prefix)
    try:
        await writer.enqueue(escalation("a"))
        [placement] = await reader.waiting()
        assert (placement.ticket.ticket_id, placement.eta_s) == ("esc-a", 60.0)
    finally:
        await writer.aclose()
        await reader.aclose()


async def test_an_unreachable_redis_is_unavailable() -> None:
    queue = RedisHandoffQueue.from_url(f"redis://127.0.0.1:{free_loopback_port()}/0", timeout_s=0.5)
    try:
        with pytest.raises(HandoffUnavailable, match="Redis did not queue the hand-off"):
            await queue.accept(escalation())
        with pytest.raises(HandoffUnavailable):
            await queue.waiting()
    finally:
        await queue.aclose()
