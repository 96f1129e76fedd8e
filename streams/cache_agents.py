"""The cache invalidation agents: ``catalog.changes`` and ``promotions.changes`` → the caches.

Each change event drops what it names from every tier (L1 here, Redis, and,
through Redis, the L1 of every other process; see ``connectors/cache/fanout.py``).
Invalidating is idempotent, so a redelivered event is harmless, and the order
of changes does not matter: the next read loads the current value from the origin.
An event that does not decode goes to ``chat.deadletter``; the agent goes on.

:func:`run_caches` gives the worker's :class:`~connectors.cache.CacheSuite` the
app's life: started (invalidations from other processes, ``GET /metrics``)
once the app runs, closed on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import faust
from faust.types import AgentT

from connectors.cache import CacheSettings, CacheSuite, serve_metrics
from schemas import AvroCodec, CatalogChange, PromotionChange
from streams.app import raw_topic
from streams.settings import KafkaSettings
from streams.stage import Emitted, Sender, StageRunner, wire_runner
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
        runner.name: wire_runner(app, raw_topic(app, spec, kafka), runner.name, runner)
        for spec, runner in runners.items()
    }


async def start_caches(caches: CacheSuite, settings: CacheSettings) -> asyncio.Server | None:
    """Start ``caches`` on the running loop and serve their metrics, if a port is set.

    A port already taken leaves the metrics unserved (logged), never the worker down.
    """
    caches.start()
    if not settings.metrics_port:
        return None
    host, port = settings.metrics_host, settings.metrics_port
    try:
        server = await serve_metrics(caches.metrics, host, port)
    except OSError as exc:
        log.warning("cache metrics not served on %s:%d: %s", host, port, exc)
        return None
    log.info("cache metrics on http://%s:%d/metrics", host, port)
    return server


async def stop_caches(caches: CacheSuite, server: asyncio.Server | None) -> None:
    if server is not None:
        server.close()
        await server.wait_closed()
    await caches.aclose()


def run_caches(app: faust.App, caches: CacheSuite, settings: CacheSettings) -> None:
    """Start ``caches`` (and their ``/metrics``) once ``app`` runs; close them on its shutdown."""
    servers: list[asyncio.Server] = []

    async def start() -> None:
        server = await start_caches(caches, settings)
        if server is not None:
            servers.append(server)

    async def stop(app: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await stop_caches(caches, servers.pop() if servers else None)

    app.task(start)
    app.on_before_shutdown.connect(stop)
