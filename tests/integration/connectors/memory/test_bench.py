import json

import pytest
import redis.asyncio as redis

from connectors.memory.bench import run_memory_bench
from mangaassist.cli import main
from tests.integration.conftest import REDIS_URL


async def test_run_memory_bench_reports_percentiles_and_cleans_up(
    redis_client: redis.Redis,
) -> None:
    before = {key async for key in redis_client.scan_iter(match="mangaassist:bench:memory:*")}
    report = await run_memory_bench(REDIS_URL, sessions=5, ops=60, max_turns=4)
    assert json.loads(json.dumps(report)) == report
    assert (report["sessions"], report["ops"], report["max_turns"]) == (5, 60, 4)
    for figures in (report["floor_get_set_ms"], report["load_remember_ms"]):
        assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"]
    after = {key async for key in redis_client.scan_iter(match="mangaassist:bench:memory:*")}
    assert after <= before


def test_the_bench_memory_command_prints_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench-memory", "--redis-url", REDIS_URL, "--sessions", "3", "--turns", "20"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["ops"] == 20
    assert "[bench]" in captured.err
