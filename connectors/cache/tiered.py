"""L1 → L2 → origin, with write-back, invalidation and single-flight loads."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from connectors.cache.metrics import (
    HITS,
    INVALIDATED,
    JOINED,
    L1_ENTRIES,
    MISSES,
    ORIGIN_KEYS,
    ORIGIN_LOADS,
    UNREADABLE,
    CacheMetrics,
)
from connectors.cache.redis_cache import RedisCache
from connectors.cache.ttl import TtlCache
from mangaassist.errors import ConfigurationError

log = logging.getLogger(__name__)

V = TypeVar("V")
OriginLoader = Callable[[Sequence[str]], Awaitable[Mapping[str, V]]]
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]*$")


class TieredCache(Generic[V]):
    """Values of one namespace: L1 (this process), then L2 (Redis), then the origin.

    ``get_many`` answers what L1 holds, asks L2 for the rest in one ``MGET``,
    and loads what is still missing from ``origin_loader`` in one batch; values
    found in L2 are copied to L1, values loaded are written to both. Keys the
    origin does not know are absent from the answer (and not cached).

    Concurrent misses of one key share one load (single-flight). A load runs as
    a task of its own, so a caller that gives up does not cancel it for the
    others. A load that an ``invalidate`` overtook still answers its callers
    but writes nothing back, so a stale value is not cached after its invalidation.
    """

    def __init__(
        self,
        namespace: str,
        l1: TtlCache[V],
        l2: RedisCache | None,
        origin_loader: OriginLoader[V],
        *,
        value_type: type[V],
        ttl_s: float,
        metrics: CacheMetrics | None = None,
    ) -> None:
        """``ttl_s``: life of a value in L2; L1 keeps values for its own (shorter) TTL."""
        if not _NAMESPACE.match(namespace):
            raise ConfigurationError(f"a cache namespace is [a-z][a-z0-9_-]*, not {namespace!r}")
        if ttl_s <= 0:
            raise ConfigurationError(f"ttl_s must be positive, not {ttl_s}")
        self.namespace = namespace
        self.l1 = l1
        self.l2 = l2
        self._origin = origin_loader
        self._adapter: TypeAdapter[V] = TypeAdapter(value_type)
        self.ttl_s = ttl_s
        self.metrics = metrics or CacheMetrics()
        self.metrics.gauge(L1_ENTRIES, lambda: len(self.l1), namespace=namespace)
        self._inflight: dict[str, asyncio.Task[dict[str, V]]] = {}
        # Keys invalidated while loads ran, with the invalidation's sequence number;
        # only kept while a load runs, so it stays as small as the keys in flight.
        self._invalidations = 0
        self._invalidated_at: dict[str, int] = {}
        self._loads_running = 0

    async def get(self, key: str) -> V | None:
        value = self.l1.get(key)
        if value is not None:
            self.metrics.inc(HITS, tier="l1", namespace=self.namespace)
            return value
        return (await self.get_many((key,))).get(key)

    async def get_many(self, keys: Iterable[str]) -> dict[str, V]:
        """The values of ``keys`` that exist, in the order asked (duplicates once)."""
        wanted = list(dict.fromkeys(keys))
        found = self.l1.get_many(wanted)
        self._count("l1", len(found), len(wanted) - len(found))
        if len(found) < len(wanted):
            found.update(await self._load([key for key in wanted if key not in found]))
        return {key: found[key] for key in wanted if key in found}

    async def invalidate(self, keys: Iterable[str]) -> bool:
        """Forget ``keys`` in L1 and L2 and tell every process's L1; harmless to repeat.

        False when Redis could not take the invalidation now; it is retried with
        the next call that reaches Redis (see :meth:`RedisCache.invalidate`).
        """
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return True
        self.invalidate_local(wanted)
        if self.l2 is None:
            return True
        return await self.l2.invalidate(self.namespace, wanted)

    def invalidate_local(self, keys: Iterable[str]) -> None:
        """Forget ``keys`` in this process only (L1 and loads in flight)."""
        wanted = list(keys)
        self.l1.delete_many(wanted)
        self.metrics.inc(INVALIDATED, len(wanted), namespace=self.namespace)
        self._invalidations += 1
        for key in wanted:
            if self._inflight.pop(key, None) is not None:
                self._invalidated_at[key] = self._invalidations

    def clear_local(self) -> None:
        """Forget everything this process holds (e.g. after missing invalidation messages)."""
        self.invalidate_local(list(self._inflight))
        self.l1.clear()

    async def _load(self, keys: list[str]) -> dict[str, V]:
        joined = {key: task for key in keys if (task := self._inflight.get(key)) is not None}
        if joined:
            self.metrics.inc(JOINED, len(joined), namespace=self.namespace)
        tasks = set(joined.values())
        lead = [key for key in keys if key not in joined]
        if lead:
            task = asyncio.create_task(self._fetch(lead))
            for key in lead:
                self._inflight[key] = task
            task.add_done_callback(lambda done: self._finished(done, lead))
            tasks.add(task)
        found: dict[str, V] = {}
        for result in await asyncio.gather(*(asyncio.shield(task) for task in tasks)):
            found.update(result)
        return {key: found[key] for key in keys if key in found}

    def _finished(self, task: asyncio.Task[dict[str, V]], keys: list[str]) -> None:
        for key in keys:
            if self._inflight.get(key) is task:
                del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved: every caller may have given up on it

    async def _fetch(self, keys: list[str]) -> dict[str, V]:
        started = self._invalidations
        self._loads_running += 1
        try:
            found = await self._from_l2(keys)
            self._count("l2", len(found), len(keys) - len(found))
            self.l1.put_many(self._still_valid(found, started))
            rest = [key for key in keys if key not in found]
            if rest:
                loaded = await self._from_origin(rest)
                fresh = self._still_valid(loaded, started)
                self.l1.put_many(fresh)
                if self.l2 is not None and fresh:
                    encoded = {key: self._adapter.dump_json(value) for key, value in fresh.items()}
                    await self.l2.set_many(self.namespace, encoded, self.ttl_s)
                found.update(loaded)
            return found
        finally:
            self._loads_running -= 1
            if not self._loads_running:
                self._invalidated_at.clear()

    async def _from_l2(self, keys: list[str]) -> dict[str, V]:
        if self.l2 is None:
            return {}
        found: dict[str, V] = {}
        for key, raw in (await self.l2.get_many(self.namespace, keys)).items():
            try:
                found[key] = self._adapter.validate_json(raw)
            except ValidationError as exc:
                # Written by another version of the code, or damaged: reload and overwrite.
                self.metrics.inc(UNREADABLE, namespace=self.namespace)
                log.warning("unreadable %s value in Redis for %r: %s", self.namespace, key, exc)
        return found

    async def _from_origin(self, keys: list[str]) -> dict[str, V]:
        self.metrics.inc(ORIGIN_LOADS, namespace=self.namespace)
        self.metrics.inc(ORIGIN_KEYS, len(keys), namespace=self.namespace)
        loaded = await self._origin(keys)
        return {key: loaded[key] for key in keys if key in loaded}

    def _still_valid(self, values: dict[str, V], started: int) -> dict[str, V]:
        if not self._invalidated_at:
            return values
        return {
            key: value
            for key, value in values.items()
            if self._invalidated_at.get(key, 0) <= started
        }

    def _count(self, tier: str, hits: int, misses: int) -> None:
        self.metrics.inc(HITS, hits, tier=tier, namespace=self.namespace)
        self.metrics.inc(MISSES, misses, tier=tier, namespace=self.namespace)
