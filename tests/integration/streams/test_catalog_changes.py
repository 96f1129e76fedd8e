"""A catalog change invalidates the product details the retrieval stage reads, in the real Redis.

The pipeline and invalidation agents share one cache suite (L1 + Redis), as on
the worker; the agents run under faust's test_context(). The running worker,
fed through the real broker, is checked in tests/integration/test_end_to_end.py.
"""

from __future__ import annotations

import json

import redis.asyncio as redis

from connectors.cache import CacheSettings, caches_from_settings
from schemas import CatalogChange, default_codec
from streams.cache_agents import CATALOG_AGENT
from streams.testing import pipeline_under_test, put
from tests.integration.conftest import REDIS_URL
from tests.unit.connectors.cache.helpers import ChangingStore, ask_about_the_volume

CODEC = default_codec()
NEW_TITLE = "Hero of the Twilight Capital, Vol. 3 (Revised Edition)"


async def test_a_catalog_change_is_read_by_the_next_turn(
    key_prefix: str, redis_client: redis.Redis
) -> None:
    store = ChangingStore()
    settings = CacheSettings(redis_url=REDIS_URL)
    caches = caches_from_settings(settings, catalog=store, key_prefix=key_prefix)
    try:
        async with pipeline_under_test(CODEC, caches=caches) as (agents, sender):
            first, _ = await ask_about_the_volume(agents, sender, CODEC, "s1")
            asin = first.context[0].ref_id
            store.titles_en[asin] = NEW_TITLE
            cached, _ = await ask_about_the_volume(agents, sender, CODEC, "s2")
            await put(agents[CATALOG_AGENT], CODEC, CatalogChange(asins=(asin,), kind="updated"))
            renamed, final = await ask_about_the_volume(agents, sender, CODEC, "s3")
    finally:
        await caches.aclose()
    assert cached.context == first.context  # the old title, from the cache
    assert renamed.context[0].title == NEW_TITLE
    assert NEW_TITLE in final.text
    assert renamed.context[1] == first.context[1]  # the other edition, still cached
    assert store.detail_calls == [[item.ref_id for item in first.context], [asin]]
    # Redis was invalidated too, and holds the new details: another process reads them.
    stored = await redis_client.get(f"{key_prefix}products:{asin}")
    assert stored is not None
    assert json.loads(stored)["title_en"] == NEW_TITLE
    other_process = ChangingStore()
    other = caches_from_settings(settings, catalog=other_process, key_prefix=key_prefix)
    try:
        product = await other.catalog.get_product(asin)
    finally:
        await other.aclose()
    assert product is not None
    assert product.details.title_en == NEW_TITLE
    assert other_process.detail_calls == []
