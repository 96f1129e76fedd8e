"""A plain boto3 consumer of the stream for local runs: every shard into the warehouse.

Production runs the KCL MultiLangDaemon (:mod:`connectors.kinesis.kcl`), which
balances shards over workers and keeps leases in DynamoDB. This reader is one
process reading every shard in turn, with its checkpoints in a small file:

* a shard starts after its checkpoint (``AFTER_SEQUENCE_NUMBER``), or at
  ``TRIM_HORIZON`` (``LATEST`` if so configured) when it has none;
* each ``GetRecords`` answer is written to the sink, and only then is its last
  sequence number stored as the checkpoint: at least once, and the sink skips
  known event ids, so a replay after a crash duplicates nothing;
* empty reads wait ``poll_interval_s``; a throttled shard backs off, doubling
  up to ``retry_max_s``; an expired iterator is fetched again;
* resharding: a shard whose end is reached is checkpointed as ``SHARD_END``, the
  shards are listed again, and a child is read once all its parents ended.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analytics import WarehouseSettings, WarehouseSink, flush_salvaging, sink_from_settings
from connectors.kinesis.checkpoints import SHARD_END, CheckpointStore, FileCheckpointStore
from connectors.kinesis.client import (
    DEPENDENCY_ERRORS,
    client_from_settings,
    ensure_stream,
    error_code,
    wrap,
)
from connectors.kinesis.exceptions import KinesisError, KinesisUnavailable
from connectors.kinesis.records import StreamRecord, to_rows
from connectors.kinesis.settings import KinesisSettings
from schemas import AvroCodec, default_codec

log = logging.getLogger(__name__)

_EXPIRED_ITERATOR = "ExpiredIteratorException"


@dataclass
class _Shard:
    shard_id: str
    parents: tuple[str, ...]
    ending_sequence_number: str | None
    position: str | None  # the checkpoint: last stored sequence number, or SHARD_END
    iterator: str | None = None
    backoff_s: float = 0.0
    next_read_at: float = 0.0

    @property
    def finished(self) -> bool:
        return self.position == SHARD_END


@dataclass
class ReaderStats:
    """Counters since the reader was made."""

    records: int = 0
    rows_written: int = 0
    """Rows the warehouse did not have yet (replays count 0)."""
    batches: int = 0
    throttled: int = 0
    shards_ended: list[str] = field(default_factory=list)


class KinesisShardReader:
    """Reads every shard of ``stream_name`` into ``sink``; see the module's notes."""

    def __init__(
        self,
        client: Any,
        stream_name: str,
        sink: WarehouseSink,
        checkpoints: CheckpointStore,
        *,
        codec: AvroCodec | None = None,
        initial_position: str = "TRIM_HORIZON",
        limit: int = 1000,
        poll_interval_s: float = 1.0,
        shard_sync_interval_s: float = 30.0,
        retry_base_s: float = 0.1,
        retry_max_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        write: Callable[[WarehouseSink, list[Any]], Awaitable[int]] = flush_salvaging,
    ) -> None:
        """``write`` stores a batch of rows (the default retries while the warehouse is down)."""
        if initial_position not in ("TRIM_HORIZON", "LATEST"):
            raise KinesisError(
                f"initial_position is TRIM_HORIZON or LATEST, not {initial_position}"
            )
        self._client = client
        self.stream_name = stream_name
        self._sink = sink
        self._checkpoints = checkpoints
        self._codec = codec or default_codec()
        self._initial_position = initial_position
        self._limit = limit
        self._poll_interval_s = poll_interval_s
        self._sync_interval_s = shard_sync_interval_s
        self._retry_base_s = retry_base_s
        self._retry_max_s = retry_max_s
        self._clock = clock
        self._write = write
        self._shards: dict[str, _Shard] = {}
        self._next_sync = 0.0
        self.stats = ReaderStats()

    @classmethod
    def from_settings(
        cls,
        settings: KinesisSettings,
        sink: WarehouseSink,
        *,
        client: Any = None,
        codec: AvroCodec | None = None,
        checkpoints: CheckpointStore | None = None,
        credentials: Mapping[str, str] | None = None,
    ) -> KinesisShardReader:
        return cls(
            client
            if client is not None
            else client_from_settings(settings, credentials=credentials),
            settings.stream_name,
            sink,
            checkpoints or FileCheckpointStore(settings.checkpoint_path),
            codec=codec,
            initial_position=settings.initial_position,
            limit=settings.get_records_limit,
            poll_interval_s=settings.poll_interval_s,
            shard_sync_interval_s=settings.shard_sync_interval_s,
            retry_base_s=settings.retry_base_s,
            retry_max_s=settings.retry_max_s,
        )

    @property
    def shard_positions(self) -> dict[str, str | None]:
        """Each known shard's checkpoint (None: not read yet)."""
        return {shard.shard_id: shard.position for shard in self._shards.values()}

    async def run(self, stop: asyncio.Event) -> None:
        """Read until ``stop`` is set; a batch in flight is written and checkpointed first."""
        failures = 0
        while not stop.is_set():
            try:
                read = await self.poll()
                failures = 0
            except KinesisUnavailable as exc:
                failures += 1
                read = 0
                log.warning("Kinesis unavailable (%d in a row): %s", failures, exc)
            if read == 0:
                wait = self._poll_interval_s if failures == 0 else self._backoff(failures)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)

    async def poll(self) -> int:
        """One ``GetRecords`` on each shard that can be read now; return the records read."""
        if self._clock() >= self._next_sync:
            await self.sync_shards()
        read = 0
        for shard in list(self._shards.values()):
            if self._readable(shard) and self._clock() >= shard.next_read_at:
                read += await self._read(shard)
        return read

    async def sync_shards(self) -> None:
        """List the stream's shards; learn new ones (children after a reshard) and closed ones."""
        listed: dict[str, dict[str, Any]] = {}
        arguments: dict[str, Any] = {"StreamName": self.stream_name}
        while True:
            page = await self._call("ListShards", self._client.list_shards, **arguments)
            for shard in page.get("Shards", []):
                listed[shard["ShardId"]] = shard
            token = page.get("NextToken")
            if not token:
                break
            arguments = {"NextToken": token}  # ListShards takes no stream name with a token
        for shard_id, description in listed.items():
            ending = description.get("SequenceNumberRange", {}).get("EndingSequenceNumber")
            known = self._shards.get(shard_id)
            if known is not None:
                known.ending_sequence_number = ending
                continue
            parents = tuple(
                parent
                for parent in (
                    description.get("ParentShardId"),
                    description.get("AdjacentParentShardId"),
                )
                if parent
            )
            position = await asyncio.to_thread(self._checkpoints.load, self.stream_name, shard_id)
            self._shards[shard_id] = _Shard(shard_id, parents, ending, position)
        for gone in set(self._shards) - set(listed):
            # Past the retention period: nothing left to read.
            del self._shards[gone]
        self._next_sync = self._clock() + self._sync_interval_s

    def _readable(self, shard: _Shard) -> bool:
        """Not ended, and every parent still in the stream has ended (order per session)."""
        if shard.finished:
            return False
        return all(
            self._shards[parent].finished for parent in shard.parents if parent in self._shards
        )

    async def _read(self, shard: _Shard) -> int:
        try:
            if shard.iterator is None:
                shard.iterator = await self._iterator(shard)
            response = await self._call(
                "GetRecords",
                self._client.get_records,
                ShardIterator=shard.iterator,
                Limit=self._limit,
            )
        except KinesisUnavailable as exc:
            self._back_off(shard, exc)
            return 0
        except KinesisError as exc:
            if error_code(exc.__cause__ or exc) != _EXPIRED_ITERATOR:
                raise
            log.info("iterator of %s expired; fetching a new one", shard.shard_id)
            shard.iterator = None
            return 0
        shard.backoff_s = 0.0
        records = response.get("Records", [])
        if records:
            await self._store(shard, records)
        shard.iterator = response.get("NextShardIterator")
        if shard.iterator is None or self._drained(shard, records):
            await self._end(shard)
        return len(records)

    async def _store(self, shard: _Shard, records: list[dict[str, Any]]) -> None:
        """Write the rows of ``records``, then checkpoint at the last one."""
        batch = [
            StreamRecord(
                shard_id=shard.shard_id,
                sequence_number=str(record["SequenceNumber"]),
                partition_key=str(record["PartitionKey"]),
                data=bytes(record["Data"]),
                arrived_at=record.get("ApproximateArrivalTimestamp"),
            )
            for record in records
        ]
        rows = to_rows(self._codec, self.stream_name, batch)
        self.stats.rows_written += await self._write(self._sink, rows)
        last = batch[-1].sequence_number
        await self._save(shard, last)
        self.stats.records += len(batch)
        self.stats.batches += 1

    def _drained(self, shard: _Shard, records: list[dict[str, Any]]) -> bool:
        """A closed shard read past its last record.

        Kinesis says so with no ``NextShardIterator``; moto never does, so a
        closed shard that answers nothing at or after its ending sequence number
        (0 when moto moved its records to the children) counts as ended too.
        """
        ending = shard.ending_sequence_number
        if ending is None or records or not ending.isdigit():
            return False
        if int(ending) == 0:
            return True
        position = shard.position
        return position is not None and position.isdigit() and int(position) >= int(ending)

    async def _end(self, shard: _Shard) -> None:
        log.info("shard %s of %s ended", shard.shard_id, self.stream_name)
        await self._save(shard, SHARD_END)
        shard.iterator = None
        self.stats.shards_ended.append(shard.shard_id)
        self._next_sync = self._clock()  # list again now: its children can start

    async def _save(self, shard: _Shard, position: str) -> None:
        await asyncio.to_thread(self._checkpoints.save, self.stream_name, shard.shard_id, position)
        shard.position = position

    async def _iterator(self, shard: _Shard) -> str:
        arguments: dict[str, Any] = {"StreamName": self.stream_name, "ShardId": shard.shard_id}
        if shard.position is not None:
            arguments |= {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "StartingSequenceNumber": shard.position,
            }
        elif any(parent in self._shards for parent in shard.parents):
            # A child of a shard read here: LATEST would skip what arrived since the split.
            arguments["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            arguments["ShardIteratorType"] = self._initial_position
        response = await self._call(
            "GetShardIterator", self._client.get_shard_iterator, **arguments
        )
        return str(response["ShardIterator"])

    def _back_off(self, shard: _Shard, exc: KinesisError) -> None:
        self.stats.throttled += 1
        shard.backoff_s = min(self._retry_max_s, max(self._retry_base_s, shard.backoff_s * 2))
        shard.next_read_at = self._clock() + shard.backoff_s
        log.warning("reading %s backs off %.2f s: %s", shard.shard_id, shard.backoff_s, exc)

    def _backoff(self, failures: int) -> float:
        return float(min(self._retry_max_s, self._retry_base_s * 2 ** (failures - 1)))

    async def _call(self, name: str, method: Callable[..., Any], **arguments: Any) -> Any:
        try:
            return await asyncio.to_thread(method, **arguments)
        except DEPENDENCY_ERRORS as exc:
            raise wrap(exc, f"{name} on {self.stream_name} failed") from exc


async def run_shard_reader(
    settings: KinesisSettings,
    sink: WarehouseSink,
    stop_event: asyncio.Event,
    *,
    client: Any = None,
    codec: AvroCodec | None = None,
    checkpoints: CheckpointStore | None = None,
    credentials: Mapping[str, str] | None = None,
) -> ReaderStats:
    """Read the stream of ``settings`` into ``sink`` until ``stop_event`` is set.

    The caller has run ``sink.setup()``. A client made here is closed at the end.
    """
    owns_client = client is None
    if client is None:
        client = client_from_settings(settings, credentials=credentials)
    reader = KinesisShardReader.from_settings(
        settings, sink, client=client, codec=codec, checkpoints=checkpoints
    )
    try:
        await reader.run(stop_event)
    finally:
        if owns_client:
            await asyncio.to_thread(client.close)
    return reader.stats


def reader_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of a ``mangaassist kinesis-reader`` command: the stream into the warehouse.

    Settings come from ``MANGAASSIST_KINESIS_*`` and ``MANGAASSIST_WAREHOUSE_*``;
    SIGINT or SIGTERM stops it after the batch in flight is written and checkpointed.
    """
    parser = argparse.ArgumentParser(
        prog="mangaassist kinesis-reader",
        description="Read every shard of the Kinesis stream into the analytics warehouse.",
    )
    parser.add_argument(
        "--create-stream",
        action="store_true",
        help="create the stream first if it is missing (local runs: moto, kinesalite)",
    )
    parser.add_argument(
        "--drain",
        action="store_true",
        help="stop once a round of reads finds nothing new, instead of running until stopped",
    )
    args = parser.parse_args(argv)
    settings = KinesisSettings()
    warehouse = WarehouseSettings()
    client = client_from_settings(settings)
    try:
        if args.create_stream:
            ensure_stream(client, settings.stream_name, settings.shards)
        with sink_from_settings(warehouse) as sink:
            sink.setup()
            stats = asyncio.run(_read(settings, sink, client, drain=args.drain))
    finally:
        client.close()
    print(
        f"{stats.records} records read, {stats.rows_written} new rows, "
        f"{len(stats.shards_ended)} shards ended",
        file=sys.stderr,
    )
    return 0


async def _read(
    settings: KinesisSettings, sink: WarehouseSink, client: Any, *, drain: bool
) -> ReaderStats:
    if drain:
        reader = KinesisShardReader.from_settings(settings, sink, client=client)
        while await reader.poll():
            pass
        return reader.stats
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return await run_shard_reader(settings, sink, stop, client=client)
