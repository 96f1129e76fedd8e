"""The cache invalidation agents, driven with faust's test_context(): no broker, no Redis."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from faust.types import AgentT

from connectors.cache import CacheSettings, CacheSuite, caches_from_settings
from connectors.cache.metrics import INVALIDATED
from schemas import AvroCodec, CatalogChange, DeadLetter, Event, PromotionChange, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams.app import create_app
from streams.cache_agents import (
    CATALOG_AGENT,
    PROMOTION_AGENT,
    change_key,
    register_cache_invalidation,
)
from streams.settings import KafkaSettings
from streams.testing import RecordingSender
from streams.topics import DEADLETTER
from tests.unit.connectors.cache.helpers import FakeCatalog, FakePromotions, promotion

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))
ASINS = ("B0AAAAAAA1", "B0AAAAAAA2", "B0AAAAAAA3")
NOW = datetime.now(UTC)
Harness = tuple[dict[str, AgentT], RecordingSender, CacheSuite, FakeCatalog, FakePromotions]


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    app = create_app("pipeline", KafkaSettings(app_id="unit-test"))
    sender = RecordingSender(CODEC)
    catalog = FakeCatalog(ASINS)
    promotions = FakePromotions([promotion("p1", NOW - timedelta(days=1), NOW + timedelta(days=1))])
    suite = caches_from_settings(
        CacheSettings(redis_url=""), catalog=catalog, promotions=promotions
    )
    agents = register_cache_invalidation(app, KafkaSettings(), CODEC, suite, sender)
    app.finalize()
    app.flow_control.resume()
    yield agents, sender, suite, catalog, promotions
    await suite.aclose()
    consumer = app._consumer  # see test_pipeline_agents: its loop is never closed otherwise
    if consumer is not None:
        consumer._thread.thread_loop.close()


async def put(agent: AgentT, event: CatalogChange | PromotionChange) -> None:
    async with agent.test_context() as running:
        await running.put(CODEC.encode(event), key=change_key(event))


def test_both_agents_are_registered(harness: Harness) -> None:
    agents, *_ = harness
    assert set(agents) == {CATALOG_AGENT, PROMOTION_AGENT}


async def test_a_catalog_change_drops_the_named_products_only(harness: Harness) -> None:
    agents, sender, suite, catalog, _ = harness
    await suite.catalog.get_products(ASINS)
    catalog.details["B0AAAAAAA1"] = catalog.details["B0AAAAAAA1"].model_copy(
        update={"title_en": "Renamed"}
    )
    await put(agents[CATALOG_AGENT], CatalogChange(asins=("B0AAAAAAA1",), kind="updated"))
    products = await suite.catalog.get_products(ASINS)
    assert products["B0AAAAAAA1"].details.title_en == "Renamed"
    assert catalog.detail_calls == [list(ASINS), ["B0AAAAAAA1"]]
    assert sender.sent == []


async def test_a_change_delivered_twice_is_harmless(harness: Harness) -> None:
    agents, sender, suite, catalog, _ = harness
    await suite.catalog.get_products(ASINS)
    change = CatalogChange(asins=("B0AAAAAAA2", "B0AAAAAAA3"), series_ids=("s1",), kind="deleted")
    await put(agents[CATALOG_AGENT], change)
    await put(agents[CATALOG_AGENT], change)
    assert suite.metrics.count(INVALIDATED, namespace="products") == 4
    assert suite.metrics.count(INVALIDATED, namespace="series") == 2
    await suite.catalog.get_products(ASINS)
    assert catalog.detail_calls[-1] == ["B0AAAAAAA2", "B0AAAAAAA3"]
    assert sender.sent == []


async def test_a_promotion_change_drops_the_active_list(harness: Harness) -> None:
    agents, _, suite, _, promotions = harness
    assert [p.id for p in await suite.promotions.active()] == ["p1"]
    promotions.promotions.clear()  # p1 was ended early
    await put(agents[PROMOTION_AGENT], PromotionChange(promotion_ids=("p1",), kind="deleted"))
    assert await suite.promotions.active() == ()


async def test_garbage_and_wrong_events_are_dead_lettered_and_the_agent_goes_on(
    harness: Harness,
) -> None:
    agents, sender, suite, catalog, _ = harness
    await suite.catalog.get_products(ASINS)
    wrong: Event = PromotionChange(promotion_ids=("p1",), kind="updated")
    async with agents[CATALOG_AGENT].test_context() as running:
        await running.put(b"not avro", key=b"B0AAAAAAA1")
        await running.put(CODEC.encode(wrong), key=b"p1")
        change = CatalogChange(asins=("B0AAAAAAA1",), kind="updated")
        await running.put(CODEC.encode(change), key=b"B0AAAAAAA1")
    letters = sender.on(DEADLETTER)
    assert len(letters) == 2
    assert all(isinstance(letter, DeadLetter) for letter in letters)
    await suite.catalog.get_products(ASINS)
    assert catalog.detail_calls[-1] == ["B0AAAAAAA1"]  # the good one still invalidated


def test_change_keys() -> None:
    assert change_key(CatalogChange(asins=("B0A", "B0B"), kind="updated")) == b"B0A"
    assert change_key(CatalogChange(series_ids=("series-9",), kind="updated")) == b"series-9"
    assert change_key(PromotionChange(promotion_ids=("p7",), kind="created")) == b"p7"
    assert change_key(PromotionChange(kind="created")) == b"promotions"


def test_change_events_round_trip_through_the_codec() -> None:
    change = CatalogChange(asins=("B0A",), series_ids=("s",), kind="updated")
    assert CODEC.decode(CODEC.encode(change)) == change
    assert (change.session_id, change.turn_id) == ("catalog", "")
    promo = PromotionChange(promotion_ids=("p1", "p2"), kind="deleted")
    assert CODEC.decode(CODEC.encode(promo)) == promo
