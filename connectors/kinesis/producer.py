"""Putting chat events on a Kinesis stream, in batches, retrying the records Kinesis refused.

Each record is one event in the Avro Confluent wire format (the bytes Kafka
carries), keyed by ``session_id`` so one session's events land on one shard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.kinesis.client import DEPENDENCY_ERRORS, client_from_settings, error_code, wrap
from connectors.kinesis.exceptions import (
    KinesisBufferFull,
    KinesisError,
    KinesisPutFailed,
    KinesisUnavailable,
)
from connectors.kinesis.settings import (
    MAX_BYTES_PER_PUT,
    MAX_BYTES_PER_RECORD,
    MAX_RECORDS_PER_PUT,
    KinesisSettings,
)
from schemas import AvroCodec, Event, default_codec

log = logging.getLogger(__name__)

MAX_PARTITION_KEY_CHARS = 256


@dataclass(frozen=True, slots=True)
class KinesisRecord:
    """One record as PutRecords takes it."""

    partition_key: str
    data: bytes

    @property
    def size(self) -> int:
        """What the record counts against the per-call and per-record limits."""
        return len(self.data) + len(self.partition_key.encode())

    def entry(self) -> dict[str, Any]:
        return {"Data": self.data, "PartitionKey": self.partition_key}


@dataclass(slots=True)
class _Pending:
    record: KinesisRecord
    since: float  # time.monotonic() when it was first buffered
    waiter: asyncio.Future[None] | None = None  # a sender waiting for Kinesis to store it


@dataclass
class ProducerStats:
    """Counters since the producer was made."""

    put_calls: int = 0
    delivered: int = 0
    retried: int = 0
    """Records sent again after Kinesis refused them (partial failures or a failed call)."""
    failed_flushes: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)


class KinesisProducer:
    """Buffers records and puts them with ``PutRecords``; boto3 calls run in a worker thread.

    A flush goes out when ``batch_size`` records or ``batch_max_bytes`` are
    buffered, when the oldest record has waited ``batch_age_s``, or at once
    when a sender waits for its record (``wait=True``); one background task
    does the age and waiting flushes, so records of concurrent senders that
    arrive while a call is in flight share the next one. Each call
    holds at most 500 records and 5 MiB. When Kinesis refuses some entries
    (``FailedRecordCount > 0``) only those are sent again, after a backoff that
    doubles from ``retry_base_s`` to ``retry_max_s`` (with jitter), up to
    ``max_attempts`` calls; whatever is still refused then raises
    :class:`KinesisPutFailed` and stays buffered for the next flush. Nothing is
    dropped: when ``max_pending_records`` are undelivered, :meth:`send` raises
    :class:`KinesisBufferFull` instead of taking more.

    Ordering: a retried record can land after a later record of the same
    session (as with any PutRecords producer). The warehouse orders by ``ts``.
    """

    def __init__(
        self,
        client: Any,
        stream_name: str,
        *,
        codec: AvroCodec | None = None,
        batch_size: int = MAX_RECORDS_PER_PUT,
        batch_max_bytes: int = MAX_BYTES_PER_PUT,
        batch_age_s: float = 0.05,
        max_pending_records: int = 10_000,
        max_attempts: int = 6,
        retry_base_s: float = 0.1,
        retry_max_s: float = 5.0,
        owns_client: bool = False,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """``sleep`` waits out a retry backoff and ``jitter`` returns [0, 1): tests replace them."""
        if not 1 <= batch_size <= MAX_RECORDS_PER_PUT:
            raise KinesisError(f"batch_size must be 1..{MAX_RECORDS_PER_PUT}, not {batch_size}")
        if not MAX_BYTES_PER_RECORD <= batch_max_bytes <= MAX_BYTES_PER_PUT:
            raise KinesisError(
                f"batch_max_bytes must be {MAX_BYTES_PER_RECORD}..{MAX_BYTES_PER_PUT}, "
                f"not {batch_max_bytes}"
            )
        if max_attempts < 1:
            raise KinesisError(f"max_attempts must be at least 1, not {max_attempts}")
        self._client = client
        self.stream_name = stream_name
        self._codec = codec
        self._batch_size = batch_size
        self._batch_max_bytes = batch_max_bytes
        self._batch_age_s = batch_age_s
        self._max_pending = max_pending_records
        self._max_attempts = max_attempts
        self._retry_base_s = retry_base_s
        self._retry_max_s = retry_max_s
        self._owns_client = owns_client
        self._sleep = sleep
        self._jitter = jitter
        self._pending: deque[_Pending] = deque()
        self._pending_bytes = 0
        self._lock = asyncio.Lock()
        self._wakeup = asyncio.Event()
        self._waiting = 0  # buffered records whose sender waits
        self._ticker: asyncio.Task[None] | None = None
        self._closed = False
        self.stats = ProducerStats()
        self.last_error: KinesisError | None = None
        """The error of the latest failed background (age) flush, if any."""

    @classmethod
    def from_settings(
        cls,
        settings: KinesisSettings,
        *,
        client: Any = None,
        codec: AvroCodec | None = None,
        credentials: Mapping[str, str] | None = None,
    ) -> KinesisProducer:
        """A producer configured by ``settings``; it owns (and closes) the client it makes."""
        owns = client is None
        if client is None:
            client = client_from_settings(settings, credentials=credentials)
        return cls(
            client,
            settings.stream_name,
            codec=codec,
            batch_size=settings.batch_size,
            batch_max_bytes=settings.batch_max_bytes,
            batch_age_s=settings.batch_age_s,
            max_pending_records=settings.max_pending_records,
            max_attempts=settings.put_max_attempts,
            retry_base_s=settings.retry_base_s,
            retry_max_s=settings.retry_max_s,
            owns_client=owns,
        )

    @property
    def pending(self) -> int:
        """Records buffered and not yet stored by Kinesis."""
        return len(self._pending)

    async def send(self, event: Event, *, wait: bool = False) -> None:
        """Buffer ``event`` (Avro wire format, keyed by its session); see :meth:`send_raw`."""
        if self._codec is None:
            self._codec = default_codec()
        await self.send_raw(event.session_id, self._codec.encode(event), wait=wait)

    async def send_raw(self, partition_key: str, data: bytes, *, wait: bool = False) -> None:
        """Buffer one record; with ``wait``, return only once Kinesis stored it.

        Without ``wait`` it returns once the record is buffered, or once its
        batch is stored when it filled one. Raises :class:`KinesisBufferFull`
        (the record is not taken), :class:`KinesisPutFailed` when a flush gave
        up on it (the record stays buffered and goes out with a later flush), or
        :class:`KinesisError` for a record Kinesis can never take.
        """
        if self._closed:
            raise KinesisError("the producer is closed")
        record = KinesisRecord(partition_key, data)
        if not 1 <= len(partition_key) <= MAX_PARTITION_KEY_CHARS:
            raise KinesisError(
                f"a partition key has 1..{MAX_PARTITION_KEY_CHARS} characters, "
                f"not {len(partition_key)}"
            )
        if record.size > MAX_BYTES_PER_RECORD:
            raise KinesisError(
                f"a record of {record.size} bytes is over Kinesis' {MAX_BYTES_PER_RECORD} bytes"
            )
        if len(self._pending) >= self._max_pending:
            raise KinesisBufferFull(
                f"{len(self._pending)} records are waiting for Kinesis; not taking more "
                f"(last error: {self.last_error})"
            )
        pending = _Pending(record, time.monotonic())
        self._pending.append(pending)
        self._pending_bytes += record.size
        self._start_ticker()
        if wait:
            pending.waiter = asyncio.get_running_loop().create_future()
            self._waiting += 1
            self._wakeup.set()
            await pending.waiter
        elif len(self._pending) >= self._batch_size or self._pending_bytes >= self._batch_max_bytes:
            await self.flush()

    async def flush(self) -> None:
        """Put every buffered record; return once Kinesis stored them all.

        Raises :class:`KinesisPutFailed` when records are still refused after
        ``max_attempts`` calls (they stay buffered), :class:`KinesisError` when
        Kinesis refused the call itself (missing stream, access denied; the
        records stay buffered too).
        """
        async with self._lock:
            while self._pending:
                await self._put(self._take_batch())

    async def aclose(self) -> None:
        """Flush and stop; a record that cannot be delivered now raises :class:`KinesisPutFailed`.

        The client is closed when the producer made it. Records still held
        after a failed final flush are available from :meth:`drain_undelivered`.
        """
        if self._closed:
            return
        self._closed = True
        if self._ticker is not None:
            # Under the lock the ticker is not in the middle of a PutRecords call:
            # cancelling one could resend records Kinesis already has.
            async with self._lock:
                self._ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._ticker
            self._ticker = None
        try:
            await self.flush()
        finally:
            if self._owns_client:
                await asyncio.to_thread(self._client.close)

    def drain_undelivered(self) -> list[KinesisRecord]:
        """Take the records Kinesis has not stored, to spool them after a failed :meth:`aclose`."""
        records = [pending.record for pending in self._pending]
        self._fail_waiters(list(self._pending), KinesisError("the record was taken out unsent"))
        self._pending.clear()
        self._pending_bytes = 0
        return records

    def _settle(self, delivered: list[_Pending]) -> None:
        for pending in delivered:
            if pending.waiter is not None:
                self._waiting -= 1
                if not pending.waiter.done():
                    pending.waiter.set_result(None)
                pending.waiter = None

    def _fail_waiters(self, records: list[_Pending], error: BaseException) -> None:
        """Tell waiting senders; their records stay buffered, and are no longer waited for."""
        for pending in records:
            if pending.waiter is not None:
                self._waiting -= 1
                if not pending.waiter.done():
                    pending.waiter.set_exception(error)
                    pending.waiter.exception()  # retrieved: a cancelled sender must not warn
                pending.waiter = None

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        size = 0
        while self._pending and len(batch) < self._batch_size:
            head = self._pending[0]
            if batch and size + head.record.size > self._batch_max_bytes:
                break
            batch.append(self._pending.popleft())
            size += head.record.size
        self._pending_bytes -= size
        return batch

    def _requeue(self, records: list[_Pending]) -> None:
        self._pending.extendleft(reversed(records))
        self._pending_bytes += sum(pending.record.size for pending in records)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._retry_max_s, self._retry_base_s * 2 ** (attempt - 1))
        return float(ceiling * (0.5 + self._jitter() / 2))

    async def _put(self, batch: list[_Pending]) -> None:
        """Put ``batch``, sending again only what Kinesis refused; requeue what never went."""
        remaining = batch
        codes: Counter[str] = Counter()
        cause: BaseException | None = None
        for attempt in range(1, self._max_attempts + 1):
            if attempt > 1:
                await self._sleep(self._backoff(attempt - 1))
                self.stats.retried += len(remaining)
            try:
                remaining, codes = await self._put_once(remaining)
                cause = None
            except KinesisUnavailable as exc:
                codes = Counter({error_code(exc.__cause__ or exc): len(remaining)})
                cause = exc
            except BaseException as exc:
                # Refused for good (or cancelled): nothing is lost, the next flush tries again.
                self._requeue(remaining)
                if not isinstance(exc, asyncio.CancelledError):
                    self._fail_waiters(list(self._pending), exc)
                raise
            if not remaining:
                return
            self.stats.error_codes.update(codes)
            log.warning(
                "Kinesis refused %d of %d records (attempt %d of %d): %s",
                len(remaining),
                len(batch),
                attempt,
                self._max_attempts,
                dict(codes),
            )
        self._requeue(remaining)
        self.stats.failed_flushes += 1
        error = KinesisPutFailed(
            f"Kinesis stream {self.stream_name} still refused {len(remaining)} of {len(batch)} "
            f"records after {self._max_attempts} PutRecords attempts ({dict(codes)}); "
            f"{len(self._pending)} records stay buffered for the next flush",
            codes,
            undelivered=len(self._pending),
        )
        error.__cause__ = cause
        # Every waiting sender hears of it now, not only those whose record was in this batch.
        self._fail_waiters(list(self._pending), error)
        raise error

    async def _put_once(self, batch: list[_Pending]) -> tuple[list[_Pending], Counter[str]]:
        """One PutRecords call: the entries Kinesis refused, and their error codes."""
        self.stats.put_calls += 1
        try:
            response = await asyncio.to_thread(
                self._client.put_records,
                StreamName=self.stream_name,
                Records=[pending.record.entry() for pending in batch],
            )
        except DEPENDENCY_ERRORS as exc:
            raise wrap(exc, f"PutRecords on {self.stream_name} failed") from exc
        results = response.get("Records", [])
        if len(results) != len(batch):
            raise KinesisError(
                f"PutRecords answered {len(results)} results for {len(batch)} records"
            )
        refused: list[_Pending] = []
        delivered: list[_Pending] = []
        codes: Counter[str] = Counter()
        for pending, result in zip(batch, results, strict=True):
            code = result.get("ErrorCode")
            if code:
                refused.append(pending)
                codes[str(code)] += 1
            else:
                delivered.append(pending)
        self.stats.delivered += len(delivered)
        self._settle(delivered)
        if int(response.get("FailedRecordCount", len(refused))) != len(refused):
            log.warning(
                "PutRecords counted %s failed records but %d entries carry an error code",
                response.get("FailedRecordCount"),
                len(refused),
            )
        return refused, codes

    def _start_ticker(self) -> None:
        self._wakeup.set()
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(
                self._flush_by_age(), name=f"kinesis-producer-{self.stream_name}"
            )

    async def _flush_by_age(self) -> None:
        """Flush once the oldest buffered record has waited ``batch_age_s``, or a sender waits."""
        while True:
            self._wakeup.clear()
            if not self._pending:
                await self._wakeup.wait()
                continue
            if not self._waiting:
                due = self._pending[0].since + self._batch_age_s - time.monotonic()
                if due > 0:
                    await self._nap(due)
                    continue
            try:
                await self.flush()
            except KinesisError as exc:
                # The records stay buffered (waiting senders were told); a new waiting
                # sender ends the pause, the others wait for the next round.
                self.last_error = exc
                log.error("background flush to Kinesis failed: %s", exc)
                self._wakeup.clear()
                await self._nap(self._retry_max_s)

    async def _nap(self, seconds: float) -> None:
        """Sleep ``seconds``, or less if a record arrives."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
