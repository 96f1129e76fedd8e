import httpx

from connectors.cache import (
    PROMETHEUS_CONTENT_TYPE,
    CacheMetrics,
    TieredCache,
    TtlCache,
    render_prometheus,
    serve_metrics,
)
from connectors.cache.metrics import HITS, MISSES, REDIS_ERRORS
from tests.unit.connectors.cache.helpers import CountingLoader


def test_an_empty_registry_renders_nothing_and_has_no_hit_rate() -> None:
    metrics = CacheMetrics()
    assert render_prometheus(metrics) == ""
    assert metrics.hit_rate() == 0.0


def test_counters_render_in_the_text_exposition_format() -> None:
    metrics = CacheMetrics()
    metrics.inc(HITS, 3, tier="l1", namespace="products")
    metrics.inc(MISSES, tier="l1", namespace="products")
    metrics.inc(REDIS_ERRORS, operation="get")
    metrics.inc(REDIS_ERRORS, 0, operation="set")  # nothing to count: no series
    text = render_prometheus(metrics)
    assert text.endswith("\n")
    assert text.splitlines() == [
        "# HELP mangaassist_cache_hits_total Keys a cache tier answered.",
        "# TYPE mangaassist_cache_hits_total counter",
        'mangaassist_cache_hits_total{namespace="products",tier="l1"} 3',
        "# HELP mangaassist_cache_misses_total Keys a cache tier did not hold.",
        "# TYPE mangaassist_cache_misses_total counter",
        'mangaassist_cache_misses_total{namespace="products",tier="l1"} 1',
        "# HELP mangaassist_cache_redis_errors_total Redis calls that failed or timed out.",
        "# TYPE mangaassist_cache_redis_errors_total counter",
        'mangaassist_cache_redis_errors_total{operation="get"} 1',
    ]


def test_label_values_are_escaped() -> None:
    metrics = CacheMetrics()
    metrics.inc(REDIS_ERRORS, operation='a"b\\c\nd')
    assert 'operation="a\\"b\\\\c\\nd"' in render_prometheus(metrics)


def test_hit_rate_overall_per_tier_and_per_namespace() -> None:
    metrics = CacheMetrics()
    metrics.inc(HITS, 6, tier="l1", namespace="products")
    metrics.inc(MISSES, 4, tier="l1", namespace="products")
    metrics.inc(HITS, 3, tier="l2", namespace="products")
    metrics.inc(MISSES, 1, tier="l2", namespace="products")
    metrics.inc(MISSES, 10, tier="l1", namespace="promotions")
    metrics.inc(MISSES, 10, tier="l2", namespace="promotions")
    assert metrics.hit_rate("products") == 0.9
    assert metrics.hit_rate("products", "l2") == 0.75
    assert metrics.hit_rate() == 0.45
    assert metrics.hit_rate("recommendations") == 0.0
    assert metrics.snapshot()['mangaassist_cache_hits_total{namespace="products",tier="l2"}'] == 3


async def test_l1_sizes_are_a_gauge_read_at_render_time() -> None:
    metrics = CacheMetrics()
    cache = TieredCache(
        "things",
        TtlCache[str](10, 60),
        None,
        CountingLoader({"a": "A"}),
        value_type=str,
        ttl_s=60,
        metrics=metrics,
    )
    assert 'mangaassist_cache_l1_entries{namespace="things"} 0' in render_prometheus(metrics)
    await cache.get("a")
    text = render_prometheus(metrics)
    assert "# TYPE mangaassist_cache_l1_entries gauge" in text
    assert 'mangaassist_cache_l1_entries{namespace="things"} 1' in text


async def test_serve_metrics_answers_a_scrape() -> None:
    metrics = CacheMetrics()
    metrics.inc(HITS, tier="l1", namespace="products")
    server = await serve_metrics(metrics, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            scrape = await client.get("/metrics")
            assert scrape.status_code == 200
            assert scrape.headers["content-type"] == PROMETHEUS_CONTENT_TYPE
            assert scrape.text == render_prometheus(metrics)
            assert (await client.get("/other")).status_code == 404
    finally:
        server.close()
        await server.wait_closed()
