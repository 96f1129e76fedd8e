"""The KCL record processor as the MultiLangDaemon runs it: a child process spoken to over stdio.

This test plays the daemon's side of the protocol as the Java code does
(``MessageWriter``/``MultiLangProtocol`` of amazon-kinesis-client-multilang):
one JSON message per line on the child's stdin, Jackson's field names with
nulls written out, then it reads the child's stdout, skipping lines that are
not messages, answers each checkpoint request with a checkpoint message
(``error`` naming the Java exception when it fails) and waits for the status.
Messages the child writes are checked field by field, as Jackson refuses
unknown properties.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics import DuckDBSink
from schemas import ChatTurn
from tests.unit.connectors.kinesis.helpers import SEQUENCE_BASE, chat_turn, make_codec

SHARD = "shardId-000000000000"
REPO = Path(__file__).resolve().parents[4]
MESSAGE_FIELDS = {
    "status": {"action", "responseFor"},
    "checkpoint": {"action", "sequenceNumber", "subSequenceNumber"},
}


class Daemon:
    """The daemon's end of one child process."""

    def __init__(self, warehouse: Path, batch_size: int) -> None:
        env = {
            key: value for key, value in os.environ.items() if not key.startswith("MANGAASSIST_")
        }
        env |= {
            "MANGAASSIST_WAREHOUSE_DUCKDB_PATH": str(warehouse),
            "MANGAASSIST_WAREHOUSE_BATCH_SIZE": str(batch_size),
            "MANGAASSIST_WAREHOUSE_BATCH_AGE_S": "3600",
            "MANGAASSIST_KINESIS_STREAM_NAME": "events",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "connectors.kinesis.kcl"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        self._lines: queue.Queue[bytes] = queue.Queue()
        self.stderr = b""
        self._readers = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=self._drain_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(b"")

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        """The next message the child wrote; blank and unparseable lines are skipped."""
        while True:
            try:
                line = self._lines.get(timeout=30)
            except queue.Empty:
                pytest.fail(f"the child said nothing for 30 s; stderr:\n{self.stderr.decode()}")
            if not line:
                pytest.fail(f"the child exited; stderr:\n{self.stderr.decode()}")
            if not line.strip():
                continue
            try:
                message: dict[str, Any] = json.loads(line)
            except ValueError:
                continue
            assert set(message) == MESSAGE_FIELDS[message["action"]], message
            return message

    def expect_status(self, action: str) -> None:
        assert self.receive() == {"action": "status", "responseFor": action}

    def expect_checkpoint(self) -> dict[str, Any]:
        message = self.receive()
        assert message["action"] == "checkpoint", message
        return message

    def answer_checkpoint(self, request: dict[str, Any], error: str | None = None) -> None:
        self.send(
            {
                "action": "checkpoint",
                "sequenceNumber": request["sequenceNumber"],
                "subSequenceNumber": request["subSequenceNumber"],
                "error": error,
            }
        )

    def initialize(self, sequence: str | None = None) -> None:
        self.send(
            {
                "action": "initialize",
                "shardId": SHARD,
                "sequenceNumber": sequence,
                "subSequenceNumber": None if sequence is None else 0,
            }
        )
        self.expect_status("initialize")

    def process_records(self, records: list[dict[str, Any]]) -> None:
        self.send({"action": "processRecords", "records": records, "millisBehindLatest": 0})

    def close(self) -> int:
        """Close stdin as the daemon does after a shutdown; the child's exit code."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        """End the child if it still runs, and release its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def record(number: int, data: bytes | None = None) -> dict[str, Any]:
    """A JsonFriendlyRecord as Jackson writes it: the data base64, the timestamp in ms."""
    turn = chat_turn(number)
    return {
        "data": base64.b64encode(data if data is not None else make_codec().encode(turn)).decode(),
        "partitionKey": turn.session_id,
        "sequenceNumber": sequence(number),
        "approximateArrivalTimestamp": 1_795_000_000_000 + number,
        "subSequenceNumber": 0,
        "action": "record",
    }


def sequence(number: int) -> str:
    return str(SEQUENCE_BASE + number)


def stored(path: Path) -> list[str]:
    """The event ids in the warehouse (the child releases the DuckDB file between writes)."""
    with DuckDBSink(path) as sink:
        rows = sink.query("SELECT event_id FROM chat_events ORDER BY event_id")
    return [row["event_id"] for row in rows]


def turn_ids(numbers: range) -> list[str]:
    return sorted(chat_turn(number).event_id for number in numbers)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def daemon(warehouse: Path) -> Iterator[Daemon]:
    child = Daemon(warehouse, batch_size=3)
    yield child
    child.kill()


def test_checkpoints_come_only_after_the_rows_are_stored_and_replays_add_none(
    daemon: Daemon, warehouse: Path
) -> None:
    daemon.initialize()

    daemon.process_records([record(0), record(1)])  # under a batch: buffered, no checkpoint
    daemon.expect_status("processRecords")
    assert stored(warehouse) == []

    daemon.process_records([record(2), record(3)])
    request = daemon.expect_checkpoint()
    assert request == {
        "action": "checkpoint",
        "sequenceNumber": sequence(3),
        "subSequenceNumber": 0,
    }
    assert stored(warehouse) == turn_ids(range(4))  # written before the checkpoint was asked
    daemon.answer_checkpoint(request)
    daemon.expect_status("processRecords")

    # Redelivered records (as after a failover) and one new: one row each, still.
    daemon.process_records([record(2), record(3), record(4)])
    request = daemon.expect_checkpoint()
    assert request["sequenceNumber"] == sequence(4)
    daemon.answer_checkpoint(request, error="ThrottlingException")
    retried = daemon.expect_checkpoint()  # the processor tries again
    assert retried == request
    daemon.answer_checkpoint(retried)
    daemon.expect_status("processRecords")
    assert stored(warehouse) == turn_ids(range(5))

    # A record that is not an event is stored as a dead letter; shutdown writes it first.
    daemon.process_records([record(5, data=b"not an avro event")])
    daemon.expect_status("processRecords")
    daemon.send({"action": "shutdownRequested"})
    request = daemon.expect_checkpoint()
    assert request["sequenceNumber"] is None  # after the last record delivered
    assert len(stored(warehouse)) == 6
    daemon.answer_checkpoint(request)
    daemon.expect_status("shutdownRequested")
    assert daemon.close() == 0
    with DuckDBSink(warehouse) as sink:
        [letter] = sink.query(
            "SELECT topic, payload FROM chat_events WHERE event_type = 'DeadLetter'"
        )
    assert letter["topic"] == "chat.deadletter"
    assert sequence(5) in json.loads(letter["payload"])["error_message"]


def test_a_new_lease_owner_resumes_and_checkpoints_the_shard_end(
    daemon: Daemon, warehouse: Path
) -> None:
    daemon.initialize()
    daemon.process_records([record(n) for n in range(3)])
    daemon.answer_checkpoint(daemon.expect_checkpoint())
    daemon.expect_status("processRecords")
    assert daemon.close() == 0

    # The next owner starts from the checkpoint; the KCL may hand it the last record again.
    owner = Daemon(warehouse, batch_size=3)
    try:
        owner.initialize(sequence(2))
        owner.process_records([record(2), record(3)])
        owner.expect_status("processRecords")
        owner.send({"action": "shardEnded"})
        request = owner.expect_checkpoint()
        assert request["sequenceNumber"] is None  # SHARD_END
        assert stored(warehouse) == turn_ids(range(4))
        owner.answer_checkpoint(request)
        owner.expect_status("shardEnded")
        assert owner.close() == 0
    finally:
        owner.kill()


def test_a_lost_lease_neither_writes_nor_checkpoints(daemon: Daemon, warehouse: Path) -> None:
    daemon.initialize()
    daemon.process_records([record(0)])
    daemon.expect_status("processRecords")
    daemon.send({"action": "leaseLost"})
    daemon.expect_status("leaseLost")  # no checkpoint request in between
    assert daemon.close() == 0
    assert stored(warehouse) == []


def test_stray_output_stays_off_the_protocol_channel(warehouse: Path) -> None:
    child = Daemon(warehouse, batch_size=1)
    try:
        child.initialize()
        child.process_records([record(0)])
        child.answer_checkpoint(child.expect_checkpoint())
        child.expect_status("processRecords")
        assert child.close() == 0
    finally:
        child.kill()
    # Logs went to stderr; stdout carried protocol messages only (checked in receive()).
    assert b"processing shardId-000000000000" in child.stderr
    assert isinstance(chat_turn(0), ChatTurn)
