"""DynamoDbMemory's retry and error handling, against a stub client (moto: integration)."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from connectors.memory import DynamoDbMemory, MemoryUnavailable
from tests.unit.connectors.memory.helpers import make_turn


class StubClient:
    """Always reads an empty table; ``put_item`` fails with ``code`` (none: succeeds)."""

    def __init__(self, code: str | None) -> None:
        self.code = code
        self.puts = 0

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {}

    def put_item(self, **_: Any) -> dict[str, Any]:
        self.puts += 1
        if self.code:
            raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "PutItem")
        return {}


async def test_a_writer_that_keeps_losing_the_race_gives_up() -> None:
    client = StubClient("ConditionalCheckFailedException")
    memory = DynamoDbMemory("t", client, max_attempts=3)
    with pytest.raises(MemoryUnavailable, match="3 writes lost"):
        await memory.remember("s", make_turn(1))
    assert client.puts == 3


async def test_other_refusals_are_not_retried() -> None:
    client = StubClient("ProvisionedThroughputExceededException")
    memory = DynamoDbMemory("t", client)
    with pytest.raises(MemoryUnavailable, match="refused") as raised:
        await memory.remember("s", make_turn(1))
    assert isinstance(raised.value.__cause__, ClientError)
    assert client.puts == 1
