"""``mangaassist bench-memory``: what remembering a chat turn costs on the real Redis.

One chat turn costs a ``load`` and a ``remember``; that pair is timed against
a floor measured in the same run on the same client: a raw ``GET`` and
``SET`` of a value as large as a full conversation. Sessions are filled to
``max_turns`` before timing, so every measured call reads and trims a full list.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.memory.base import DEFAULT_MAX_TURNS
from connectors.memory.models import RememberedTurn, ShownItem
from connectors.memory.redis_store import RedisMemory, redis_client
from mangaassist.bench import emit_json, percentiles, progress
from schemas.events import Entity

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TARGET_P99_MS = 2.0
_START = datetime(2025, 1, 1, tzinfo=UTC)


def sample_turn(number: int) -> RememberedTurn:
    """A typical turn: a recommendation showing three volumes."""
    return RememberedTurn(
        turn_id=f"bench-{number}",
        at=_START + timedelta(seconds=number),
        locale="ja",
        user_text="おすすめの漫画を教えて",
        intent="recommendation",
        entities=(Entity(kind="format", value="paperback"),),
        reply_text="こちらはいかがでしょうか。1. 『海辺の図書館』第1巻 2. 『星の料理人』第3巻 3. …",
        shown=tuple(
            ShownItem(kind="product", id=f"B0BENCH{number % 97:03d}{i}", title=f"海辺の図書館 {i}")
            for i in range(1, 4)
        ),
    )


async def run_memory_bench(
    redis_url: str = DEFAULT_REDIS_URL,
    sessions: int = 100,
    ops: int = 2000,
    *,
    max_turns: int = DEFAULT_MAX_TURNS,
) -> dict[str, Any]:
    """p50/p95/p99 of load+remember and of the raw GET+SET floor, in milliseconds."""
    prefix = f"mangaassist:bench:memory:{uuid.uuid4().hex}:"
    client = redis_client(redis_url)
    memory = RedisMemory(client, max_turns, 3600, key_prefix=prefix)  # the floor's client too
    floor_key = f"{prefix}floor"
    try:
        progress(f"filling {sessions} sessions with {max_turns} turns each")
        for number in range(sessions * max_turns):
            await memory.remember(f"s{number % sessions}", sample_turn(number))
        full = await memory.load("s0")
        await client.set(floor_key, full.model_dump_json(), ex=3600)
        progress(f"timing {ops} load+remember pairs, each after a raw GET+SET pair")
        pairs, floor = [], []
        for op in range(ops):
            started = time.perf_counter()
            value = await client.get(floor_key)
            await client.set(floor_key, value or b"", ex=3600)
            floor.append((time.perf_counter() - started) * 1000)
            session_id = f"s{op % sessions}"
            turn = sample_turn(sessions * max_turns + op)
            started = time.perf_counter()
            await memory.load(session_id)
            await memory.remember(session_id, turn)
            pairs.append((time.perf_counter() - started) * 1000)
    finally:
        await client.delete(floor_key, *(memory.key(f"s{i}") for i in range(sessions)))
        await client.aclose()
    memory_ms, floor_ms = percentiles(pairs), percentiles(floor)
    address = urlsplit(redis_url)
    return {
        "redis": f"{address.hostname}:{address.port or 6379}",
        "sessions": sessions,
        "ops": ops,
        "max_turns": max_turns,
        "conversation_bytes": len(full.model_dump_json().encode()),
        "floor_get_set_ms": floor_ms,
        "load_remember_ms": memory_ms,
        "p50_over_floor": round(memory_ms["p50"] / floor_ms["p50"], 2),
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": memory_ms["p99"] <= TARGET_P99_MS,
    }


def add_bench_memory_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--sessions", type=int, default=100, help="distinct chat sessions")
    parser.add_argument("--turns", type=int, default=2000, help="timed load+remember pairs")
    parser.add_argument("--max-turns", type=int, default=DEFAULT_MAX_TURNS)
    parser.add_argument("--output", type=Path, help="also write the JSON here")


def run_bench_memory_command(args: argparse.Namespace) -> int:
    result = asyncio.run(
        run_memory_bench(args.redis_url, args.sessions, args.turns, max_turns=args.max_turns)
    )
    emit_json(result, args.output)
    return 0
