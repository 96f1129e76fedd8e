"""The retrieval stage reads product details through the catalog cache; prices stay live.

The cache is L1 only here (unit tests use no services); Redis, invalidation
events and the worker's /metrics are in tests/integration.
"""

from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.cache import CacheSettings, CacheSuite, caches_from_settings
from connectors.cache.metrics import HITS, ORIGIN_LOADS
from connectors.kafka import free_loopback_port
from connectors.store import load_store
from schemas import AvroCodec, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams.cache_agents import CATALOG_AGENT, PROMOTION_AGENT, start_caches, stop_caches
from streams.testing import pipeline_under_test
from tests.unit.connectors.cache.helpers import ChangingStore, ask_about_the_volume

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))
NEW_PRICE = 999


@pytest.fixture
def store() -> ChangingStore:
    return ChangingStore()


@pytest.fixture
async def caches(store: ChangingStore) -> AsyncIterator[CacheSuite]:
    suite = caches_from_settings(CacheSettings(redis_url=""), catalog=store)
    yield suite
    await suite.aclose()


async def test_the_second_turn_reads_details_from_the_cache_and_the_price_live(
    caches: CacheSuite, store: ChangingStore
) -> None:
    async with pipeline_under_test(CODEC, caches=caches) as (agents, sender):
        first, _ = await ask_about_the_volume(agents, sender, CODEC, "s1")
        paperback = first.context[0]
        hits = caches.metrics.count(HITS, namespace="products", tier="l1")
        old_price = f"¥{load_store().item_by_asin[paperback.ref_id].price_jpy:,}"
        store.prices[paperback.ref_id] = NEW_PRICE
        second, final = await ask_about_the_volume(agents, sender, CODEC, "s2")
    asins = [item.ref_id for item in first.context]
    assert len(asins) == 2  # the paperback and the Kindle edition
    assert store.detail_calls == [asins]  # details loaded once, by the first turn
    # The second turn's lines and its guard each read both products from L1.
    assert caches.metrics.count(HITS, namespace="products", tier="l1") == hits + 4
    # Each turn reads offers live twice: for the lines, and for the guard's grounding.
    assert caches.metrics.count(ORIGIN_LOADS, namespace="offers") == 4
    assert old_price in paperback.text
    assert [item.ref_id for item in second.context] == asins
    assert f"¥{NEW_PRICE:,}" in second.context[0].text
    assert second.context[1] == first.context[1]
    assert final.sources == tuple(asins)


async def test_the_reply_quotes_the_live_price(caches: CacheSuite, store: ChangingStore) -> None:
    async with pipeline_under_test(CODEC, caches=caches) as (agents, sender):
        first, _ = await ask_about_the_volume(agents, sender, CODEC, "s1")
        store.prices[first.context[0].ref_id] = NEW_PRICE
        _, final = await ask_about_the_volume(agents, sender, CODEC, "s2")
    assert f"¥{NEW_PRICE:,}" in final.text


async def test_the_invalidation_agents_come_with_the_caches(caches: CacheSuite) -> None:
    async with pipeline_under_test(CODEC, caches=caches) as (agents, _):
        assert {CATALOG_AGENT, PROMOTION_AGENT} <= set(agents)
    async with pipeline_under_test(CODEC) as (agents, _):
        assert set(agents) == {"intent", "retrieval", "generation", "guardrail"}


async def _get(port: int, path: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get(path)
    return f"{response.status_code} {response.headers['content-type']}", response.text


async def test_metrics_answer_with_the_hit_and_miss_lines(caches: CacheSuite) -> None:
    asin = next(iter(load_store().item_by_asin))
    port = free_loopback_port()
    server = await start_caches(caches, CacheSettings(redis_url="", metrics_port=port))
    assert server is not None
    try:
        await caches.catalog.get_products([asin])
        await caches.catalog.get_products([asin])
        status, text = await _get(port, "/metrics")
    finally:
        await stop_caches(caches, server)
    assert status == "200 text/plain; version=0.0.4; charset=utf-8"
    assert 'mangaassist_cache_hits_total{namespace="products",tier="l1"} 1' in text.splitlines()
    assert 'mangaassist_cache_misses_total{namespace="products",tier="l1"} 1' in text.splitlines()
    assert text == caches.render_prometheus()


async def test_a_taken_metrics_port_leaves_the_caches_working(
    caches: CacheSuite, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_loopback_port()
    settings = CacheSettings(redis_url="", metrics_port=port)
    first = await start_caches(caches, settings)
    try:
        assert await start_caches(caches, settings) is None
    finally:
        await stop_caches(caches, first)
    assert f"cache metrics not served on 127.0.0.1:{port}" in caplog.text
    assert await start_caches(caches, CacheSettings(redis_url="", metrics_port=0)) is None
