"""The chat pipeline's faust agents. They only wire topics to the stage functions.

chat.turns ─intent─▶ chat.understood ─retrieval─▶ chat.grounded
  ─generation─▶ chat.drafts ─guardrail─▶ chat.responses
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import faust
from faust.types import AgentT

from agents.followups import remembered, with_references
from agents.generation import draft as draft_reply
from agents.generation import generate
from agents.guard.draft import guard_draft
from agents.guard.facts import LiveOffer, LiveOfferFacts
from agents.guard.guard import Guard
from agents.guard.model import GroundingContext, Verdict
from agents.guard.pii import mask_pii
from agents.guardrail import guard_chunk, guard_final
from agents.handoff import with_handoff
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
from connectors.cache import CacheSettings, CacheSuite, StoreOrigin, caches_from_settings
from connectors.cache.facades import CachedCatalog
from connectors.commerce.cache_origin import ServiceCatalogOrigin
from connectors.commerce.context import ServiceCatalog, ServiceOrders, ServiceRecommendations
from connectors.commerce.factory import CommerceServices, services_from_settings
from connectors.commerce.settings import CommerceSettings
from connectors.kinesis import KinesisTee
from connectors.kinesis.tee import tee_send
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
from connectors.store import CatalogSearch, StoreData, load_store
from connectors.store.retriever import CatalogRetriever, OrderLookup
from mangaassist.errors import MangaAssistError
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
from streams.stage import Emitted, Sender, StageRunner, wire_runner
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


def intent_stage(
    memory: ConversationMemory, guard: Guard, chunk_chars: int = 120
) -> Callable[[ChatTurn], Awaitable[Emitted]]:
    """Check the message, understand it, resolve "the second one" against the last reply.

    Personal data is masked before anything downstream (memory, the LLM, logs) sees
    it; an injection attempt or abuse is answered here and goes no further. With
    the memory down the turn is understood on its own and says so.
    """

    async def run(turn: ChatTurn) -> Emitted:
        verdict = guard.check(turn.text, "input", locale=turn.locale)
        if verdict.action == "block":
            return await _refuse(turn, verdict, memory, chunk_chars)
        if verdict.action == "mask":
            turn = turn.model_copy(update={"text": verdict.text})
        understood = understand(turn)
        try:
            conversation = await memory.load(turn.session_id)
        except MemoryUnavailable as exc:
            log.warning("memory unavailable, turn %s understood alone: %s", turn.turn_id, exc)
            return [(UNDERSTOOD, understood.model_copy(update={"context_lost": True}))]
        shown = _shown_before(conversation, turn.turn_id)
        return [(UNDERSTOOD, with_references(understood, shown))]

    return run


async def _refuse(
    turn: ChatTurn, verdict: Verdict, memory: ConversationMemory, chunk_chars: int
) -> Emitted:
    """The guard's refusal as the reply, straight to the shopper; a streak may hand off."""
    masked, _ = mask_pii(turn.text)
    understood = understand(turn.model_copy(update={"text": masked}))
    grounded = GroundedTurn(**understood.model_dump(exclude={"ts", "schema_version"}))
    flags = (*verdict.categories, "blocked")
    refusal = draft_reply(
        grounded, verdict.text, "fallback", (), chunk_chars, guardrail_flags=flags
    )
    refusal = await with_handoff(grounded, refusal, memory)
    with contextlib.suppress(MemoryUnavailable):
        await memory.remember(turn.session_id, remembered(grounded, refusal.final))
    emitted: list[tuple[TopicSpec, Event]] = [(RESPONSES, chunk) for chunk in refusal.chunks]
    emitted.append((RESPONSES, refusal.final))
    if refusal.escalation is not None:
        emitted.append((ESCALATIONS, refusal.escalation))
    return emitted


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


async def live_offer_guard(guard: Guard, turn: GroundedTurn, catalog: CachedCatalog) -> Guard:
    """``guard`` grounding this turn's products on the offers the catalog reads live now.

    The lines retrieval wrote quote live prices; the guard's own facts are the
    demo store's, which a price change (or the http backend) leaves behind.
    """
    context = GroundingContext.from_refs(item.ref_id for item in turn.context)
    asins = {*context.asins}
    for series_id in context.series_ids:
        asins.update(item.asin for item in guard.facts.series_items(series_id))
    if not asins:
        return guard
    products = await catalog.get_products(sorted(asins))
    offers = {
        asin: LiveOffer(product.offer.price_jpy, product.offer.availability)
        for asin, product in products.items()
        if product.offer is not None
    }
    return guard.with_facts(LiveOfferFacts(guard.facts, offers))


def generation_stage(
    chunk_chars: int,
    memory: ConversationMemory,
    gateway: LlmGateway,
    guard: Guard,
    catalog: CachedCatalog | None = None,
) -> Callable[[GroundedTurn], Awaitable[Emitted]]:
    async def run(turn: GroundedTurn) -> Emitted:
        if uses_llm(turn):
            draft = await llm_reply(turn, gateway, await _past_turns(memory, turn), chunk_chars)
        else:
            draft = generate(turn, chunk_chars)
        # Every sentence is checked (PII, leaks, abuse, competitors, prices and dates
        # against the catalog, length, format) before any of it leaves this stage.
        turn_guard = guard
        if catalog is not None and turn.context:
            try:
                turn_guard = await live_offer_guard(guard, turn, catalog)
            except MangaAssistError as exc:
                # The catalog cannot answer now: ground on the store's own data.
                log.warning("live offers unavailable for the guard: %s", exc)
        draft = guard_draft(draft, turn, turn_guard, chunk_chars)
        draft = await with_handoff(turn, draft, memory)
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


