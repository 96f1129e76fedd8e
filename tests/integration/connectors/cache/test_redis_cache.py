"""The cache tiers against the real Redis (make test starts it); Redis failures through a proxy."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis.asyncio as redis

from connectors.cache import (
    CacheMetrics,
    CacheSettings,
    CacheSuite,
    ProductDetails,
    RedisCache,
    StoreOrigin,
    TieredCache,
    TtlCache,
    caches_from_settings,
)
from connectors.cache.metrics import HITS, REDIS_ERRORS, UNREADABLE
from connectors.cache.redis_cache import KEY_PREFIX
from connectors.kafka import free_loopback_port
from connectors.store import load_store
from schemas import CatalogChange
from tests.integration.conftest import REDIS_URL
from tests.integration.connectors.cache.conftest import RedisProxy
from tests.unit.connectors.cache.helpers import CountingLoader, FakeCatalog

ASINS = ("B0AAAAAAA1", "B0AAAAAAA2", "B0AAAAAAA3")


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def products_cache(
    client: redis.Redis, prefix: str, origin: Any, metrics: CacheMetrics | None = None
) -> TieredCache[ProductDetails]:
    metrics = metrics or CacheMetrics()
    return TieredCache(
        "products",
        TtlCache[ProductDetails](100, 30),
        RedisCache(client, metrics, key_prefix=prefix),
        origin.product_details,
        value_type=ProductDetails,
        ttl_s=600,
        metrics=metrics,
    )


@pytest.fixture
async def suites(key_prefix: str) -> AsyncIterator[Callable[..., CacheSuite]]:
    """Builds cache suites (one per simulated process) on the real Redis; closes them after."""
    made: list[CacheSuite] = []

    def make(catalog: FakeCatalog, url: str = REDIS_URL, **settings: Any) -> CacheSuite:
        options = {"redis_url": url, "retry_after_s": 0.2, **settings}
        suite = caches_from_settings(
            CacheSettings.model_validate(options), catalog=catalog, key_prefix=key_prefix
        )
        made.append(suite)
        return suite

    yield make
    for suite in made:
        await suite.aclose()


async def test_values_are_json_under_the_namespaced_key_with_a_ttl_and_no_price(
    redis_client: redis.Redis,
) -> None:
    item = next(iter(load_store().item_by_asin.values()))
    namespace = f"t{uuid.uuid4().hex[:12]}"  # the default prefix, a namespace of this test's own
    origin = StoreOrigin()
    cache = TieredCache(
        namespace,
        TtlCache[ProductDetails](10, 30),
        RedisCache(redis_client, CacheMetrics()),
        origin.product_details,
        value_type=ProductDetails,
        ttl_s=600,
    )
    key = f"{KEY_PREFIX}{namespace}:{item.asin}"
    assert key == f"mangaassist:cache:{namespace}:{item.asin}"
    try:
        await cache.get(item.asin)
        raw = await redis_client.get(key)
        assert raw is not None
        stored = json.loads(raw)
        assert stored == json.loads(ProductDetails.from_item(item).model_dump_json())
        assert not {"price_jpy", "availability", "stock"} & set(stored)
        assert 590_000 < await redis_client.pttl(key) <= 600_000
    finally:
        await redis_client.delete(key)


async def test_l1_then_redis_then_the_origin_with_write_back(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    origin = FakeCatalog(ASINS)
    first = products_cache(redis_client, key_prefix, origin)
    assert set(await first.get_many(ASINS)) == set(ASINS)
    assert origin.detail_calls == [list(ASINS)]
    # Another process: its own empty L1, the same Redis.
    metrics = CacheMetrics()
    second = products_cache(redis_client, key_prefix, origin, metrics)
    assert await second.get_many(ASINS) == await first.get_many(ASINS)
    assert origin.detail_calls == [list(ASINS)]
    assert metrics.count(HITS, tier="l2") == 3
    assert len(second.l1) == 3  # copied into L1 on the way
    await second.get_many(ASINS)
    assert metrics.count(HITS, tier="l1") == 3


async def test_many_keys_are_read_in_one_round_trip(
    redis_client: redis.Redis, key_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asins = [f"B0{n:08d}" for n in range(50)]
    origin = FakeCatalog(asins)
    await products_cache(redis_client, key_prefix, origin).get_many(asins)
    commands: list[str] = []
    execute = redis_client.execute_command

    async def spy(*args: Any, **options: Any) -> Any:
        commands.append(str(args[0]))
        return await execute(*args, **options)

    monkeypatch.setattr(redis_client, "execute_command", spy)
    fresh = products_cache(redis_client, key_prefix, origin)
    assert len(await fresh.get_many(asins)) == 50
    assert commands == ["MGET"]


async def test_a_value_expires_from_redis_after_its_ttl(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    loader = CountingLoader({"a": "A"})
    metrics = CacheMetrics()

    def cache() -> TieredCache[str]:
        l2 = RedisCache(redis_client, metrics, key_prefix=key_prefix)
        return TieredCache("things", TtlCache[str](10, 30), l2, loader, value_type=str, ttl_s=0.2)

    await cache().get("a")
    assert await redis_client.exists(f"{key_prefix}things:a")
    await asyncio.sleep(0.3)
    assert await cache().get("a") == "A"
    assert len(loader.calls) == 2


async def test_an_unreadable_value_is_a_miss_and_is_written_over(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    origin = FakeCatalog(ASINS)
    metrics = CacheMetrics()
    key = f"{key_prefix}products:B0AAAAAAA1"
    await redis_client.set(key, b'{"asin": "B0AAAAAAA1", "price_jpy": 1}')
    cache = products_cache(redis_client, key_prefix, origin, metrics)
    assert (await cache.get("B0AAAAAAA1")) == origin.details["B0AAAAAAA1"]
    assert metrics.count(UNREADABLE, namespace="products") == 1
    assert ProductDetails.model_validate_json(await redis_client.get(key) or b"")


async def test_an_invalidation_reaches_redis_and_the_l1_of_every_process(
    suites: Callable[..., CacheSuite], redis_client: redis.Redis, key_prefix: str
) -> None:
    origin = FakeCatalog(ASINS)
    worker, bridge = suites(origin), suites(origin)
    for suite in (worker, bridge):
        suite.start()
        assert suite.listener is not None
        assert await suite.listener.wait_subscribed()
    await worker.catalog.get_products(ASINS)
    await bridge.catalog.get_products(ASINS)  # from Redis, into its own L1
    assert origin.detail_calls == [list(ASINS)]
    origin.details["B0AAAAAAA2"] = origin.details["B0AAAAAAA2"].model_copy(
        update={"title_en": "Renamed"}
    )
    # The consumer group hands the change to one worker only.
    assert await worker.apply_catalog_change(CatalogChange(asins=("B0AAAAAAA2",), kind="updated"))
    assert not await redis_client.exists(f"{key_prefix}products:B0AAAAAAA2")
    await eventually(lambda: bridge.catalog.products.l1.get("B0AAAAAAA2") is None)
    assert bridge.listener is not None
    assert worker.listener is not None
    assert (bridge.listener.applied, worker.listener.applied) == (1, 0)  # no echo to itself
    assert bridge.catalog.products.l1.get("B0AAAAAAA1") is not None
    product = await bridge.catalog.get_product("B0AAAAAAA2")
    assert product is not None
    assert product.details.title_en == "Renamed"
    assert origin.detail_calls == [list(ASINS), ["B0AAAAAAA2"]]
    # Delivered again: harmless.
    assert await worker.apply_catalog_change(CatalogChange(asins=("B0AAAAAAA2",), kind="updated"))


async def test_with_redis_down_reads_come_from_the_origin_and_never_raise(
    suites: Callable[..., CacheSuite], redis_proxy: RedisProxy
) -> None:
    origin = FakeCatalog(ASINS)
    suite = suites(origin, redis_proxy.url)
    await suite.catalog.get_products(ASINS)
    await redis_proxy.cut()
    suite.catalog.products.clear_local()
    started = time.monotonic()
    for _ in range(20):
        products = await suite.catalog.get_products(ASINS)
        assert set(products) == set(ASINS)
        suite.catalog.products.clear_local()
    assert time.monotonic() - started < 1.0
    assert suite.metrics.count(REDIS_ERRORS) >= 1
    assert len(origin.detail_calls) >= 20


async def test_a_black_holed_redis_costs_one_timeout_then_nothing(
    suites: Callable[..., CacheSuite], redis_proxy: RedisProxy
) -> None:
    origin = FakeCatalog(ASINS)
    suite = suites(origin, redis_proxy.url, timeout_s=0.1, retry_after_s=5.0)
    await redis_proxy.hang()
    started = time.monotonic()
    assert set(await suite.catalog.get_products(ASINS)) == set(ASINS)
    assert time.monotonic() - started < 0.5
    started = time.monotonic()
    for _ in range(20):
        suite.catalog.products.clear_local()
        await suite.catalog.get_products(ASINS)
    assert time.monotonic() - started < 0.2  # Redis is skipped for retry_after_s
    assert suite.metrics.count(REDIS_ERRORS) == 1


async def test_nothing_listening_at_all_is_the_same_degraded_mode(
    suites: Callable[..., CacheSuite],
) -> None:
    origin = FakeCatalog(ASINS)
    suite = suites(origin, f"redis://127.0.0.1:{free_loopback_port()}/0")
    assert set(await suite.catalog.get_products(ASINS)) == set(ASINS)
    assert suite.metrics.count(REDIS_ERRORS) >= 1


async def test_after_an_outage_missed_invalidations_are_applied(
    suites: Callable[..., CacheSuite],
    redis_proxy: RedisProxy,
    redis_client: redis.Redis,
    key_prefix: str,
) -> None:
    origin = FakeCatalog(ASINS)
    # A process cut off from Redis, and one that still reaches it.
    cut_off, healthy = suites(origin, redis_proxy.url), suites(origin)
    for suite in (cut_off, healthy):
        suite.start()
        assert suite.listener is not None
        assert await suite.listener.wait_subscribed()
    await cut_off.catalog.get_products(ASINS)
    await healthy.catalog.get_products(ASINS)
    await redis_proxy.cut()
    assert cut_off.listener is not None
    await eventually(lambda: not cut_off.listener.subscribed.is_set())  # type: ignore[union-attr]
    # 1. The cut-off process consumes a change: its L1 drops at once, Redis must wait.
    assert not await cut_off.apply_catalog_change(
        CatalogChange(asins=("B0AAAAAAA1",), kind="updated")
    )
    assert cut_off.catalog.products.l1.get("B0AAAAAAA1") is None
    assert await redis_client.exists(f"{key_prefix}products:B0AAAAAAA1")
    # 2. The healthy process consumes another: the cut-off one cannot hear about it.
    assert await healthy.apply_catalog_change(CatalogChange(asins=("B0AAAAAAA3",), kind="updated"))
    assert cut_off.catalog.products.l1.get("B0AAAAAAA3") is not None
    await redis_proxy.restore()
    # On resubscribing, the listener clears its L1: whatever it missed is gone too.
    await eventually(lambda: cut_off.listener.subscribed.is_set())  # type: ignore[union-attr]
    await eventually(lambda: len(cut_off.catalog.products.l1) == 0)
    # The pending invalidation goes out with the next call that reaches Redis.
    await asyncio.sleep(0.25)  # retry_after_s
    await cut_off.catalog.get_products(["B0AAAAAAA2"])
    assert cut_off.redis is not None
    assert cut_off.redis.pending_invalidations == 0
    await eventually(lambda: healthy.catalog.products.l1.get("B0AAAAAAA1") is None)
