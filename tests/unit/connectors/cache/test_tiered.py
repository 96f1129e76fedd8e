"""TieredCache with L1 only (Redis is covered by the integration tests)."""

import asyncio

import pytest

from connectors.cache import CacheMetrics, TieredCache, TtlCache
from connectors.cache.metrics import HITS, INVALIDATED, JOINED, MISSES, ORIGIN_KEYS, ORIGIN_LOADS
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.cache.helpers import CountingLoader, FakeClock

VALUES = {"a": "A", "b": "B", "c": "C"}


async def settle() -> None:
    """Let every task that can run, run (a read starts its load in a task of its own)."""
    for _ in range(5):
        await asyncio.sleep(0)


def make(loader: CountingLoader, clock: FakeClock | None = None) -> TieredCache[str]:
    l1 = TtlCache[str](100, 30, clock=clock or FakeClock())
    return TieredCache("things", l1, None, loader, value_type=str, ttl_s=60)


async def test_misses_are_loaded_in_one_batch_then_answered_from_l1() -> None:
    loader = CountingLoader(VALUES)
    cache = make(loader)
    assert await cache.get_many(["c", "a", "zz", "a"]) == {"c": "C", "a": "A"}
    assert loader.calls == [["c", "a", "zz"]]
    assert await cache.get_many(["a", "b", "c"]) == {"a": "A", "b": "B", "c": "C"}
    assert loader.calls == [["c", "a", "zz"], ["b"]]
    assert await cache.get("a") == "A"
    assert await cache.get("zz") is None  # unknown keys are not cached: asked again
    assert loader.calls[-1] == ["zz"]


async def test_the_answer_keeps_the_order_asked() -> None:
    cache = make(CountingLoader(VALUES))
    await cache.get("b")
    assert list(await cache.get_many(["c", "b", "a"])) == ["c", "b", "a"]


async def test_l1_entries_expire_and_are_loaded_again() -> None:
    loader, clock = CountingLoader(VALUES), FakeClock()
    cache = make(loader, clock)
    await cache.get("a")
    clock.advance(31)
    loader.values["a"] = "A2"
    assert await cache.get("a") == "A2"
    assert len(loader.calls) == 2


async def test_invalidate_drops_the_keys_and_is_harmless_twice() -> None:
    loader = CountingLoader(VALUES)
    cache = make(loader)
    await cache.get_many(["a", "b"])
    loader.values["a"] = "A2"
    assert await cache.invalidate(["a", "unknown"])
    assert await cache.invalidate(["a", "unknown"])
    assert await cache.get_many(["a", "b"]) == {"a": "A2", "b": "B"}
    assert loader.calls[-1] == ["a"]
    assert await cache.invalidate([])


async def test_concurrent_misses_of_one_key_share_one_load() -> None:
    loader = CountingLoader(VALUES)
    loader.gate = asyncio.Event()
    cache = make(loader)
    readers = [asyncio.create_task(cache.get_many(["a", "b"])) for _ in range(5)]
    readers.append(asyncio.create_task(cache.get_many(["b", "c"])))
    await settle()
    loader.gate.set()
    results = await asyncio.gather(*readers)
    assert results[:5] == [{"a": "A", "b": "B"}] * 5
    assert results[5] == {"b": "B", "c": "C"}
    assert loader.calls == [["a", "b"], ["c"]]
    assert cache.metrics.count(JOINED) == 9  # 4 readers x 2 keys + b of the last one


async def test_a_reader_that_gives_up_does_not_cancel_the_load_for_the_others() -> None:
    loader = CountingLoader(VALUES)
    loader.gate = asyncio.Event()
    cache = make(loader)
    first = asyncio.create_task(cache.get("a"))
    await settle()
    second = asyncio.create_task(cache.get("a"))
    await settle()
    first.cancel()
    loader.gate.set()
    assert await second == "A"
    assert first.cancelled()
    assert cache.l1.get("a") == "A"
    assert loader.calls == [["a"]]


