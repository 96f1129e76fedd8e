import logging

import pytest

from analytics import (
    DuckDBSink,
    EventRow,
    WarehouseError,
    WarehouseUnavailable,
    flush_in_thread,
    flush_salvaging,
    to_row,
)
from schemas import ChatTurn
from streams.topics import TURNS


def turn(text: str = "こんにちは", turn_id: str = "t") -> ChatTurn:
    return ChatTurn(session_id="s", turn_id=turn_id, text=text)


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
    rows = [to_row(TURNS.name, turn())]

    with caplog.at_level(logging.WARNING, logger="analytics.flush"):
        assert await flush_in_thread(sink, rows, sleep=no_wait) == 1

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


async def test_a_rejected_batch_is_salvaged_row_by_row(
    sink: DuckDBSink, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_write = sink.write
    poison = to_row(TURNS.name, turn("poison", "t-bad"))

    def picky_write(rows: list[EventRow]) -> int:
        if poison in rows:
            raise WarehouseError("value too long")
        return real_write(rows)

    monkeypatch.setattr(sink, "write", picky_write)
    good = [to_row(TURNS.name, turn(f"ok {i}", f"t{i}")) for i in range(3)]

    with caplog.at_level(logging.ERROR, logger="analytics.flush"):
        assert await flush_salvaging(sink, [good[0], poison, *good[1:]]) == 3

    assert sink.count() == 3
    assert any(poison.event_id in r.getMessage() for r in caplog.records)
