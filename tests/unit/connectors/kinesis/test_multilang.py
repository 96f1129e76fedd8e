"""The MultiLangDaemon protocol in-process: what the child answers to each daemon message."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest

from connectors.kinesis.multilang import (
    CheckpointError,
    InitializeInput,
    KCLProcess,
    LeaseLostInput,
    ProcessRecordsInput,
    ProtocolError,
    RecordProcessorBase,
    ShardEndedInput,
    ShutdownRequestedInput,
)


class Recorder(RecordProcessorBase):
    """Checkpoints at the first record of each batch, retrying once when the daemon says no."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.data: list[bytes] = []
        self.errors: list[str] = []

    def initialize(self, initialize_input: InitializeInput) -> None:
        self.calls.append(
            f"initialize {initialize_input.shard_id} {initialize_input.sequence_number}"
        )

    def process_records(self, process_records_input: ProcessRecordsInput) -> None:
        self.calls.append(f"process {len(process_records_input.records)}")
        self.data += [record.binary_data for record in process_records_input.records]
        first = process_records_input.records[0]
        try:
            process_records_input.checkpointer.checkpoint(first.sequence_number)
        except CheckpointError as exc:
            self.errors.append(exc.value)
            process_records_input.checkpointer.checkpoint(first.sequence_number)

    def lease_lost(self, lease_lost_input: LeaseLostInput) -> None:
        self.calls.append("lease lost")

    def shard_ended(self, shard_ended_input: ShardEndedInput) -> None:
        self.calls.append("shard ended")
        shard_ended_input.checkpointer.checkpoint()

    def shutdown_requested(self, shutdown_requested_input: ShutdownRequestedInput) -> None:
        self.calls.append("shutdown requested")
        raise RuntimeError("boom")


def run(processor: RecordProcessorBase, messages: list[dict[str, Any]]) -> tuple[list[Any], str]:
    stdin = io.StringIO("".join(json.dumps(message) + "\n" for message in messages))
    stdout, stderr = io.StringIO(), io.StringIO()
    KCLProcess(processor, stdin, stdout, stderr).run()
    lines = [json.loads(line) for line in stdout.getvalue().splitlines() if line.strip()]
    return lines, stderr.getvalue()


RECORD = {
    "action": "record",
    "data": base64.b64encode(b"meow").decode(),
    "partitionKey": "cat",
    "sequenceNumber": "456",
    "subSequenceNumber": 0,
    "approximateArrivalTimestamp": 1476889707000,
}


def test_the_exchange_amazon_kclpy_is_tested_with() -> None:
    processor = Recorder()
    answers, errors = run(
        processor,
        [
            {
                "action": "initialize",
                "shardId": "shardId-123",
                "sequenceNumber": "456",
                "subSequenceNumber": 0,
            },
            {"action": "processRecords", "millisBehindLatest": 1476889708000, "records": [RECORD]},
            {
                "action": "checkpoint",
                "sequenceNumber": "456",
                "subSequenceNumber": 0,
                "error": "Exception",
            },
            {"action": "checkpoint", "sequenceNumber": "456", "subSequenceNumber": 0},
            {"action": "shardEnded"},
            {"action": "checkpoint", "sequenceNumber": "456", "subSequenceNumber": 0},
        ],
    )
    assert answers == [
        {"action": "status", "responseFor": "initialize"},
        {"action": "checkpoint", "sequenceNumber": "456", "subSequenceNumber": None},
        {"action": "checkpoint", "sequenceNumber": "456", "subSequenceNumber": None},
        {"action": "status", "responseFor": "processRecords"},
        {"action": "checkpoint", "sequenceNumber": None, "subSequenceNumber": None},
        {"action": "status", "responseFor": "shardEnded"},
    ]
    assert errors == ""
    assert processor.calls == ["initialize shardId-123 456", "process 1", "shard ended"]
    assert processor.data == [b"meow"]
    assert processor.errors == ["Exception"]


def test_a_processor_error_is_reported_and_the_status_still_sent() -> None:
    answers, errors = run(
        Recorder(),
        [
            {
                "action": "initialize",
                "shardId": "s",
                "sequenceNumber": None,
                "subSequenceNumber": None,
            },
            {"action": "shutdownRequested"},
            {"action": "leaseLost"},
        ],
    )
    assert [answer["responseFor"] for answer in answers] == [
        "initialize",
        "shutdownRequested",
        "leaseLost",
    ]
    assert "boom" in errors


def test_the_pre_v2_shutdown_message_maps_to_shard_end_or_lease_loss() -> None:
    processor = Recorder()
    answers, _ = run(
        processor,
        [
            {"action": "shutdown", "reason": "TERMINATE"},
            {"action": "checkpoint", "sequenceNumber": None, "subSequenceNumber": None},
            {"action": "shutdown", "reason": "ZOMBIE"},
        ],
    )
    assert processor.calls == ["shard ended", "lease lost"]
    assert answers[-1] == {"action": "status", "responseFor": "shutdown"}


def test_a_missing_checkpoint_answer_is_an_invalid_state() -> None:
    processor = Recorder()
    _, errors = run(
        processor,
        [{"action": "processRecords", "millisBehindLatest": 0, "records": [RECORD]}],
    )
    assert "InvalidStateException" in errors


@pytest.mark.parametrize("line", ["not json", '{"no": "action"}', '{"action": "dance"}'])
def test_a_message_this_process_cannot_read_stops_it(line: str) -> None:
    stdin, stdout = io.StringIO(line + "\n"), io.StringIO()
    with pytest.raises(ProtocolError):
        KCLProcess(Recorder(), stdin, stdout, io.StringIO()).run()
    assert stdout.getvalue() == ""
