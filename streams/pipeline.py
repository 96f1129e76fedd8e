"""The chat pipeline's faust agents. They only wire topics to the stage functions.

chat.turns ─intent─▶ chat.understood ─retrieval─▶ chat.grounded
  ─generation─▶ chat.drafts ─guardrail─▶ chat.responses
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import faust
from faust.types import AgentT

from agents.followups import remembered, with_references
from agents.generation import generate
from agents.guardrail import guard_chunk, guard_final
from agents.intent import understand
from agents.llm_reply import llm_reply, uses_llm
from agents.retrieval import (
    CatalogSource,
    OrderSource,
    ProductLookup,
    RecommendationSource,
    Retriever,
    ground,
)
from connectors.commerce.context import ServiceCatalog, ServiceOrders, ServiceRecommendations
from connectors.commerce.factory import CommerceServices, services_from_settings
from connectors.commerce.settings import CommerceSettings
from connectors.kinesis import AnalyticsTransportSettings, KinesisTee
from connectors.knowledge.local import LocalKnowledgeBase
from connectors.knowledge.retriever import KnowledgeRetriever
from connectors.llm.factory import gateway_from_settings
from connectors.llm.gateway import LlmGateway
from connectors.llm.settings import LlmSettings
from connectors.memory import (
    Conversation,
    ConversationMemory,
    MemorySettings,
    MemoryUnavailable,
    RememberedTurn,
    ShownItem,
    memory_from_settings,
)
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
    LLM_COMPLETIONS,
    RESPONSES,
    TURNS,
    UNDERSTOOD,
    TopicSpec,
)

log = logging.getLogger(__name__)


def intent_stage(memory: ConversationMemory) -> Callable[[ChatTurn], Awaitable[Emitted]]:
    """Understand the turn, resolving "the second one" against what the last reply showed.

    With the memory down the turn is understood on its own and says so.
    """

    async def run(turn: ChatTurn) -> Emitted:
        understood = understand(turn)
        try:
            conversation = await memory.load(turn.session_id)
        except MemoryUnavailable as exc:
            log.warning("memory unavailable, turn %s understood alone: %s", turn.turn_id, exc)
            return [(UNDERSTOOD, understood.model_copy(update={"context_lost": True}))]
        shown = _shown_before(conversation, turn.turn_id)
        return [(UNDERSTOOD, with_references(understood, shown))]

    return run


def _shown_before(conversation: Conversation, turn_id: str) -> tuple[ShownItem, ...]:
    # A redelivered turn may already be remembered; it must not refer to itself.
    earlier = [turn for turn in conversation.turns if turn.turn_id != turn_id]
    return next((turn.shown for turn in reversed(earlier) if turn.shown), ())


async def _past_turns(memory: ConversationMemory, turn: GroundedTurn) -> tuple[RememberedTurn, ...]:
    if turn.context_lost:
        return ()
    try:
        conversation = await memory.load(turn.session_id)
    except MemoryUnavailable:
        return ()
    return tuple(past for past in conversation.turns if past.turn_id != turn.turn_id)


def retrieval_stage(
    index: Retriever,
    catalog: CatalogSource | None,
    orders: OrderSource | None,
    products: ProductLookup | None = None,
    recommendations: RecommendationSource | None = None,
    memory: ConversationMemory | None = None,
) -> Callable[[UnderstoodTurn], Awaitable[Emitted]]:
    async def run(turn: UnderstoodTurn) -> Emitted:
        shown: tuple[str, ...] = ()
        if memory is not None and turn.intent == "recommendation" and not turn.context_lost:
            shown = await _shown_products(memory, turn.session_id)
        grounded = await ground(turn, index, catalog, orders, products, recommendations, shown)
        return [(GROUNDED, grounded)]

    return run


async def _shown_products(memory: ConversationMemory, session_id: str) -> tuple[str, ...]:
    """The products this session has been shown, oldest first: what a guest browsed."""
    try:
        conversation = await memory.load(session_id)
    except MemoryUnavailable:
        return ()
    return tuple(
        item.id for past in conversation.turns for item in past.shown if item.kind == "product"
    )


def generation_stage(
    chunk_chars: int, memory: ConversationMemory, gateway: LlmGateway
) -> Callable[[GroundedTurn], Awaitable[Emitted]]:
    async def run(turn: GroundedTurn) -> Emitted:
        if uses_llm(turn):
            draft = await llm_reply(turn, gateway, await _past_turns(memory, turn), chunk_chars)
        else:
            draft = generate(turn, chunk_chars)
        try:
            await memory.remember(turn.session_id, remembered(turn, draft.final))
        except MemoryUnavailable as exc:
            # The reply still goes out; the next turn will say that context may be lost.
            log.warning("memory unavailable, turn %s not remembered: %s", turn.turn_id, exc)
        emitted: list[tuple[TopicSpec, Event]] = []
        if draft.completion is not None:
            emitted.append((LLM_COMPLETIONS, draft.completion))
        emitted.extend((DRAFTS, chunk) for chunk in draft.chunks)
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
    memory: ConversationMemory | None = None,
    gateway: LlmGateway | None = None,
    services: CommerceServices | None = None,
) -> dict[str, AgentT[Any]]:
    """Declare every topic and the four stage agents on ``app``; returns the agents by name.

    ``sender`` defaults to the app's own producer; tests pass a recording one.
    ``memory`` defaults to the backend :class:`MemorySettings` names, ``gateway``
    to the LLM provider :class:`LlmSettings` names (the local grounded generator),
    ``services`` to the store services :class:`CommerceSettings` names; with the
    ``http`` backend, catalog and order lookups go through them too.
    """
    topics = {spec: raw_topic(app, spec, kafka) for spec in ALL_TOPICS}

    async def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        await topics[spec].send(key=key, value=value, headers=dict(headers))

    if sender is None:
        raw_send: Callable[[TopicSpec, bytes, bytes, Mapping[str, bytes]], Any] = send
        if AnalyticsTransportSettings().kinesis:
            # Every event also goes to the Kinesis stream the analytics consumers read.
            tee = KinesisTee.from_settings(send)
            raw_send = tee

            async def close_tee(app: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
                await tee.aclose()

            app.on_before_shutdown.connect(close_tee)
        sender = Sender(codec, raw_send)
    settings = settings or PipelineSettings()
    store = load_store()
    catalog = CatalogRetriever(store, CatalogSearch.bundled())
    memory_settings = MemorySettings()
    # A local DynamoDB stand-in starts empty; a production table is made at deploy time.
    memory = memory or memory_from_settings(
        memory_settings, ensure_dynamodb_table=memory_settings.dynamodb_endpoint_url is not None
    )
    knowledge = KnowledgeRetriever(LocalKnowledgeBase.bundled())
    commerce = CommerceSettings()
    # Services handed in (or configured as http) answer every lookup; the default
    # local backend reads the same data in-process, without the service hop.
    through_services = services is not None or commerce.backend == "http"
    services = services or services_from_settings(commerce, store=store)
    if through_services:
        catalog_source: CatalogSource = ServiceCatalog(services.catalog)
        orders: OrderSource = ServiceOrders(services.orders)
    else:  # in-process: the same data without a service hop
        catalog_source, orders = catalog, OrderLookup(store)
    recommendations = ServiceRecommendations(
        services.recommendations, ServiceCatalog(services.catalog)
    )
    retrieve = retrieval_stage(knowledge, catalog_source, orders, catalog, recommendations, memory)
    gateway = gateway or gateway_from_settings(LlmSettings())
    generation = generation_stage(settings.chunk_chars, memory, gateway)
    runners: list[StageRunner[Any]] = [
        StageRunner("intent", (ChatTurn,), intent_stage(memory), codec, sender),
        StageRunner("retrieval", (UnderstoodTurn,), retrieve, codec, sender),
        StageRunner("generation", (GroundedTurn,), generation, codec, sender),
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

    wired = app.agent(topic, name=runner.name)(agent)
    # streams.testing.put waits on the runner: faust's test_context() returns as soon as
    # the agent has taken an event, before a stage that awaits I/O has finished with it.
    wired.stage_runner = runner  # type: ignore[attr-defined]
    return wired
