"""Test helpers: run stages and agents without a broker.

``RecordingSender`` stands in for the producer and keeps what a stage sent,
decoded, so a test reads like "put this in, expect that out".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from faust.types import AgentT

from schemas import AvroCodec, Event, FinalReply
from streams.stage import Sender, StageRunner
from streams.topics import TopicSpec


@dataclass(frozen=True)
class Sent:
    spec: TopicSpec
    key: bytes
    event: Event
    headers: Mapping[str, bytes]


class RecordingSender(Sender):
    def __init__(self, codec: AvroCodec) -> None:
        self.sent: list[Sent] = []

        async def record(
            spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]
        ) -> None:
            self.sent.append(Sent(spec, key, codec.decode(value), dict(headers)))

        super().__init__(codec, record)

    def on(self, spec: TopicSpec) -> list[Event]:
        """The events sent to one topic, in order."""
        return [s.event for s in self.sent if s.spec is spec]

    def clear(self) -> None:
        self.sent.clear()


@contextlib.asynccontextmanager
async def pipeline_under_test(
    codec: AvroCodec, **dependencies: Any
) -> AsyncIterator[tuple[dict[str, AgentT[Any]], RecordingSender]]:
    """The four pipeline agents on an app that never starts, and the sender recording them.

    ``dependencies`` go to :func:`streams.pipeline.register_pipeline` (memory,
    gateway, services, caches). With ``caches``, the cache invalidation agents
    over them are there too, by name, as on the worker. Enter it in an async
    test, so faust binds to its loop.
    """
    from streams.app import create_app
    from streams.cache_agents import register_cache_invalidation
    from streams.pipeline import register_pipeline
    from streams.settings import KafkaSettings

    app = create_app("pipeline", KafkaSettings(app_id="test-pipeline"))
    sender = RecordingSender(codec)
    agents = register_pipeline(app, KafkaSettings(), codec, sender, **dependencies)
    caches = dependencies.get("caches")
    if caches is not None:
        agents |= register_cache_invalidation(app, KafkaSettings(), codec, caches, sender)
    app.finalize()
    app.flow_control.resume()
    try:
        yield agents, sender
    finally:
        # test_context() makes the app build its consumer, whose thread owns an event
        # loop that is only closed when the (never started) thread stops.
        consumer = app._consumer
        if consumer is not None:
            consumer._thread.thread_loop.close()  # type: ignore[attr-defined]


async def put(agent: AgentT[Any], codec: AvroCodec, event: Event, timeout_s: float = 10.0) -> None:
    """Deliver ``event`` to ``agent`` as the broker would, and wait until its stage is done."""
    runner: StageRunner[Any] | None = getattr(agent, "stage_runner", None)
    async with agent.test_context() as running:
        before = runner.handled if runner else 0
        await running.put(codec.encode(event), key=event.session_id.encode())
        async with asyncio.timeout(timeout_s):
            while runner is not None and runner.handled == before:  # noqa: ASYNC110
                await asyncio.sleep(0.001)


async def walk_turn(
    agents: Mapping[str, AgentT[Any]], sender: RecordingSender, codec: AvroCodec, turn: Event
) -> FinalReply:
    """Carry ``turn`` through the four agents, as the topics would, and return its final reply."""
    from streams.topics import DRAFTS, GROUNDED, RESPONSES, UNDERSTOOD

    sender.sent.clear()
    await put(agents["intent"], codec, turn)
    await put(agents["retrieval"], codec, sender.on(UNDERSTOOD)[-1])
    await put(agents["generation"], codec, sender.on(GROUNDED)[-1])
    for draft in sender.on(DRAFTS):
        await put(agents["guardrail"], codec, draft)
    [final] = [r for r in sender.on(RESPONSES) if isinstance(r, FinalReply)]
    return final
