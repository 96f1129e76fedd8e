"""The cache invalidation agents: ``catalog.changes`` and ``promotions.changes`` → the caches.

Each change event drops what it names from every tier (L1 here, Redis, and,
through Redis, the L1 of every other process; see ``connectors/cache/fanout.py``).
Invalidating is idempotent, so a redelivered event is harmless, and the order
of changes does not matter: the next read loads the current value from the origin.
An event that does not decode goes to ``chat.deadletter``; the agent goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

import faust
from faust.types import AgentT

from schemas import AvroCodec, CatalogChange, PromotionChange
from streams.app import raw_topic
from streams.settings import KafkaSettings
from streams.stage import Emitted, IncomingMessage, Sender, StageRunner
from streams.topics import CATALOG_CHANGES, DEADLETTER, PROMOTION_CHANGES, TopicSpec

log = logging.getLogger(__name__)

CATALOG_AGENT = "cache-catalog-changes"
PROMOTION_AGENT = "cache-promotion-changes"


class ChangeApplier(Protocol):
    """What the agents invalidate (``connectors.cache.CacheSuite`` is one).

    Each method answers False when Redis could not take the invalidation yet
    (it is retried by the cache itself); it never raises for a cache tier that is down.
    """

    async def apply_catalog_change(self, change: CatalogChange) -> bool: ...

    async def apply_promotion_change(self, change: PromotionChange) -> bool: ...


def change_key(change: CatalogChange | PromotionChange) -> bytes:
    """The Kafka key of a change event: its first ASIN (else series id) or promotion id."""
    if isinstance(change, CatalogChange):
        names = change.asins or change.series_ids
    else:
        names = change.promotion_ids
    return (names[0] if names else change.session_id).encode()


def register_cache_invalidation(
    app: faust.App,
    kafka: KafkaSettings,
    codec: AvroCodec,
    caches: ChangeApplier,
    sender: Sender | None = None,
) -> dict[str, AgentT[Any]]:
    """Declare the two change topics and their invalidation agents; returns the agents by name.

    ``sender`` (for dead letters) defaults to the app's producer; tests pass a recording one.
    """
    dead_letters = raw_topic(app, DEADLETTER, kafka)

    async def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        await dead_letters.send(key=key, value=value, headers=dict(headers))

    sender = sender or Sender(codec, send)

    async def on_catalog_change(change: CatalogChange) -> Emitted:
        if not await caches.apply_catalog_change(change):
            log.warning("catalog change %s: Redis to be invalidated later", change.event_id)
        return ()

    async def on_promotion_change(change: PromotionChange) -> Emitted:
        if not await caches.apply_promotion_change(change):
            log.warning("promotion change %s: Redis to be invalidated later", change.event_id)
        return ()

    runners: dict[TopicSpec, StageRunner[Any]] = {
        CATALOG_CHANGES: StageRunner(
            CATALOG_AGENT, (CatalogChange,), on_catalog_change, codec, sender
        ),
        PROMOTION_CHANGES: StageRunner(
            PROMOTION_AGENT, (PromotionChange,), on_promotion_change, codec, sender
        ),
    }
    return {
        runner.name: _wire(app, raw_topic(app, spec, kafka), runner)
        for spec, runner in runners.items()
    }


def _wire(app: faust.App, topic: faust.TopicT, runner: StageRunner[Any]) -> AgentT[Any]:
    async def agent(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await runner(IncomingMessage.from_faust(event))

    return app.agent(topic, name=runner.name)(agent)
