"""Batching events for the warehouse, and flushing batches without blocking the event loop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from analytics.exceptions import WarehouseUnavailable
from analytics.rows import EventRow, to_row
from analytics.settings import WarehouseSettings
from analytics.sink import WarehouseSink
from schemas import Event

logger = logging.getLogger(__name__)


class Batcher:
    """Rows waiting for the warehouse; a batch is due when full or when its oldest row is old.

    Not thread-safe: meant for one asyncio task (the agent that adds and drains).
    """

    def __init__(
        self,
        batch_size: int,
        batch_age_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._batch_size = batch_size
        self._batch_age_s = batch_age_s
        self._clock = clock
        self._rows: list[EventRow] = []
        self._oldest_added_at = 0.0

    @classmethod
    def from_settings(cls, settings: WarehouseSettings) -> Batcher:
        return cls(settings.batch_size, settings.batch_age_s)

    def add(self, topic: str, event: Event) -> None:
        if not self._rows:
            self._oldest_added_at = self._clock()
        self._rows.append(to_row(topic, event))

    def due(self) -> bool:
        if not self._rows:
            return False
        return (
            len(self._rows) >= self._batch_size
            or self._clock() - self._oldest_added_at >= self._batch_age_s
        )

    def drain(self) -> list[EventRow]:
        """Every waiting row, oldest first; the batcher is empty afterwards."""
        rows, self._rows = self._rows, []
        return rows

    def __len__(self) -> int:
        return len(self._rows)


async def flush_in_thread(
    sink: WarehouseSink,
    rows: Sequence[EventRow],
    *,
    first_retry_s: float = 0.2,
    max_retry_s: float = 5.0,
) -> int:
    """Write ``rows`` from a worker thread; return how many were new.

    While the warehouse is unavailable the write is retried forever, the wait
    doubling from ``first_retry_s`` up to ``max_retry_s``, so no accepted event is
    lost (writes are idempotent, so retrying is safe). Other warehouse errors are
    raised: retrying a rejected batch would not help.
    """
    if not rows:
        return 0
    delay = first_retry_s
    attempt = 1
    while True:
        try:
            return await asyncio.to_thread(sink.write, rows)
        except WarehouseUnavailable as exc:
            logger.warning(
                "warehouse unavailable (attempt %d), retrying %d rows in %.1f s: %s",
                attempt,
                len(rows),
                delay,
                exc,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_retry_s)
        attempt += 1
