"""Producer (refused records injected) → moto's Kinesis → shard reader → DuckDB, once each."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analytics import DuckDBSink
from connectors.kinesis import (
    SHARD_END,
    FileCheckpointStore,
    KinesisError,
    KinesisProducer,
    KinesisShardReader,
    ensure_stream,
)
from schemas import ChatTurn, Event, FinalReply, SessionEvent
from schemas.events import utc_now
from tests.integration.connectors.conftest import FAKE_CREDENTIALS, REGION
from tests.unit.connectors.kinesis.helpers import client_error, make_codec

THROTTLED = "ProvisionedThroughputExceededException"


class FlakyKinesis:
    """moto's client, refusing about a third of the entries on their first try, and throttling
    the second call whole.

    Refused entries never reach moto, exactly like entries Kinesis reports as failed.
    ``calls`` logs each call: the data sent, the data refused, whether it was throttled.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[list[bytes], list[bytes], bool]] = []
        self._tried: set[bytes] = set()

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        sent = [bytes(entry["Data"]) for entry in Records]
        if len(self.calls) == 1:
            self.calls.append((sent, [], True))
            raise client_error(THROTTLED)
        refuse = [
            data not in self._tried and hashlib.sha256(data).digest()[0] % 3 == 0 for data in sent
        ]
        self._tried.update(sent)
        self.calls.append(
            (sent, [data for data, no in zip(sent, refuse, strict=True) if no], False)
        )
        forwarded = [entry for entry, no in zip(Records, refuse, strict=True) if not no]
        answer = self._client.put_records(StreamName=StreamName, Records=forwarded)
        results = iter(answer["Records"])
        merged = [
            {"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded (injected)"}
            if no
            else next(results)
            for no in refuse
        ]
        return {"FailedRecordCount": sum(refuse), "Records": merged}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def check_only_failures_were_resent(self) -> int:
        """After a partial failure the next call holds exactly the refused entries, after a
        throttled call the same entries, otherwise only new ones; returns how many were refused."""
        seen: set[bytes] = set()
        refused_total = 0
        previous: tuple[list[bytes], list[bytes], bool] | None = None
        for sent, refused, throttled in self.calls:
            if previous is not None and previous[2]:
                assert sent == previous[0]
            elif previous is not None and previous[1]:
                assert sent == previous[1]
            else:
                assert not seen.intersection(sent)
            seen.update(sent)
            refused_total += len(refused)
            previous = (sent, refused, throttled)
        return refused_total


def events(start: int, count: int) -> list[Event]:
    made: list[Event] = []
    for number in range(start, start + count):
        session = f"session-{number % 11}"
        if number % 5 == 0:
            made.append(
                SessionEvent(
                    session_id=session, turn_id="", kind="created", locale="ja", channel="ws"
                )
            )
        elif number % 5 == 4:
            made.append(
                FinalReply(
                    session_id=session,
                    turn_id=f"t-{number}",
                    status="ok",
                    text="在庫があります。",
                    chunk_count=1,
                    path="retrieval",
                    received_ts=utc_now(),
                )
            )
        else:
            made.append(
                ChatTurn(
                    session_id=session, turn_id=f"t-{number}", text=f"質問 {number}", locale="ja"
                )
            )
    return made


async def produce(client: Any, stream: str, batch: list[Event]) -> KinesisProducer:
    producer = KinesisProducer(
        client, stream, codec=make_codec(), batch_size=100, retry_base_s=0.01, retry_max_s=0.05
    )
    for event in batch:
        await producer.send(event)
    await producer.aclose()
    return producer


def reader(client: Any, stream: str, sink: DuckDBSink, checkpoints: Path) -> KinesisShardReader:
    return KinesisShardReader(
        client, stream, sink, FileCheckpointStore(checkpoints), codec=make_codec(), limit=200
    )


async def drain(shards: KinesisShardReader) -> int:
    """Poll until a round reads nothing; the records read."""
    total = 0
    while read := await shards.poll():
        total += read
    return total


def stream_contents(client: Any, stream: str) -> list[bytes]:
    data: list[bytes] = []
    for shard in client.list_shards(StreamName=stream)["Shards"]:
        iterator = client.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        data += [record["Data"] for record in client.get_records(ShardIterator=iterator)["Records"]]
    return data


