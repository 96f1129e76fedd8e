"""WarehouseRecordProcessor in-process: batching, and checkpoints only after the rows are stored."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics import DuckDBSink
from connectors.kinesis.kcl import WarehouseRecordProcessor
from connectors.kinesis.multilang import (
    Checkpointer,
    CheckpointError,
    InitializeInput,
    LeaseLostInput,
    ProcessRecordsInput,
    Record,
    ShardEndedInput,
    ShutdownRequestedInput,
)
from tests.unit.connectors.kinesis.helpers import chat_turn, make_codec

SHARD = "shardId-000000000000"


class FakeCheckpointer(Checkpointer):
    """Answers as the daemon would; records the rows stored when each checkpoint came."""

    def __init__(self, sink: DuckDBSink, errors: list[str] | None = None) -> None:
        self.sink = sink
        self.errors = errors or []
        self.checkpoints: list[tuple[str | None, int | None, int]] = []

    def checkpoint(
        self, sequence_number: str | None = None, sub_sequence_number: int | None = None
    ) -> None:
        self.checkpoints.append((sequence_number, sub_sequence_number, self.sink.count()))
        if self.errors:
            raise CheckpointError(self.errors.pop(0))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[DuckDBSink]:
    with DuckDBSink(tmp_path / "warehouse.duckdb") as sink:
        sink.setup()
        yield sink


def records(numbers: range) -> list[Record]:
    codec = make_codec()
    return [
        Record(
            data=base64.b64encode(codec.encode(chat_turn(n))).decode(),
            partition_key=f"session-{n % 7}",
            sequence_number=str(1000 + n),
        )
        for n in numbers
    ]


def processor(sink: DuckDBSink, clock: Clock, **options: Any) -> WarehouseRecordProcessor:
    made = WarehouseRecordProcessor(
        sink,
        make_codec(),
        "events",
        clock=clock,
        sleep=lambda seconds: None,
        **options,
    )
    made.initialize(InitializeInput(SHARD, None, None))
    return made


def batch(checkpointer: Checkpointer, numbers: range) -> ProcessRecordsInput:
    return ProcessRecordsInput(records(numbers), 0, checkpointer)


def test_rows_wait_for_a_full_batch_then_are_written_before_the_checkpoint(
    sink: DuckDBSink,
) -> None:
    clock = Clock()
    checkpointer = FakeCheckpointer(sink)
    kcl = processor(sink, clock, batch_size=5, batch_age_s=60)
    kcl.process_records(batch(checkpointer, range(3)))
    assert sink.count() == 0
    assert checkpointer.checkpoints == []
    kcl.process_records(batch(checkpointer, range(3, 6)))
    assert checkpointer.checkpoints == [("1005", 0, 6)]  # six rows stored when it came
    kcl.close()


def test_an_old_enough_batch_is_written_on_the_next_call_even_an_empty_one(
    sink: DuckDBSink,
) -> None:
    clock = Clock()
    checkpointer = FakeCheckpointer(sink)
    kcl = processor(sink, clock, batch_size=500, batch_age_s=0.5)
    kcl.process_records(batch(checkpointer, range(2)))
    clock.now = 0.4
    kcl.process_records(batch(checkpointer, range(0)))
    assert checkpointer.checkpoints == []
    clock.now = 0.6
    kcl.process_records(batch(checkpointer, range(0)))
    assert checkpointer.checkpoints == [("1001", 0, 2)]
    kcl.close()


def test_a_replayed_batch_makes_no_second_row(sink: DuckDBSink) -> None:
    checkpointer = FakeCheckpointer(sink)
    kcl = processor(sink, Clock(), batch_size=1)
    kcl.process_records(batch(checkpointer, range(4)))
    kcl.initialize(InitializeInput(SHARD, "1001", 0))  # a new lease owner starts at 1001
    kcl.process_records(batch(checkpointer, range(2, 4)))
    assert sink.count() == 4
    assert kcl.rows_written == 4
    kcl.close()


def test_shutdown_and_shard_end_write_what_is_buffered_then_checkpoint(sink: DuckDBSink) -> None:
    checkpointer = FakeCheckpointer(sink)
    kcl = processor(sink, Clock(), batch_size=500, batch_age_s=60)
    kcl.process_records(batch(checkpointer, range(3)))
    kcl.shutdown_requested(ShutdownRequestedInput(checkpointer))
    assert checkpointer.checkpoints == [(None, None, 3)]
    kcl.process_records(batch(checkpointer, range(3, 5)))
    kcl.shard_ended(ShardEndedInput(checkpointer))
    assert checkpointer.checkpoints[-1] == (None, None, 5)
    kcl.close()


def test_a_lost_lease_drops_the_buffer_without_checkpointing(sink: DuckDBSink) -> None:
    checkpointer = FakeCheckpointer(sink)
    kcl = processor(sink, Clock(), batch_size=500, batch_age_s=60)
    kcl.process_records(batch(checkpointer, range(3)))
    kcl.lease_lost(LeaseLostInput())
    kcl.shutdown_requested(ShutdownRequestedInput(checkpointer))
    assert sink.count() == 0
    assert checkpointer.checkpoints == [(None, None, 0)]
    kcl.close()


def test_a_throttled_checkpoint_is_retried(sink: DuckDBSink) -> None:
    checkpointer = FakeCheckpointer(sink, errors=["ThrottlingException", "ThrottlingException"])
    kcl = processor(sink, Clock(), batch_size=1)
    kcl.process_records(batch(checkpointer, range(1)))
    assert [sequence for sequence, _, _ in checkpointer.checkpoints] == ["1000"] * 3
    kcl.close()


def test_a_checkpoint_after_the_lease_moved_is_not_retried(sink: DuckDBSink) -> None:
    checkpointer = FakeCheckpointer(sink, errors=["ShutdownException"])
    kcl = processor(sink, Clock(), batch_size=1)
    kcl.process_records(batch(checkpointer, range(1)))
    assert len(checkpointer.checkpoints) == 1
    assert sink.count() == 1
    kcl.close()


def test_checkpointing_gives_up_after_its_attempts(sink: DuckDBSink) -> None:
    checkpointer = FakeCheckpointer(sink, errors=["InvalidStateException"] * 5)
    kcl = processor(sink, Clock(), batch_size=1, checkpoint_attempts=3)
    kcl.process_records(batch(checkpointer, range(1)))
    assert len(checkpointer.checkpoints) == 3
    kcl.close()


def test_an_undecodable_record_is_stored_as_a_dead_letter_and_checkpointed(
    sink: DuckDBSink,
) -> None:
    checkpointer = FakeCheckpointer(sink)
    kcl = processor(sink, Clock(), batch_size=1)
    broken = Record(base64.b64encode(b"junk").decode(), "session-1", "77")
    kcl.process_records(ProcessRecordsInput([broken], 0, checkpointer))
    [row] = sink.query("SELECT topic, event_type FROM chat_events")
    assert row == {"topic": "chat.deadletter", "event_type": "DeadLetter"}
    assert checkpointer.checkpoints == [("77", 0, 1)]
    kcl.close()