def remote_services(commerce: CommerceSettings | None = None) -> CommerceServices | None:
    """The store services as network clients with the ``http`` backend; None with ``local``,
    whose lookups read the demo store in this process."""
    commerce = commerce or CommerceSettings()
    return services_from_settings(commerce) if commerce.backend == "http" else None


def pipeline_caches(
    settings: CacheSettings,
    services: CommerceServices | None = None,
    store: StoreData | None = None,
    *,
    key_prefix: str | None = None,
) -> CacheSuite:
    """The caches the retrieval stage reads, loading from the catalog it would otherwise call.

    With ``services`` (the http backend, or services handed in) product details
    load from their catalog service; without, from ``store`` (the demo store)
    in this process. Nothing is contacted until the first lookup.
    """
    origin = ServiceCatalogOrigin(services.catalog) if services is not None else StoreOrigin(store)
    return caches_from_settings(settings, catalog=origin, key_prefix=key_prefix)


def register_pipeline(
    app: faust.App,
    kafka: KafkaSettings,
    codec: AvroCodec,
    sender: Sender | None = None,
    settings: PipelineSettings | None = None,
    memory: ConversationMemory | None = None,
    gateway: LlmGateway | None = None,
    services: CommerceServices | None = None,
    caches: CacheSuite | None = None,
) -> dict[str, AgentT[Any]]:
    """Declare every topic and the four stage agents on ``app``; returns the agents by name.

    ``sender`` defaults to the app's own producer; tests pass a recording one.
    ``memory`` defaults to the backend :class:`MemorySettings` names, ``gateway``
    to the LLM provider :class:`LlmSettings` names (the local grounded generator),
    ``services`` to the store services :class:`CommerceSettings` names; with the
    ``http`` backend, catalog and order lookups go through them too.

    ``caches``: the catalog cache every product line reads its details through
    (prices and availability stay live). Its catalog origin must be the one
    :func:`pipeline_caches` picks for these ``services``. The caller owns it
    (start, invalidation agents, close): the worker passes the suite it owns
    (``streams.worker.build_app``). Without one, a cache that keeps nothing
    reads every detail from the origin.
    """
    topics = {spec: raw_topic(app, spec, kafka) for spec in ALL_TOPICS}

    async def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        await topics[spec].send(key=key, value=value, headers=dict(headers))

    if sender is None:
        # With the kinesis transport, every event also goes to the stream analytics reads.
        raw_send = tee_send(send)
        if isinstance(raw_send, KinesisTee):
            tee = raw_send

            async def close_tee(app: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
                await tee.aclose()

            app.on_before_shutdown.connect(close_tee)
        sender = Sender(codec, raw_send)
    settings = settings or PipelineSettings()
    store = load_store()
    memory_settings = MemorySettings()
    # A local DynamoDB stand-in starts empty; a production table is made at deploy time.
    memory = memory or memory_from_settings(
        memory_settings, ensure_dynamodb_table=memory_settings.dynamodb_endpoint_url is not None
    )
    knowledge = KnowledgeRetriever(LocalKnowledgeBase.bundled())
    # Services handed in (or configured as http) answer every lookup; the default
    # local backend reads the same data in-process, without the service hop.
    commerce = CommerceSettings()
    remote = services or remote_services(commerce)
    services = remote or services_from_settings(commerce, store=store)
    caches = caches or pipeline_caches(CacheSettings(enabled=False), remote, store)
    product_lines = ServiceCatalog(services.catalog, caches.catalog)
    if remote is not None:
        catalog_source: CatalogSource = product_lines
        products: ProductLookup = product_lines
        orders: OrderSource = ServiceOrders(remote.orders)
    else:  # in-process: the same data without a service hop
        catalog = CatalogRetriever(store, CatalogSearch.bundled(), caches.catalog)
        catalog_source, products, orders = catalog, catalog, OrderLookup(store)
    recommendations = ServiceRecommendations(services.recommendations, product_lines)
    retrieve = retrieval_stage(knowledge, catalog_source, orders, products, recommendations, memory)
    gateway = gateway or gateway_from_settings(LlmSettings())
    guard = Guard()
    generation = generation_stage(settings.chunk_chars, memory, gateway, guard, caches.catalog)
    understand_turn = intent_stage(memory, guard, settings.chunk_chars)
    runners: list[StageRunner[Any]] = [
        StageRunner("intent", (ChatTurn,), understand_turn, codec, sender),
        StageRunner("retrieval", (UnderstoodTurn,), retrieve, codec, sender),
        StageRunner("generation", (GroundedTurn,), generation, codec, sender),
        StageRunner("guardrail", (ReplyChunk, FinalReply), guardrail_stage, codec, sender),
    ]
    sources = (TURNS, UNDERSTOOD, GROUNDED, DRAFTS)
    return {
        runner.name: wire_runner(app, topics[spec], runner.name, runner)
        for spec, runner in zip(sources, runners, strict=True)
    }
