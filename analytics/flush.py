"""Writing batches to the warehouse without blocking the event loop, and without losing any."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.rows import EventRow
from analytics.sink import WarehouseSink

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retry:
    """A write that found the warehouse unavailable and will be tried again."""

    attempt: int
    """How many attempts failed so far (1 for the first)."""
    delay_s: float
    """How long until the next attempt."""
    rows: int
    error: WarehouseUnavailable


OnRetry = Callable[[Retry], Awaitable[None]]


async def log_retry(retry: Retry) -> None:
    """The default :data:`OnRetry`: one warning per failed attempt."""
    logger.warning(
        "warehouse unavailable (attempt %d), retrying %d rows in %.1f s: %s",
        retry.attempt,
        retry.rows,
        retry.delay_s,
        retry.error,
    )


async def flush_in_thread(
    sink: WarehouseSink,
    rows: Sequence[EventRow],
    *,
    first_retry_s: float = 0.2,
    max_retry_s: float = 5.0,
    on_retry: OnRetry = log_retry,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Write ``rows`` from a worker thread; return how many were new.

    While the warehouse is unavailable the write is retried forever, the wait
    doubling from ``first_retry_s`` up to ``max_retry_s``, so no accepted event is
    lost (writes are idempotent, so retrying is safe); ``on_retry`` hears of each
    failed attempt (by default it logs a warning). Other warehouse errors are
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
            await on_retry(Retry(attempt, delay, len(rows), exc))
        await sleep(delay)
        delay = min(delay * 2, max_retry_s)
        attempt += 1


async def flush_salvaging(
    sink: WarehouseSink, rows: Sequence[EventRow], *, on_retry: OnRetry = log_retry
) -> int:
    """Like :func:`flush_in_thread`, but a rejected batch is retried row by row.

    One bad row must not stop the sink or take its batch down with it: each row
    the warehouse still refuses is logged with its event id and skipped.
    """
    try:
        return await flush_in_thread(sink, rows, on_retry=on_retry)
    except WarehouseError as exc:
        logger.error(
            "warehouse rejected a batch of %d rows (%s); writing one by one", len(rows), exc
        )
    written = 0
    for row in rows:
        try:
            written += await flush_in_thread(sink, [row], on_retry=on_retry)
        except WarehouseError as exc:
            logger.error("warehouse rejected event %s (%s): %s", row.event_id, row.event_type, exc)
    return written
