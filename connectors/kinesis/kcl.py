"""The KCL v3 record processor: Kinesis records into the warehouse, checkpointed after each write.

The MultiLangDaemon starts ``mangaassist kcl-processor`` (:func:`kcl_main`) once
per shard lease (see ``deploy/kinesis/mangaassist.properties``). Records are
decoded with the Avro codec into warehouse rows and buffered; once
``batch_size`` rows are buffered, or the oldest waited ``batch_age_s``, they
are written and only then checkpointed (at least once). The sink skips known
event ids, so what a new lease owner reads again from the last checkpoint
never makes a second row. A shard end and a requested shutdown write what is
buffered and checkpoint; a lost lease drops the buffer (the next owner reads it
again) and cannot checkpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import sys
import time
from collections.abc import Callable, Sequence

from analytics import (
    EventRow,
    WarehouseSettings,
    WarehouseSink,
    flush_salvaging,
    sink_from_settings,
)
from connectors.kinesis.multilang import (
    Checkpointer,
    CheckpointError,
    InitializeInput,
    KCLProcess,
    LeaseLostInput,
    ProcessRecordsInput,
    RecordProcessorBase,
    ShardEndedInput,
    ShutdownRequestedInput,
)
from connectors.kinesis.records import StreamRecord, to_rows
from connectors.kinesis.settings import KinesisSettings
from mangaassist.errors import MangaAssistError
from schemas import AvroCodec, default_codec

log = logging.getLogger(__name__)


class WarehouseRecordProcessor(RecordProcessorBase):
    """Writes one shard's records to the warehouse; see the module's notes."""

    def __init__(
        self,
        sink: WarehouseSink,
        codec: AvroCodec,
        stream_name: str,
        *,
        batch_size: int = 500,
        batch_age_s: float = 0.5,
        checkpoint_attempts: int = 5,
        checkpoint_retry_s: float = 1.0,
        close_sink_after_write: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``close_sink_after_write``: release the DuckDB file between writes, so the
        daemon's processes for other shards (and readers) can open it in turn."""
        self._sink = sink
        self._codec = codec
        self.stream_name = stream_name
        self._batch_size = batch_size
        self._batch_age_s = batch_age_s
        self._checkpoint_attempts = checkpoint_attempts
        self._checkpoint_retry_s = checkpoint_retry_s
        self._close_sink = close_sink_after_write
        self._clock = clock
        self._sleep = sleep
        self._runner = asyncio.Runner()
        self.shard_id = ""
        self._rows: list[EventRow] = []
        self._last: tuple[str, int] | None = None  # sequence and sub-sequence of the last row
        self._since: float | None = None  # when the oldest buffered row arrived
        self.rows_written = 0

    def initialize(self, initialize_input: InitializeInput) -> None:
        self.shard_id = initialize_input.shard_id
        self._drop()
        log.info(
            "processing %s of %s from checkpoint %s",
            self.shard_id,
            self.stream_name,
            initialize_input.sequence_number,
        )

    def process_records(self, process_records_input: ProcessRecordsInput) -> None:
        records = [
            StreamRecord(
                shard_id=self.shard_id,
                sequence_number=record.sequence_number,
                partition_key=record.partition_key,
                data=record.binary_data,
                sub_sequence_number=record.sub_sequence_number,
                arrived_at=record.approximate_arrival_timestamp,
            )
            for record in process_records_input.records
        ]
        if records:
            self._rows.extend(to_rows(self._codec, self.stream_name, records))
            self._last = (records[-1].sequence_number, records[-1].sub_sequence_number)
            if self._since is None:
                self._since = self._clock()
        if self._due():
            last = self._last
            self._write()
            if last is not None:
                self._checkpoint(process_records_input.checkpointer, *last)

    def lease_lost(self, lease_lost_input: LeaseLostInput) -> None:
        if self._rows:
            log.info("lease of %s lost; %d unwritten rows left", self.shard_id, len(self._rows))
        self._drop()

    def shard_ended(self, shard_ended_input: ShardEndedInput) -> None:
        # Without this checkpoint the KCL does not start the child shards.
        self._write()
        self._checkpoint(shard_ended_input.checkpointer)

    def shutdown_requested(self, shutdown_requested_input: ShutdownRequestedInput) -> None:
        self._write()
        self._checkpoint(shutdown_requested_input.checkpointer)

    def close(self) -> None:
        """Release the event loop the writes run on."""
        self._runner.close()

    def _due(self) -> bool:
        if not self._rows:
            return False
        if len(self._rows) >= self._batch_size:
            return True
        return self._since is not None and self._clock() - self._since >= self._batch_age_s

    def _write(self) -> None:
        """Write every buffered row, ``batch_size`` at a time; rows the warehouse rejects
        are logged and skipped, and an unavailable warehouse is waited for."""
        for start in range(0, len(self._rows), self._batch_size):
            chunk = self._rows[start : start + self._batch_size]
            self.rows_written += self._runner.run(flush_salvaging(self._sink, chunk))
        if self._rows and self._close_sink:
            self._sink.close()
        self._drop()

    def _drop(self) -> None:
        self._rows = []
        self._last = None
        self._since = None

    def _checkpoint(
        self, checkpointer: Checkpointer, sequence: str | None = None, sub: int | None = None
    ) -> None:
        for attempt in range(1, self._checkpoint_attempts + 1):
            try:
                checkpointer.checkpoint(sequence, sub)
                return
            except CheckpointError as exc:
                if exc.value == "ShutdownException":
                    log.info("lease of %s moved on; not checkpointing", self.shard_id)
                    return
                if attempt == self._checkpoint_attempts:
                    # The rows are written; the next checkpoint covers them.
                    log.error(
                        "checkpoint of %s at %s failed %d times (%s); giving up for now",
                        self.shard_id,
                        sequence,
                        attempt,
                        exc.value,
                    )
                    return
                log.warning("checkpoint of %s failed (%s); retrying", self.shard_id, exc.value)
                self._sleep(self._checkpoint_retry_s * attempt)


def kcl_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``mangaassist kcl-processor``, the MultiLangDaemon's child process.

    Stdout belongs to the protocol: anything else printed goes to stderr.
    The warehouse comes from ``MANGAASSIST_WAREHOUSE_*``, the stream name (for
    dead letters) from ``MANGAASSIST_KINESIS_STREAM_NAME``.
    """
    parser = argparse.ArgumentParser(
        prog="mangaassist kcl-processor",
        description="KCL MultiLangDaemon record processor: a shard into the analytics warehouse.",
    )
    parser.add_argument("--log-level", default="INFO", help="Logging level (to stderr).")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger().setLevel(args.log_level.upper())  # also when `mangaassist` set it up
    protocol_in = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
    protocol_out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", write_through=True)
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        warehouse = WarehouseSettings()
        sink = sink_from_settings(warehouse)
        duckdb = sink.engine == "duckdb"
        sink.setup()
        if duckdb:
            sink.close()
        processor = WarehouseRecordProcessor(
            sink,
            default_codec(),
            KinesisSettings().stream_name,
            batch_size=warehouse.batch_size,
            batch_age_s=warehouse.batch_age_s,
            close_sink_after_write=duckdb,
        )
        try:
            KCLProcess(processor, protocol_in, protocol_out, sys.stderr).run()
        finally:
            processor.close()
            sink.close()
    except MangaAssistError as exc:
        log.error("kcl-processor stopped: %s", exc)
        return 1
    finally:
        sys.stdout = real_stdout
    return 0


if __name__ == "__main__":
    raise SystemExit(kcl_main())
