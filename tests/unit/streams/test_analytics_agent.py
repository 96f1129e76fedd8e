"""The analytics agent under faust's test_context(): events become rows, garbage a dead letter."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from analytics import DuckDBSink, WarehouseSettings
from schemas import AvroCodec, ChatTurn, DeadLetter, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams.analytics_agent import register_analytics
from streams.app import create_app
from streams.settings import KafkaSettings
from streams.testing import RecordingSender
from streams.topics import DEADLETTER

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[DuckDBSink]:
    warehouse = DuckDBSink(tmp_path / "analytics.duckdb")
    warehouse.setup()
    yield warehouse
    warehouse.close()


async def test_events_become_rows_and_garbage_becomes_a_dead_letter(sink: DuckDBSink) -> None:
    app = create_app("analytics", KafkaSettings(app_id="unit-test"))
    sender = RecordingSender(CODEC)
    settings = WarehouseSettings(batch_size=2, batch_age_s=0.05)
    agent = register_analytics(app, KafkaSettings(), CODEC, sink, settings, sender)
    app.finalize()
    app.flow_control.resume()
    turn = ChatTurn(session_id="s1", turn_id="t1", text="こんにちは")
    try:
        async with agent.test_context() as running:
            await running.put(CODEC.encode(turn), key=b"s1")
            await running.put(b"garbage", key=b"s1")
    finally:
        if app._consumer is not None:  # see test_pipeline_agents
            app._consumer._thread.thread_loop.close()
    [row] = sink.events_for_session("s1")
    assert (row["event_id"], row["event_type"]) == (turn.event_id, "ChatTurn")
    [letter] = sender.on(DEADLETTER)
    assert isinstance(letter, DeadLetter)
    assert (letter.stage, letter.session_id, letter.payload) == ("analytics", "s1", b"garbage")
