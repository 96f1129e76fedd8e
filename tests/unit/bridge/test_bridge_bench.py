"""``mangaassist bench-bridge`` on a tiny load: every figure is there and makes sense.

Nothing here is timed: the checks are on counts and orderings, never on speed.
"""

import argparse
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bridge.bench import (
    PIPELINE,
    REFERENCE_KIB_PER_CONNECTION,
    add_bench_bridge_arguments,
    run_bench_bridge_command,
)

IDLE, ACTIVE, MESSAGES = 20, 5, 2


def children_of(pid: int) -> list[int]:
    """Processes (zombies included) whose parent is ``pid``."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process has just gone
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("bench-bridge")
    parser = argparse.ArgumentParser()
    add_bench_bridge_arguments(parser)
    args = parser.parse_args(
        [
            *("--idle", str(IDLE), "--active", str(ACTIVE), "--messages", str(MESSAGES)),
            *("--floor-samples", "20", "--timeout-s", "120"),
            *("--output", str(tmp / "bench.json"), "--log-dir", str(tmp / "log")),
        ]
    )
    before = set(children_of(os.getpid()))
    assert run_bench_bridge_command(args) == 0
    assert set(children_of(os.getpid())) == before, "a server child was left behind"
    return dict(json.loads((tmp / "bench.json").read_text(encoding="utf-8")))


def assert_ordered(percentiles: dict[str, float]) -> None:
    assert 0 < percentiles["p50"] <= percentiles["p95"] <= percentiles["p99"], percentiles


def test_it_says_the_pipeline_is_a_stub(result: dict[str, Any]) -> None:
    assert result["pipeline"] == PIPELINE


def test_every_idle_socket_is_opened_and_costs_memory(result: dict[str, Any]) -> None:
    idle = result["idle"]
    assert idle["connections"] == IDLE
    assert 0 < idle["rss_before_mib"] < idle["rss_after_mib"]
    assert idle["kib_per_connection"] > 0
    assert idle["reference_kib_per_connection"] == REFERENCE_KIB_PER_CONNECTION


def test_every_message_gets_its_final_with_ordered_latencies(result: dict[str, Any]) -> None:
    relay = result["relay"]
    assert relay["idle_connections"] == IDLE
    assert relay["active_connections"] == ACTIVE
    assert relay["messages"] == relay["finals"] == ACTIVE * MESSAGES
    assert relay["error_replies"] == relay["error_frames"] == relay["missing_replies"] == 0
    for key in ("ack_ms", "first_chunk_ms", "final_ms"):
        assert_ordered(relay[key])
    assert relay["ack_ms"]["p50"] <= relay["first_chunk_ms"]["p50"] <= relay["final_ms"]["p50"]
    assert relay["messages_per_s"] > 0
    assert relay["rss_after_mib"] > 0
    assert relay["bridge_cpu_percent"] >= 0
    assert relay["client_cpu_percent"] >= 0


def test_the_floor_is_measured_in_the_same_run(result: dict[str, Any]) -> None:
    for floor in result["floor"].values():
        assert floor["samples"] == 20
        assert_ordered(floor["round_trip_ms"])
    assert result["relay_first_chunk_p50_over_floor"] > 0
    assert result["relay_first_chunk_p50_over_starlette_floor"] > 0


def test_it_names_what_was_measured(result: dict[str, Any]) -> None:
    assert set(result) >= {"pipeline", "machine", "server", "idle", "relay", "floor"}
    assert result["server"]["chunks_per_reply"] == 3
    assert result["machine"]["open_files_limit"] >= IDLE + ACTIVE
