"""DynamoDbMemory against moto's server (started by ``tests/integration/connectors``)."""

import asyncio
import time
from typing import Any

import pytest

from connectors.kafka import free_loopback_port
from connectors.memory import (
    Conversation,
    DynamoDbMemory,
    MemoryUnavailable,
    dynamodb_client,
    ensure_table,
)
from tests.integration.connectors.conftest import FAKE_CREDENTIALS, REGION
from tests.unit.connectors.memory.helpers import ids, make_turn


def _item(client: Any, table: str, session_id: str) -> dict[str, Any]:
    item: dict[str, Any] = client.get_item(
        TableName=table, Key={"session_id": {"S": session_id}}, ConsistentRead=True
    )["Item"]
    return item


def test_ensure_table_enables_ttl_and_can_run_again(dynamodb: Any, table: str) -> None:
    ensure_table(dynamodb, table)  # the fixture ran it once already
    description = dynamodb.describe_table(TableName=table)["Table"]
    assert description["KeySchema"] == [{"AttributeName": "session_id", "KeyType": "HASH"}]
    assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


async def test_each_write_sets_expires_at_ttl_ahead(dynamodb: Any, table: str) -> None:
    memory = DynamoDbMemory(table, dynamodb, max_turns=3, ttl_s=600)
    before = time.time()
    await memory.remember("s", make_turn(1))
    await memory.remember("s", make_turn(2))
    item = _item(dynamodb, table, "s")
    assert before + 600 <= int(item["expires_at"]["N"]) <= time.time() + 601
    assert item["version"] == {"N": "2"}


async def test_an_item_past_expires_at_loads_empty_and_is_written_over(
    dynamodb: Any, table: str
) -> None:
    memory = DynamoDbMemory(table, dynamodb, max_turns=3, ttl_s=600)
    await memory.remember("s", make_turn(1))
    dynamodb.update_item(
        TableName=table,
        Key={"session_id": {"S": "s"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    assert await memory.load("s") == Conversation(session_id="s")
    await memory.remember("s", make_turn(2))
    assert ids((await memory.load("s")).turns) == ["t2"]
    assert _item(dynamodb, table, "s")["version"] == {"N": "2"}


async def test_two_workers_racing_on_one_session_lose_no_turn(dynamodb: Any, table: str) -> None:
    first, second = (DynamoDbMemory(table, dynamodb, max_turns=10) for _ in range(2))
    turns = [make_turn(number) for number in range(1, 9)]
    await asyncio.gather(
        *((first if n % 2 else second).remember("s", turn) for n, turn in enumerate(turns))
    )
    assert (await first.load("s")).turns == tuple(turns)


async def test_a_missing_table_is_memory_unavailable(dynamodb: Any) -> None:
    memory = DynamoDbMemory("no-such-table", dynamodb)
    with pytest.raises(MemoryUnavailable):
        await memory.load("s")
    with pytest.raises(MemoryUnavailable):
        await memory.remember("s", make_turn(1))


async def test_a_closed_port_fails_fast_with_memory_unavailable() -> None:
    closed = f"http://127.0.0.1:{free_loopback_port()}"
    client = dynamodb_client(REGION, endpoint_url=closed, credentials=FAKE_CREDENTIALS)
    memory = DynamoDbMemory("t", client, owns_client=True)
    for call in (memory.load("s"), memory.remember("s", make_turn(1)), memory.forget("s")):
        started = time.monotonic()
        with pytest.raises(MemoryUnavailable):
            await call
        assert time.monotonic() - started < 2.0
    await memory.aclose()


def test_ensure_table_at_a_closed_port_fails_fast_with_memory_unavailable() -> None:
    closed = f"http://127.0.0.1:{free_loopback_port()}"
    client = dynamodb_client(REGION, endpoint_url=closed, credentials=FAKE_CREDENTIALS)
    started = time.monotonic()
    with pytest.raises(MemoryUnavailable):
        ensure_table(client, "t")
    assert time.monotonic() - started < 2.0
    client.close()
