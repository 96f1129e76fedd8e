"""Writing batches to the warehouse without blocking the event loop, and without losing any."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.rows import EventRow
from analytics.sink import WarehouseSink

logger = logging.getLogger(__name__)


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


async def flush_salvaging(sink: WarehouseSink, rows: Sequence[EventRow]) -> int:
    """Like :func:`flush_in_thread`, but a rejected batch is retried row by row.

    One bad row must not stop the sink or take its batch down with it: each row
    the warehouse still refuses is logged with its event id and skipped.
    """
    try:
        return await flush_in_thread(sink, rows)
    except WarehouseError as exc:
        logger.error(
            "warehouse rejected a batch of %d rows (%s); writing one by one", len(rows), exc
        )
    written = 0
    for row in rows:
        try:
            written += await flush_in_thread(sink, [row])
        except WarehouseError as exc:
            logger.error("warehouse rejected event %s (%s): %s", row.event_id, row.event_type, exc)
    return written