def stored_ids(sink: DuckDBSink) -> list[str]:
    return [
        row["event_id"] for row in sink.query("SELECT event_id FROM chat_events ORDER BY event_id")
    ]


async def test_refused_records_are_resent_and_land_once_even_after_restarts(
    kinesis: Any, make_stream: Callable[[int], str], warehouse: DuckDBSink, tmp_path: Path
) -> None:
    stream = make_stream(2)
    codec = make_codec()
    first = events(0, 300)
    flaky = FlakyKinesis(kinesis)
    producer = await produce(flaky, stream, first)

    # Only refused entries were sent again, and the stream holds every event exactly once.
    refused = flaky.check_only_failures_were_resent()
    assert refused > 30, "the test must inject partial failures"
    assert any(throttled for _, _, throttled in flaky.calls)
    in_stream = stream_contents(kinesis, stream)
    assert sorted(in_stream) == sorted(codec.encode(event) for event in first)
    assert producer.stats.delivered == 300
    assert producer.stats.retried >= refused

    checkpoints = tmp_path / "checkpoints.json"
    shards = reader(kinesis, stream, warehouse, checkpoints)
    assert await drain(shards) == 300
    assert shards.stats.rows_written == 300
    assert stored_ids(warehouse) == sorted(event.event_id for event in first)

    # A restart resumes after the checkpoints: nothing is read again.
    restarted = reader(kinesis, stream, warehouse, checkpoints)
    assert await drain(restarted) == 0

    # New events: a restarted reader reads only those.
    second = events(300, 50)
    await produce(FlakyKinesis(kinesis), stream, second)
    again = reader(kinesis, stream, warehouse, checkpoints)
    assert await drain(again) == 50
    assert again.stats.rows_written == 50

    # A crash after the write but before the checkpoint replays; the warehouse keeps one row each.
    checkpoints.unlink()
    replay = reader(kinesis, stream, warehouse, checkpoints)
    assert await drain(replay) == 350
    assert replay.stats.rows_written == 0
    assert stored_ids(warehouse) == sorted(event.event_id for event in first + second)


async def test_the_reader_follows_a_split_shard_to_its_children(
    kinesis: Any, make_stream: Callable[[int], str], warehouse: DuckDBSink, tmp_path: Path
) -> None:
    stream = make_stream(1)
    before = events(0, 20)
    await produce(kinesis, stream, before)
    shards = reader(kinesis, stream, warehouse, tmp_path / "checkpoints.json")
    assert await drain(shards) == 20
    [parent] = kinesis.list_shards(StreamName=stream)["Shards"]

    kinesis.split_shard(
        StreamName=stream, ShardToSplit=parent["ShardId"], NewStartingHashKey=str(2**127)
    )
    after = events(20, 20)
    await produce(kinesis, stream, after)
    await shards.sync_shards()
    await drain(shards)

    assert shards.stats.shards_ended == [parent["ShardId"]]
    checkpoints = FileCheckpointStore(tmp_path / "checkpoints.json")
    assert checkpoints.load(stream, parent["ShardId"]) == SHARD_END
    # moto moves the parent's records into the children: read twice, stored once.
    assert stored_ids(warehouse) == sorted(event.event_id for event in before + after)


async def test_ensure_stream_is_idempotent_and_a_missing_stream_is_an_error(
    kinesis: Any, make_stream: Callable[[int], str]
) -> None:
    stream = make_stream(3)
    ensure_stream(kinesis, stream, 1)  # exists: left alone
    assert len(kinesis.list_shards(StreamName=stream)["Shards"]) == 3
    producer = KinesisProducer(kinesis, "no-such-stream", codec=make_codec())
    await producer.send(events(0, 1)[0])
    with pytest.raises(KinesisError, match="ResourceNotFoundException"):
        await producer.flush()
    assert producer.pending == 1
    producer.drain_undelivered()
    await producer.aclose()


def test_an_unreachable_endpoint_is_unavailable() -> None:
    from connectors.kafka import free_loopback_port
    from connectors.kinesis import KinesisUnavailable, kinesis_client

    client = kinesis_client(
        REGION,
        endpoint_url=f"http://127.0.0.1:{free_loopback_port()}",
        timeout_s=0.5,
        credentials=FAKE_CREDENTIALS,
    )
    with pytest.raises(KinesisUnavailable) as raised:
        ensure_stream(client, "events", 1)
    assert raised.value.__cause__ is not None
    client.close()
