"""The analytics sink's loop against a fake consumer: batches, commits, dead letters, outages."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from aiokafka.structs import ConsumerRecord, TopicPartition

from analytics import DuckDBSink, EventRow, WarehouseSettings, WarehouseUnavailable
from schemas import AvroCodec, ChatTurn, DeadLetter, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams import analytics_consumer
from streams.analytics_consumer import AnalyticsSink, topic_names
from streams.settings import KafkaSettings
from streams.testing import RecordingSender
from streams.topics import DEADLETTER, TURNS

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))
PREFIX = "sandbox."
TP = TopicPartition(f"{PREFIX}{TURNS.name}", 0)


class FakeConsumer:
    """An assigned partition with a log of records; what getmany hands out moves the position."""

    def __init__(self) -> None:
        self.log: list[ConsumerRecord[bytes, bytes]] = []
        self.position = 0
        self.commits: list[dict[TopicPartition, int]] = []
        self.paused_partitions: set[TopicPartition] = set()
        self.polls_while_paused = 0

    def append(self, value: bytes, key: bytes = b"s1") -> None:
        offset = len(self.log)
        record = ConsumerRecord(
            TP.topic, TP.partition, offset, 0, 0, key, value, None, len(key), len(value), ()
        )
        self.log.append(record)

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        if TP in self.paused_partitions:
            self.polls_while_paused += 1
        elif self.position < len(self.log):
            end = len(self.log) if max_records is None else self.position + max_records
            records = self.log[self.position : end]
            self.position += len(records)
            return {TP: records}
        await asyncio.sleep(min(timeout_ms, 10) / 1000)
        return {}

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))

    async def committed(self, partition: TopicPartition) -> int | None:
        return next((c[partition] for c in reversed(self.commits) if partition in c), None)

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: len(self.log) for tp in partitions}

    def assignment(self) -> set[TopicPartition]:
        return {TP}

    def pause(self, *partitions: TopicPartition) -> None:
        self.paused_partitions.update(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.paused_partitions.difference_update(partitions)

    def paused(self) -> set[TopicPartition]:
        return set(self.paused_partitions)


class RecordingSink(DuckDBSink):
    """A DuckDB sink that keeps the size of each write and can be made to fail or wait."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.writes: list[int] = []
        self.failures = 0
        self.gate = threading.Event()
        self.gate.set()

    def write(self, rows: Sequence[EventRow]) -> int:
        self.gate.wait(5)
        if self.failures:
            self.failures -= 1
            raise WarehouseUnavailable("connection refused")
        self.writes.append(len(rows))
        return super().write(rows)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[RecordingSink]:
    with RecordingSink(tmp_path / "analytics.duckdb") as warehouse:
        warehouse.setup()
        yield warehouse


@pytest.fixture
def consumer() -> FakeConsumer:
    return FakeConsumer()


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender(CODEC)


@pytest.fixture
async def running(
    consumer: FakeConsumer, sink: RecordingSink, sender: RecordingSender
) -> AsyncIterator[AnalyticsSink]:
    settings = WarehouseSettings(batch_size=3, batch_age_s=0.05)
    topics = topic_names(KafkaSettings(topic_prefix=PREFIX))
    runner = AnalyticsSink(consumer, CODEC, sink, settings, sender, topics, "test-analytics")
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    yield runner
    stop.set()
    await asyncio.wait_for(task, 5)


async def eventually(check: object, timeout_s: float = 3.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not (check() if callable(check) else check):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def turns(count: int) -> list[ChatTurn]:
    return [
        ChatTurn(session_id="s1", turn_id=f"t{i}", text=f"こんにちは {i}") for i in range(count)
    ]


async def test_events_become_rows_under_their_plain_topic_and_garbage_a_dead_letter(
    consumer: FakeConsumer,
    sink: RecordingSink,
    sender: RecordingSender,
    running: AnalyticsSink,
) -> None:
    (turn,) = turns(1)
    consumer.append(CODEC.encode(turn))
    consumer.append(b"garbage")

    await eventually(lambda: consumer.commits)

    [row] = sink.events_for_session("s1")
    assert (row["event_id"], row["event_type"], row["topic"]) == (
        turn.event_id,
        "ChatTurn",
        "chat.turns",
    )
    [letter] = sender.on(DEADLETTER)
    assert isinstance(letter, DeadLetter)
    assert (letter.stage, letter.session_id, letter.payload) == ("analytics", "s1", b"garbage")
    assert (letter.source_topic, letter.source_offset) == (TP.topic, 1)
    assert consumer.commits == [{TP: 2}]


async def test_batches_close_at_batch_size_and_a_short_one_at_batch_age(
    consumer: FakeConsumer, sink: RecordingSink, running: AnalyticsSink
) -> None:
    for turn in turns(7):
        consumer.append(CODEC.encode(turn))

    await eventually(lambda: consumer.commits[-1:] == [{TP: 7}])

    assert sink.writes == [3, 3, 1]
    assert consumer.commits == [{TP: 3}, {TP: 6}, {TP: 7}]


async def test_offsets_are_committed_only_after_their_batch_is_written(
    consumer: FakeConsumer, sink: RecordingSink, running: AnalyticsSink
) -> None:
    sink.gate.clear()  # the warehouse takes its time
    for turn in turns(3):
        consumer.append(CODEC.encode(turn))

    await asyncio.sleep(0.2)
    assert consumer.commits == []
    assert sink.count() == 0

    sink.gate.set()
    await eventually(lambda: consumer.commits)
    assert (consumer.commits, sink.count()) == ([{TP: 3}], 3)


async def test_an_unavailable_warehouse_pauses_the_sink_logs_its_backlog_and_loses_nothing(
    consumer: FakeConsumer,
    sink: RecordingSink,
    running: AnalyticsSink,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(analytics_consumer, "HOLD_POLL_S", 0.02)
    sink.failures = 2  # retried after 0.2 s, then 0.4 s
    for turn in turns(9):
        consumer.append(CODEC.encode(turn))

    with caplog.at_level(logging.WARNING, logger=analytics_consumer.__name__):
        await eventually(lambda: consumer.paused_partitions)
        # Paused, the sink reads no more than the batch after the failing one...
        assert consumer.position == 6
        await eventually(lambda: sink.count() == 9)

    # ...but kept polling, so the group did not drop it; then it resumed.
    assert consumer.polls_while_paused > 0
    assert not consumer.paused_partitions
    retries = [r.getMessage() for r in caplog.records if "warehouse unavailable" in r.getMessage()]
    assert len(retries) == 2
    assert "attempt 1" in retries[0]
    assert "attempt 2" in retries[1]
    assert "backlog 9 events (group test-analytics lag)" in retries[0]
    assert "connection refused" in retries[0]
    assert any("available again after 2 failed attempts" in r.getMessage() for r in caplog.records)
    assert sink.writes == [3, 3, 3]
    await eventually(lambda: consumer.commits[-1:] == [{TP: 9}])
