"""The real parts for integration tests.

The broker, the workers and the bridge are started here, on free loopback
ports; PostgreSQL and Redis are the ones started by ``make services`` (CI runs
them). A test never skips because a service is absent: it fails.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
import redis.asyncio as redis
from pydantic import SecretStr

from analytics import WarehouseSettings, WarehouseSink, sink_from_settings
from bridge.settings import BridgeSettings
from connectors.kafka import LocalBrokerSettings, free_loopback_port
from mangaassist.stack import LocalStack

POSTGRES_URL = os.environ.get(
    "MANGAASSIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BRIDGE_SECRET = "integration-tests-only-" + "x" * 24
IDENTITY_SECRET = "integration-identity-" + "y" * 24
REDIS_URL = os.environ.get("MANGAASSIST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def e2e_warehouse() -> Iterator[WarehouseSettings]:
    """A PostgreSQL schema of its own for the end-to-end stack, dropped afterwards."""
    settings = WarehouseSettings(
        url=SecretStr(POSTGRES_URL), schema_name=f"e2e_{uuid.uuid4().hex[:10]}"
    )
    yield settings
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{settings.schema_name}" CASCADE')


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, e2e_warehouse: WarehouseSettings
) -> Iterator[LocalStack]:
    """Broker + pipeline worker + analytics worker (into PostgreSQL) + bridge."""
    logs = Path(tmp_path_factory.mktemp("stack-logs"))
    env = {
        "MANGAASSIST_WAREHOUSE_URL": POSTGRES_URL,
        "MANGAASSIST_WAREHOUSE_SCHEMA_NAME": e2e_warehouse.schema_name,
        "MANGAASSIST_WAREHOUSE_BATCH_AGE_S": "0.2",
        # Rate limits in the real Redis, with room for the bursts these tests send.
        "MANGAASSIST_BRIDGE_REDIS_URL": REDIS_URL,
        "MANGAASSIST_BRIDGE_RATE_CAPACITY": "100",
        # Shared by every bridge process a test starts, as behind a load balancer.
        "MANGAASSIST_BRIDGE_TOKEN_SECRET": BRIDGE_SECRET,
        "MANGAASSIST_BRIDGE_IDENTITY_SECRET": IDENTITY_SECRET,
        # Conversation memory in the real Redis, as several pipeline workers would share it.
        "MANGAASSIST_MEMORY_BACKEND": "redis",
        "MANGAASSIST_MEMORY_REDIS_URL": REDIS_URL,
        # The agent console on the bridge, over the in-process hand-off queue.
        "MANGAASSIST_HANDOFF_CONSOLE_TOKEN": "integration-console-" + "z" * 24,
        # The pipeline worker's cache metrics, on a port of this session's own.
        "MANGAASSIST_CACHE_METRICS_PORT": str(free_loopback_port()),
    }
    broker = LocalBrokerSettings(port=free_loopback_port(), log_file=logs / "broker.log")
    bridge = BridgeSettings(port=free_loopback_port())
    local = LocalStack(broker, bridge, log_dir=logs, env=env)
    try:
        asyncio.run(local.start())
    except BaseException:
        local.stop()
        raise
    yield local
    local.stop()


@pytest.fixture
def e2e_sink(e2e_warehouse: WarehouseSettings) -> Iterator[WarehouseSink]:
    sink = sink_from_settings(e2e_warehouse)
    yield sink
    sink.close()


@pytest.fixture
async def redis_client() -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    assert await client.ping()  # fails, never skips, when Redis is missing
    yield client
    await client.aclose()


@pytest.fixture
async def key_prefix(redis_client: redis.Redis) -> AsyncIterator[str]:
    """A key prefix (and so a pub/sub channel) of this test's own; its keys are deleted after."""
    prefix = f"mangaassist:test:{uuid.uuid4().hex}:"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis_client.delete(*keys)
