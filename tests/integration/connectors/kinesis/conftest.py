"""A Kinesis client of moto's server (started by ``tests/integration/connectors``) and streams."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics import DuckDBSink
from connectors.kinesis import ensure_stream, kinesis_client
from tests.integration.connectors.conftest import FAKE_CREDENTIALS, REGION


@pytest.fixture
def kinesis(moto_endpoint: str) -> Iterator[Any]:
    """A boto3 Kinesis client of moto's server."""
    client = kinesis_client(
        REGION, endpoint_url=moto_endpoint, timeout_s=5.0, credentials=FAKE_CREDENTIALS
    )
    yield client
    client.close()


@pytest.fixture
def make_stream(kinesis: Any) -> Iterator[Callable[[int], str]]:
    """Makes streams of this test's own (``shards`` each), deleted afterwards."""
    made: list[str] = []

    def make(shards: int) -> str:
        name = f"events-{uuid.uuid4().hex[:12]}"
        ensure_stream(kinesis, name, shards)
        made.append(name)
        return name

    yield make
    for name in made:
        kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[DuckDBSink]:
    """The embedded warehouse in a file of this test's own."""
    with DuckDBSink(tmp_path / "warehouse.duckdb") as sink:
        sink.setup()
        yield sink
