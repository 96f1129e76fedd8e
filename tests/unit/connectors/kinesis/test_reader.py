"""KinesisShardReader over an in-memory stream: checkpoints, backoff, resharding."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from analytics import DuckDBSink
from connectors.kinesis import (
    SHARD_END,
    KinesisError,
    KinesisProducer,
    KinesisShardReader,
    MemoryCheckpointStore,
)
from tests.unit.connectors.kinesis.helpers import (
    SHARD_0,
    FakeKinesis,
    chat_turn,
    client_error,
    make_codec,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[DuckDBSink]:
    with DuckDBSink(tmp_path / "warehouse.duckdb") as sink:
        sink.setup()
        yield sink


async def put(client: FakeKinesis, numbers: range) -> None:
    producer = KinesisProducer(client, client.stream_name, codec=make_codec())
    for number in numbers:
        await producer.send(chat_turn(number))
    await producer.aclose()


def reader(
    client: FakeKinesis, sink: DuckDBSink, store: MemoryCheckpointStore, **options: Any
) -> KinesisShardReader:
    return KinesisShardReader(
        client, client.stream_name, sink, store, codec=make_codec(), **options
    )


async def test_a_shard_is_read_into_the_sink_and_checkpointed_at_its_last_record(
    sink: DuckDBSink,
) -> None:
    client, store = FakeKinesis(), MemoryCheckpointStore()
    await put(client, range(5))
    shards = reader(client, sink, store, limit=3)
    assert await shards.poll() == 3
    assert store.load("events", SHARD_0) == client.delivered()[2]["SequenceNumber"]
    assert await shards.poll() == 2
    assert await shards.poll() == 0
    assert sink.count() == 5
    assert store.load("events", SHARD_0) == client.delivered()[-1]["SequenceNumber"]
    assert client.iterator_requests[0]["ShardIteratorType"] == "TRIM_HORIZON"


async def test_a_new_reader_starts_after_the_checkpoint(sink: DuckDBSink) -> None:
    client, store = FakeKinesis(), MemoryCheckpointStore()
    await put(client, range(4))
    await reader(client, sink, store).poll()
    await put(client, range(4, 6))
    again = reader(client, sink, store)
    assert await again.poll() == 2
    last = client.delivered()[3]["SequenceNumber"]
    assert client.iterator_requests[-1] == {
        "StreamName": "events",
        "ShardId": SHARD_0,
        "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
        "StartingSequenceNumber": last,
    }
    assert sink.count() == 6


async def test_latest_skips_what_was_there_before(sink: DuckDBSink) -> None:
    client, store = FakeKinesis(), MemoryCheckpointStore()
    await put(client, range(3))
    latest = reader(client, sink, store, initial_position="LATEST")
    assert await latest.poll() == 0
    await put(client, range(3, 4))
    assert await latest.poll() == 1
    assert sink.count() == 1


async def test_a_throttled_shard_backs_off_doubling(sink: DuckDBSink) -> None:
    client, store, clock = FakeKinesis(), MemoryCheckpointStore(), Clock()
    await put(client, range(2))
    throttled = client_error("ProvisionedThroughputExceededException", operation="GetRecords")
    client.get_records_errors = [throttled, throttled]
    shards = reader(client, sink, store, clock=clock, retry_base_s=0.5, retry_max_s=10)
    assert await shards.poll() == 0
    calls = client.get_records_calls
    clock.now += 0.4
    assert await shards.poll() == 0
    assert client.get_records_calls == calls  # still waiting
    clock.now += 0.1
    assert await shards.poll() == 0  # throttled again: now 1 s
    clock.now += 0.9
    assert await shards.poll() == 0
    clock.now += 0.1
    assert await shards.poll() == 2
    assert shards.stats.throttled == 2


async def test_an_expired_iterator_is_fetched_again_from_the_checkpoint(sink: DuckDBSink) -> None:
    client, store = FakeKinesis(), MemoryCheckpointStore()
    await put(client, range(2))
    shards = reader(client, sink, store)
    await shards.poll()
    await put(client, range(2, 3))
    client.get_records_errors = [client_error("ExpiredIteratorException", operation="GetRecords")]
    assert await shards.poll() == 0
    assert await shards.poll() == 1
    assert client.iterator_requests[-1]["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER"
    assert sink.count() == 3


async def test_a_refused_read_stops_the_reader(sink: DuckDBSink) -> None:
    client = FakeKinesis()
    client.get_records_errors = [client_error("AccessDeniedException", operation="GetRecords")]
    with pytest.raises(KinesisError, match="AccessDeniedException"):
        await reader(client, sink, MemoryCheckpointStore()).poll()


async def test_children_are_read_after_their_parent_ended(sink: DuckDBSink) -> None:
    client, store, clock = FakeKinesis(), MemoryCheckpointStore(), Clock()
    await put(client, range(3))
    client.split(SHARD_0, ("shardId-000000000001", "shardId-000000000002"))
    await put(client, range(3, 5))  # on the first child
    shards = reader(client, sink, store, clock=clock)
    # The parent's last records come with no next iterator: it ends, then its children start.
    assert await shards.poll() == 5
    assert store.load("events", SHARD_0) == SHARD_END
    assert shards.stats.shards_ended == [SHARD_0]
    assert client.iterator_requests[0]["ShardId"] == SHARD_0
    assert sink.count() == 5
    child_requests = [r for r in client.iterator_requests if r["ShardId"] != SHARD_0]
    assert {r["ShardIteratorType"] for r in child_requests} == {"TRIM_HORIZON"}
    assert await reader(client, sink, store).poll() == 0  # a restart skips the ended parent


async def test_run_stops_when_asked_and_rides_out_an_unreachable_kinesis(sink: DuckDBSink) -> None:
    client, store = FakeKinesis(), MemoryCheckpointStore()
    await put(client, range(2))
    shards = reader(client, sink, store, poll_interval_s=0.01, retry_base_s=0.01, retry_max_s=0.02)
    original = client.list_shards
    failures = [EndpointConnectionError(endpoint_url="http://127.0.0.1:1")] * 2

    def flaky_list_shards(**arguments: object) -> dict[str, object]:
        if failures:
            raise failures.pop()
        return original(**arguments)

    client.list_shards = flaky_list_shards  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(shards.run(stop))
    for _ in range(200):
        if sink.count() == 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert sink.count() == 2


async def test_a_child_waits_while_its_parent_has_records_left(sink: DuckDBSink) -> None:
    client, store = FakeKinesis(), MemoryCheckpointStore()
    await put(client, range(4))
    client.split(SHARD_0, ("shardId-000000000001", "shardId-000000000002"))
    await put(client, range(4, 6))
    shards = reader(client, sink, store, limit=2)
    assert await shards.poll() == 2  # half the parent; the children wait
    assert {r["ShardId"] for r in client.iterator_requests} == {SHARD_0}
    assert await shards.poll() == 4  # the rest of the parent, then the first child
    assert sink.count() == 6