async def test_an_origin_error_reaches_every_waiting_reader_and_is_not_cached() -> None:
    loader = CountingLoader(VALUES)
    loader.gate = asyncio.Event()
    loader.error = RuntimeError("catalog down")
    cache = make(loader)
    readers = [asyncio.create_task(cache.get("a")) for _ in range(3)]
    await settle()
    loader.gate.set()
    for result in await asyncio.gather(*readers, return_exceptions=True):
        assert isinstance(result, RuntimeError)
    loader.error = None
    assert await cache.get("a") == "A"
    assert len(loader.calls) == 2


async def test_an_abandoned_failed_load_leaves_no_unretrieved_exception() -> None:
    loader = CountingLoader(VALUES)
    loader.gate = asyncio.Event()
    loader.error = RuntimeError("catalog down")
    cache = make(loader)
    reader = asyncio.create_task(cache.get("a"))
    await settle()
    reader.cancel()
    loader.gate.set()
    await settle()
    assert not cache._inflight


async def test_a_load_overtaken_by_an_invalidation_is_not_cached() -> None:
    loader = CountingLoader(VALUES)
    loader.gate = asyncio.Event()
    cache = make(loader)
    stale_read = asyncio.create_task(cache.get("a"))
    await settle()
    await cache.invalidate(["a"])  # e.g. the price list changed while the origin answered
    loader.values["a"] = "A2"
    loader.gate.set()
    assert await stale_read == "A"  # the reader asked before the change
    assert cache.l1.get("a") is None
    assert await cache.get("a") == "A2"


async def test_a_read_after_an_invalidation_does_not_join_the_stale_load() -> None:
    loader = CountingLoader(VALUES)
    loader.gate = asyncio.Event()
    cache = make(loader)
    stale_read = asyncio.create_task(cache.get("a"))
    await settle()
    cache.invalidate_local(["a"])
    loader.values["a"] = "A2"
    fresh_read = asyncio.create_task(cache.get("a"))
    await settle()
    assert loader.calls == [["a"], ["a"]]
    loader.gate.set()
    assert (await stale_read, await fresh_read) == ("A", "A2")
    assert cache.l1.get("a") == "A2"


async def test_clear_local_forgets_everything() -> None:
    loader = CountingLoader(VALUES)
    cache = make(loader)
    await cache.get_many(VALUES)
    cache.clear_local()
    assert len(cache.l1) == 0


async def test_metrics_count_hits_misses_and_origin_loads() -> None:
    metrics = CacheMetrics()
    cache = TieredCache(
        "things",
        TtlCache[str](10, 30),
        None,
        CountingLoader(VALUES),
        value_type=str,
        ttl_s=60,
        metrics=metrics,
    )
    await cache.get_many(["a", "b"])
    await cache.get_many(["a", "b", "c"])
    await cache.get("a")
    await cache.invalidate(["a"])
    assert metrics.count(HITS, tier="l1", namespace="things") == 3
    assert metrics.count(MISSES, tier="l1", namespace="things") == 3
    assert metrics.count(ORIGIN_LOADS, namespace="things") == 2
    assert metrics.count(ORIGIN_KEYS, namespace="things") == 3
    assert metrics.count(INVALIDATED, namespace="things") == 1
    assert metrics.hit_rate("things") == 0.5
    assert metrics.hit_rate("things", "l1") == 0.5


@pytest.mark.parametrize("namespace", ["", "Products", "a:b", "1st"])
def test_a_namespace_that_would_blur_keys_is_refused(namespace: str) -> None:
    with pytest.raises(ConfigurationError):
        TieredCache(namespace, TtlCache[str](1, 1), None, CountingLoader(), value_type=str, ttl_s=1)


def test_a_ttl_that_cannot_work_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        TieredCache("things", TtlCache[str](1, 1), None, CountingLoader(), value_type=str, ttl_s=0)
