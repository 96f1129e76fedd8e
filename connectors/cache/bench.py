"""``mangaassist bench-cache``: what a catalog product lookup costs from each tier.

A lookup is :meth:`CachedCatalog.get_product`: cached details joined with the
live offer (read from the origin on every call, as in production). It is timed
three ways, interleaved lookup by lookup so drift hits all alike:

* **L1 hit**: the details are in process;
* **L2 hit**: L1 is cleared of the product first, Redis holds it;
* **origin miss**: L1 and Redis are cleared first; the origin loads it and
  the value is written back to both.

Floors are measured in the same run on the same data: a dict lookup of the
details, and a raw Redis ``GET`` of the same JSON payload on the same client.
The origin is the in-memory synthetic store, so "origin miss" is the cache's
own overhead on a miss (two Redis round trips and a JSON encode); a remote
catalog service adds its own latency on top.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.cache.exceptions import CacheError
from connectors.cache.facades import CachedCatalog
from connectors.cache.metrics import REDIS_ERRORS, CacheMetrics
from connectors.cache.models import ProductDetails
from connectors.cache.origins import StoreOrigin
from connectors.cache.redis_cache import DEFAULT_TIMEOUT_S, RedisCache, redis_client
from connectors.cache.tiered import TieredCache
from connectors.cache.ttl import TtlCache
from connectors.store import load_store
from connectors.store.models import Series
from mangaassist.bench import emit_json, percentiles, progress

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TARGET_P99_MS = {"l1_hit": 1.0, "l2_hit": 3.0}
WARMUP_ROUNDS = 100
_TTL_S = 3600


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def run_cache_bench(
    redis_url: str = DEFAULT_REDIS_URL,
    lookups: int = 2000,
    *,
    products: int = 200,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> dict[str, Any]:
    """p50/p95/p99 in milliseconds of product lookups from L1, from Redis and on a miss."""
    if lookups < 1 or products < 1:
        raise CacheError("lookups and products must be at least 1")
    prefix = f"mangaassist:bench:cache:{uuid.uuid4().hex}:"
    client = redis_client(redis_url, timeout_s)
    metrics = CacheMetrics()
    if not await RedisCache(client, metrics).ping():
        await client.aclose()
        raise CacheError(f"the cache bench needs Redis, and {redis_url} does not answer")
    try:
        origin = StoreOrigin()
        l2 = RedisCache(client, metrics, key_prefix=prefix)
        details = TieredCache(
            "products",
            TtlCache[ProductDetails](products * 2, _TTL_S),
            l2,
            origin.product_details,
            value_type=ProductDetails,
            ttl_s=_TTL_S,
            metrics=metrics,
        )
        series = TieredCache(
            "series",
            TtlCache[Series](1000, _TTL_S),
            l2,
            origin.series,
            value_type=Series,
            ttl_s=_TTL_S,
            metrics=metrics,
        )
        catalog = CachedCatalog(details, series, origin)
        asins = sorted(load_store().item_by_asin)[:products]
        progress(f"warming {len(asins)} products into L1 and Redis")
        held = await details.get_many(asins)
        floor = dict(held)
        keys = {asin: l2.key("products", asin) for asin in asins}
        timings: dict[str, list[float]] = {
            name: [] for name in ("dict", "redis_get", "l1_hit", "l2_hit", "origin_miss")
        }

        async def one_round(asin: str) -> tuple[float, ...]:
            started = time.perf_counter()
            floor.get(asin)
            in_dict = _ms(started)
            started = time.perf_counter()
            await client.get(keys[asin])
            raw_get = _ms(started)
            started = time.perf_counter()
            await catalog.get_product(asin)
            l1_hit = _ms(started)
            details.l1.delete_many((asin,))
            started = time.perf_counter()
            await catalog.get_product(asin)
            l2_hit = _ms(started)
            details.l1.delete_many((asin,))
            await client.delete(keys[asin])
            started = time.perf_counter()
            await catalog.get_product(asin)
            return in_dict, raw_get, l1_hit, l2_hit, _ms(started)

        for number in range(min(WARMUP_ROUNDS, lookups)):  # first calls pay one-off costs
            await one_round(asins[number % len(asins)])
        progress(f"timing {lookups} lookups per tier, with both floors")
        for number in range(lookups):
            for name, value in zip(
                timings, await one_round(asins[number % len(asins)]), strict=True
            ):
                timings[name].append(value)
        payload = await client.get(keys[asins[0]])
    finally:
        stale = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if stale:
            await client.delete(*stale)
        await client.aclose()
    figures = {name: percentiles(values) for name, values in timings.items()}
    address = urlsplit(redis_url)
    return {
        "redis": f"{address.hostname}:{address.port or 6379}",
        "lookups": lookups,
        "products": len(asins),
        "payload_bytes": len(payload or b""),
        "floor_dict_ms": figures["dict"],
        "floor_redis_get_ms": figures["redis_get"],
        "l1_hit_ms": figures["l1_hit"],
        "l2_hit_ms": figures["l2_hit"],
        "origin_miss_ms": figures["origin_miss"],
        "l2_p50_over_redis_get": round(figures["l2_hit"]["p50"] / figures["redis_get"]["p50"], 2),
        "redis_errors": int(metrics.count(REDIS_ERRORS)),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": {
            tier: figures[tier]["p99"] <= target for tier, target in TARGET_P99_MS.items()
        },
    }


def add_bench_cache_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--lookups", type=int, default=2000, help="timed lookups per tier")
    parser.add_argument("--products", type=int, default=200, help="distinct products looked up")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="Redis timeout in seconds"
    )
    parser.add_argument("--output", type=Path, help="also write the JSON here")


def run_bench_cache_command(args: argparse.Namespace) -> int:
    result = asyncio.run(
        run_cache_bench(
            args.redis_url, args.lookups, products=args.products, timeout_s=args.timeout
        )
    )
    emit_json(result, args.output)
    return 0
