import asyncio
import logging

import pytest

from analytics import (
    Batcher,
    DuckDBSink,
    EventRow,
    WarehouseError,
    WarehouseSettings,
    WarehouseUnavailable,
    flush_in_thread,
    to_row,
)
from schemas import ChatTurn
from streams.topics import TURNS


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def turn(text: str = "こんにちは") -> ChatTurn:
    return ChatTurn(session_id="s", turn_id="t", text=text)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_empty_batcher_is_never_due(clock: FakeClock) -> None:
    batcher = Batcher(batch_size=2, batch_age_s=0.5, clock=clock)
    clock.now += 60

    assert not batcher.due()
    assert batcher.drain() == []


def test_due_when_full(clock: FakeClock) -> None:
    batcher = Batcher(batch_size=3, batch_age_s=0.5, clock=clock)
    batcher.add(TURNS.name, turn())
    batcher.add(TURNS.name, turn())
    assert not batcher.due()

    batcher.add(TURNS.name, turn())

    assert batcher.due()
    assert len(batcher) == 3


def test_due_when_the_oldest_row_has_waited_long_enough(clock: FakeClock) -> None:
    batcher = Batcher(batch_size=100, batch_age_s=0.5, clock=clock)
    batcher.add(TURNS.name, turn())
    clock.now += 0.4
    batcher.add(TURNS.name, turn())
    assert not batcher.due()

    clock.now += 0.1

    assert batcher.due()


def test_drain_returns_rows_in_order_and_restarts_the_age(clock: FakeClock) -> None:
    batcher = Batcher(batch_size=100, batch_age_s=0.5, clock=clock)
    events = [turn("一"), turn("二")]
    for event in events:
        batcher.add(TURNS.name, event)
    clock.now += 1

    drained = batcher.drain()

    assert [row.event_id for row in drained] == [e.event_id for e in events]
    assert len(batcher) == 0
    batcher.add(TURNS.name, turn())
    assert not batcher.due()


def test_from_settings_uses_size_and_age() -> None:
    batcher = Batcher.from_settings(WarehouseSettings(batch_size=1, batch_age_s=9))
    batcher.add(TURNS.name, turn())

    assert batcher.due()


async def test_flush_writes_from_a_thread(sink: DuckDBSink) -> None:
    rows = [to_row(TURNS.name, turn()) for _ in range(3)]

    assert await flush_in_thread(sink, rows) == 3
    assert await flush_in_thread(sink, rows) == 0
    assert await flush_in_thread(sink, []) == 0


async def test_flush_retries_an_unavailable_warehouse_with_capped_backoff(
    sink: DuckDBSink, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    failures = 7
    real_write = sink.write

    def flaky_write(rows: list[EventRow]) -> int:
        nonlocal failures
        if failures:
            failures -= 1
            raise WarehouseUnavailable("down for maintenance")
        return real_write(rows)

    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(sink, "write", flaky_write)
    monkeypatch.setattr(asyncio, "sleep", no_wait)
    rows = [to_row(TURNS.name, turn())]

    with caplog.at_level(logging.WARNING, logger="analytics.batcher"):
        assert await flush_in_thread(sink, rows) == 1

    assert waits == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    assert len(caplog.records) == 7
    assert "down for maintenance" in caplog.records[0].getMessage()


async def test_flush_does_not_retry_a_rejected_batch(
    sink: DuckDBSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0

    def rejecting_write(rows: list[EventRow]) -> int:
        nonlocal calls
        calls += 1
        raise WarehouseError("bad batch")

    monkeypatch.setattr(sink, "write", rejecting_write)

    with pytest.raises(WarehouseError, match="bad batch"):
        await flush_in_thread(sink, [to_row(TURNS.name, turn())])
    assert calls == 1
