"""The KCL MultiLangDaemon's record-processor protocol, spoken over stdin and stdout.

The daemon (Java, ``software.amazon.kinesis.multilang.MultiLangDaemon``)
starts one child process per shard lease and writes it one JSON message per
line; the child answers each with ``{"action": "status", "responseFor": ...}``.
While it handles a message, the child may ask for a checkpoint with
``{"action": "checkpoint", "sequenceNumber": ..., "subSequenceNumber": ...}``;
the daemon checkpoints in its lease table and echoes the message back, with an
``error`` naming the Java exception when it failed.

Messages the daemon sends (KCL 2.x and 3.x)::

    {"action": "initialize", "shardId": "...", "sequenceNumber": "...", "subSequenceNumber": 0}
    {"action": "processRecords", "millisBehindLatest": 0, "records": [
        {"action": "record", "data": "<base64>", "partitionKey": "...",
         "sequenceNumber": "...", "subSequenceNumber": 0,
         "approximateArrivalTimestamp": 1700000000000}]}
    {"action": "leaseLost"}
    {"action": "shardEnded"}
    {"action": "shutdownRequested"}

This module mirrors ``amazon_kclpy`` (``kcl.KCLProcess``, ``kcl.Checkpointer``,
``messages.*`` and ``v3.processor.RecordProcessorBase``): the same names,
methods and behaviour, typed. ``amazon-kclpy`` itself cannot be installed where
Maven Central is out of reach, as its build downloads the daemon's jars; the
daemon only needs the child to speak this protocol, not that library.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import traceback
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TextIO

from connectors.kinesis.exceptions import KinesisError

log = logging.getLogger(__name__)


class CheckpointError(KinesisError):
    """The daemon could not checkpoint; ``value`` names its exception.

    ``ShutdownException`` (the lease moved to another worker), ``ThrottlingException``
    (the lease table is busy: try again), ``InvalidStateException`` (the daemon is in
    a state where checkpointing cannot work), or another KCL exception name.
    """

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


class ProtocolError(KinesisError):
    """The daemon sent a message this process does not understand."""


@dataclass(frozen=True, slots=True)
class Record:
    """One Kinesis record as the daemon hands it over; ``data`` is base64 text."""

    data: str
    partition_key: str
    sequence_number: str
    sub_sequence_number: int = 0
    approximate_arrival_timestamp: datetime | None = None

    @property
    def binary_data(self) -> bytes:
        return base64.b64decode(self.data)

    @classmethod
    def from_json(cls, message: Mapping[str, Any]) -> Record:
        arrival = message.get("approximateArrivalTimestamp")
        return cls(
            data=str(message.get("data") or ""),
            partition_key=str(message["partitionKey"]),
            sequence_number=str(message["sequenceNumber"]),
            sub_sequence_number=int(message.get("subSequenceNumber") or 0),
            approximate_arrival_timestamp=(
                None if arrival is None else datetime.fromtimestamp(int(arrival) / 1000, UTC)
            ),
        )


class Checkpointer:
    """Asks the daemon to checkpoint, and waits for its answer."""

    def __init__(self, io: _IOHandler) -> None:
        self._io = io

    def checkpoint(
        self, sequence_number: str | None = None, sub_sequence_number: int | None = None
    ) -> None:
        """Checkpoint at ``sequence_number``; with None, after the last record delivered.

        Raises :class:`CheckpointError` when the daemon reports an error.
        """
        self._io.write_message(
            {
                "action": "checkpoint",
                "sequenceNumber": sequence_number,
                "subSequenceNumber": sub_sequence_number,
            }
        )
        answer = self._io.read_message()
        if answer is None or answer.get("action") != "checkpoint":
            # The daemon never interleaves another message: the protocol is broken.
            raise CheckpointError("InvalidStateException")
        error = answer.get("error")
        if error:
            raise CheckpointError(str(error))


@dataclass(frozen=True)
class InitializeInput:
    shard_id: str
    sequence_number: str | None
    sub_sequence_number: int | None
    action: ClassVar[str] = "initialize"


@dataclass(frozen=True)
class ProcessRecordsInput:
    records: list[Record]
    millis_behind_latest: int | None
    checkpointer: Checkpointer
    action: ClassVar[str] = "processRecords"


@dataclass(frozen=True)
class LeaseLostInput:
    """The lease moved to another worker: checkpointing is no longer possible."""

    action: ClassVar[str] = "leaseLost"


@dataclass(frozen=True)
class ShardEndedInput:
    """The shard was split or merged and read to its end: checkpoint, or it is read again."""

    checkpointer: Checkpointer
    action: ClassVar[str] = "shardEnded"


@dataclass(frozen=True)
class ShutdownRequestedInput:
    """The worker is stopping: the last chance to checkpoint before the lease is released."""

    checkpointer: Checkpointer
    action: ClassVar[str] = "shutdownRequested"


class RecordProcessorBase(ABC):
    """A v3 record processor (``amazon_kclpy.v3.processor.RecordProcessorBase``).

    ``initialize`` once, ``process_records`` zero or more times, then one of
    ``lease_lost``, ``shard_ended`` or ``shutdown_requested``.
    """

    version: ClassVar[int] = 3

    @abstractmethod
    def initialize(self, initialize_input: InitializeInput) -> None: ...

    @abstractmethod
    def process_records(self, process_records_input: ProcessRecordsInput) -> None: ...

    @abstractmethod
    def lease_lost(self, lease_lost_input: LeaseLostInput) -> None: ...

    @abstractmethod
    def shard_ended(self, shard_ended_input: ShardEndedInput) -> None: ...

    @abstractmethod
    def shutdown_requested(self, shutdown_requested_input: ShutdownRequestedInput) -> None: ...


class _IOHandler:
    def __init__(self, input_file: TextIO, output_file: TextIO, error_file: TextIO) -> None:
        self.input_file = input_file
        self.output_file = output_file
        self.error_file = error_file

    def read_message(self) -> dict[str, Any] | None:
        """The next message, or None at the end of input; blank lines are skipped."""
        while True:
            line = self.input_file.readline()
            if not line:
                return None
            if line.strip():
                break
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise ProtocolError(f"the daemon sent a line that is not JSON: {line!r}") from exc
        if not isinstance(message, dict) or "action" not in message:
            raise ProtocolError(f"the daemon sent a message without an action: {line!r}")
        return message

    def write_message(self, message: Mapping[str, Any]) -> None:
        # Blank lines around it: whatever else reaches stdout cannot join the message's line
        # (the daemon skips lines it cannot parse).
        self.output_file.write(f"\n{json.dumps(message)}\n")
        self.output_file.flush()


class KCLProcess:
    """Runs a record processor for one shard until the daemon closes stdin."""

    def __init__(
        self,
        record_processor: RecordProcessorBase,
        input_file: TextIO = sys.stdin,
        output_file: TextIO = sys.stdout,
        error_file: TextIO = sys.stderr,
    ) -> None:
        self.processor = record_processor
        self.io = _IOHandler(input_file, output_file, error_file)
        self.checkpointer = Checkpointer(self.io)

    def run(self) -> None:
        """Handle messages until the end of input; each one is answered with a status."""
        while (message := self.io.read_message()) is not None:
            action = str(message["action"])
            try:
                self._dispatch(action, message)
            except ProtocolError:
                raise
            except Exception as exc:
                # As amazon_kclpy: the processor's error is reported and the status still
                # sent, so the daemon goes on; what was not checkpointed is delivered again.
                self.io.error_file.write(f"Caught exception from action dispatch: {exc}\n")
                traceback.print_exc(file=self.io.error_file)
                self.io.error_file.flush()
            self.io.write_message({"action": "status", "responseFor": action})

    def _dispatch(self, action: str, message: Mapping[str, Any]) -> None:
        processor = self.processor
        if action == "initialize":
            sub = message.get("subSequenceNumber")
            processor.initialize(
                InitializeInput(
                    shard_id=str(message["shardId"]),
                    sequence_number=message.get("sequenceNumber"),
                    sub_sequence_number=None if sub is None else int(sub),
                )
            )
        elif action == "processRecords":
            behind = message.get("millisBehindLatest")
            processor.process_records(
                ProcessRecordsInput(
                    records=[Record.from_json(record) for record in message.get("records", [])],
                    millis_behind_latest=None if behind is None else int(behind),
                    checkpointer=self.checkpointer,
                )
            )
        elif action == "leaseLost":
            processor.lease_lost(LeaseLostInput())
        elif action == "shardEnded":
            processor.shard_ended(ShardEndedInput(self.checkpointer))
        elif action == "shutdownRequested":
            processor.shutdown_requested(ShutdownRequestedInput(self.checkpointer))
        elif action == "shutdown":
            # The pre-v2 message: TERMINATE is a shard end, ZOMBIE a lost lease.
            if message.get("reason") == "TERMINATE":
                processor.shard_ended(ShardEndedInput(self.checkpointer))
            else:
                processor.lease_lost(LeaseLostInput())
        else:
            raise ProtocolError(f"the daemon sent an unknown action {action!r}")
