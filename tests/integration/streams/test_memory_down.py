"""Degraded mode: with the conversation memory unreachable, turns are answered alone and say so.

The memory is a real Redis client pointed at a port nothing listens on; the
agents run under faust's test_context().
"""

from collections.abc import AsyncIterator

import pytest
from faust.types import AgentT

from connectors.kafka import free_loopback_port
from connectors.memory import RedisMemory
from schemas import AvroCodec, ChatTurn, Event, FinalReply, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams.app import create_app
from streams.pipeline import register_pipeline
from streams.settings import KafkaSettings
from streams.testing import RecordingSender, put
from streams.topics import DRAFTS, GROUNDED, RESPONSES, UNDERSTOOD

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))


@pytest.fixture
async def agents_without_memory() -> AsyncIterator[tuple[dict[str, AgentT], RecordingSender]]:
    app = create_app("pipeline", KafkaSettings(app_id="memory-down-test"))
    sender = RecordingSender(CODEC)
    memory = RedisMemory.from_url(f"redis://127.0.0.1:{free_loopback_port()}/0", timeout_s=0.2)
    agents = register_pipeline(app, KafkaSettings(), CODEC, sender, memory=memory)
    app.finalize()
    app.flow_control.resume()
    yield agents, sender
    await memory.aclose()
    consumer = app._consumer
    if consumer is not None:
        consumer._thread.thread_loop.close()


async def _put(agent: AgentT, event: Event) -> None:
    # Waits for the stage to finish: retrieval awaits the catalog cache.
    await put(agent, CODEC, event)


@pytest.mark.parametrize(
    ("locale", "text", "notice"),
    [("en", "The Clock Tower Knight kindle", "history"), ("ja", "時計塔の騎士 Kindle版", "履歴")],
)
async def test_a_turn_is_answered_statelessly_with_a_notice(
    agents_without_memory: tuple[dict[str, AgentT], RecordingSender],
    locale: str,
    text: str,
    notice: str,
) -> None:
    agents, sender = agents_without_memory
    await _put(agents["intent"], ChatTurn(session_id="s", turn_id="t1", text=text, locale=locale))  # type: ignore[arg-type]
    [understood] = sender.on(UNDERSTOOD)
    assert understood.context_lost
    await _put(agents["retrieval"], understood)
    await _put(agents["generation"], sender.on(GROUNDED)[0])
    for draft in sender.on(DRAFTS):
        await _put(agents["guardrail"], draft)
    [final] = [r for r in sender.on(RESPONSES) if isinstance(r, FinalReply)]
    assert final.status == "ok"
    assert final.sources  # the catalog still answered
    assert notice in final.text
