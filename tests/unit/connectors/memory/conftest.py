from collections.abc import AsyncIterator

import pytest

from connectors.memory import InProcessMemory
from tests.unit.connectors.memory.helpers import Backend, FakeClock


@pytest.fixture
async def backend() -> AsyncIterator[Backend]:
    """The in-process backend on a fake clock; integration tests add Redis and DynamoDB."""
    clock = FakeClock()

    async def elapse(seconds: float) -> None:
        clock.advance(seconds)

    harness = Backend(
        "inprocess", lambda max_turns, ttl_s: InProcessMemory(max_turns, ttl_s, clock=clock), elapse
    )
    yield harness
    await harness.aclose()
