"""The chat pipeline's faust agents. They only wire topics to the stage functions.

chat.turns ─intent─▶ chat.understood ─retrieval─▶ chat.grounded
  ─generation─▶ chat.drafts ─guardrail─▶ chat.responses
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import faust
from faust.types import AgentT

from agents.generation import generate
from agents.guardrail import guard_chunk, guard_final
from agents.intent import understand
from agents.retrieval import FaqIndex, OrderSource, Retriever, ground
from connectors.store import CatalogSearch, load_store
from connectors.store.retriever import CatalogRetriever, OrderLookup
from schemas import (
    AvroCodec,
    ChatTurn,
    Event,
    FinalReply,
    GroundedTurn,
    ReplyChunk,
    UnderstoodTurn,
)
from streams.app import raw_topic
from streams.settings import KafkaSettings, PipelineSettings
from streams.stage import Emitted, IncomingMessage, Sender, StageRunner
from streams.topics import (
    ALL_TOPICS,
    DRAFTS,
    ESCALATIONS,
    GROUNDED,
    RESPONSES,
    TURNS,
    UNDERSTOOD,
    TopicSpec,
)


def intent_stage(turn: ChatTurn) -> Emitted:
    return [(UNDERSTOOD, understand(turn))]


def retrieval_stage(
    index: Retriever, catalog: Retriever | None, orders: OrderSource | None
) -> Callable[[UnderstoodTurn], Emitted]:
    def run(turn: UnderstoodTurn) -> Emitted:
        return [(GROUNDED, ground(turn, index, catalog, orders))]

    return run


def generation_stage(chunk_chars: int) -> Callable[[GroundedTurn], Emitted]:
    def run(turn: GroundedTurn) -> Emitted:
        draft = generate(turn, chunk_chars)
        emitted: list[tuple[TopicSpec, Event]] = [(DRAFTS, chunk) for chunk in draft.chunks]
        emitted.append((DRAFTS, draft.final))
        if draft.escalation is not None:
            emitted.append((ESCALATIONS, draft.escalation))
        return emitted

    return run


def guardrail_stage(event: ReplyChunk | FinalReply) -> Emitted:
    if isinstance(event, ReplyChunk):
        return [(RESPONSES, guard_chunk(event))]
    return [(RESPONSES, guard_final(event))]


def register_pipeline(
    app: faust.App,
    kafka: KafkaSettings,
    codec: AvroCodec,
    sender: Sender | None = None,
    settings: PipelineSettings | None = None,
) -> dict[str, AgentT[Any]]:
    """Declare every topic and the four stage agents on ``app``; returns the agents by name.

    ``sender`` defaults to the app's own producer; tests pass a recording one.
    """
    topics = {spec: raw_topic(app, spec, kafka) for spec in ALL_TOPICS}

    async def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        await topics[spec].send(key=key, value=value, headers=dict(headers))

    sender = sender or Sender(codec, send)
    settings = settings or PipelineSettings()
    store = load_store()
    catalog = CatalogRetriever(store, CatalogSearch.bundled())
    retrieve = retrieval_stage(FaqIndex.bundled(), catalog, OrderLookup(store))
    runners: list[StageRunner[Any]] = [
        StageRunner("intent", (ChatTurn,), intent_stage, codec, sender),
        StageRunner("retrieval", (UnderstoodTurn,), retrieve, codec, sender),
        StageRunner(
            "generation", (GroundedTurn,), generation_stage(settings.chunk_chars), codec, sender
        ),
        StageRunner("guardrail", (ReplyChunk, FinalReply), guardrail_stage, codec, sender),
    ]
    sources = (TURNS, UNDERSTOOD, GROUNDED, DRAFTS)
    return {
        runner.name: _wire(app, topics[spec], runner)
        for spec, runner in zip(sources, runners, strict=True)
    }


def _wire(app: faust.App, topic: faust.TopicT, runner: StageRunner[Any]) -> AgentT[Any]:
    async def agent(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await runner(IncomingMessage.from_faust(event))

    return app.agent(topic, name=runner.name)(agent)
