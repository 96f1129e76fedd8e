import argparse
import json

import pytest
import redis.asyncio as redis

from connectors.cache import CacheError
from connectors.cache.bench import (
    add_bench_cache_arguments,
    run_bench_cache_command,
    run_cache_bench,
)
from connectors.kafka import free_loopback_port
from tests.integration.conftest import REDIS_URL


async def test_run_cache_bench_reports_percentiles_and_cleans_up(redis_client: redis.Redis) -> None:
    before = {key async for key in redis_client.scan_iter(match="mangaassist:bench:cache:*")}
    report = await run_cache_bench(REDIS_URL, lookups=50, products=10)
    assert json.loads(json.dumps(report)) == report
    assert (report["lookups"], report["products"], report["redis_errors"]) == (50, 10, 0)
    assert report["payload_bytes"] > 0
    for name in ("floor_redis_get_ms", "l1_hit_ms", "l2_hit_ms", "origin_miss_ms"):
        figures = report[name]
        assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"], name
    assert report["l1_hit_ms"]["p50"] < report["l2_hit_ms"]["p50"]
    assert set(report["meets_target"]) == {"l1_hit", "l2_hit"}
    after = {key async for key in redis_client.scan_iter(match="mangaassist:bench:cache:*")}
    assert after <= before


async def test_the_bench_needs_redis() -> None:
    with pytest.raises(CacheError):
        await run_cache_bench(f"redis://127.0.0.1:{free_loopback_port()}/0", lookups=5)


def test_the_bench_cache_command_prints_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_bench_cache_arguments(parser)
    args = parser.parse_args(["--redis-url", REDIS_URL, "--lookups", "20", "--products", "5"])
    assert run_bench_cache_command(args) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["lookups"] == 20
    assert "[bench]" in captured.err
