"""The whole path through real parts: WebSocket → bridge → Kafka → four agents → bridge,
with every event landing in PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from analytics import WarehouseSink
from mangaassist.stack import LocalStack
from schemas import CatalogChange, default_codec
from streams.cache_agents import change_key
from streams.topics import CATALOG_CHANGES, topic_name
from tests.integration.chat import (
    connected,
    frames_until_final,
    next_frame,
    open_session,
    wait_for_rows,
)


async def test_a_message_streams_its_reply_and_lands_in_the_warehouse(
    stack: LocalStack, e2e_sink: WarehouseSink
) -> None:
    session_id, socket = await connected(stack.base_url)
    async with socket:
        await socket.send(
            json.dumps({"type": "message", "text": "送料はいくらですか？", "client_msg_id": "m1"})
        )
        ack = await next_frame(socket)
        assert ack["type"] == "ack"
        assert ack["client_msg_id"] == "m1"
        frames = await frames_until_final(socket, 1)
    chunks = [f for f in frames if f["type"] == "chunk"]
    final = frames[-1]
    assert (final["type"], final["status"]) == ("final", "ok"), final
    assert final["turn_id"] == ack["turn_id"]
    assert final["intent"] == "faq"
    assert chunks
    assert [c["seq"] for c in chunks] == list(range(final["chunk_count"]))
    assert "".join(c["text"] for c in chunks) == final["text"]
    assert "送料" in final["text"]

    expected = {
        "SessionEvent",
        "ChatTurn",
        "UnderstoodTurn",
        "GroundedTurn",
        "ReplyChunk",
        "FinalReply",
    }
    rows = await wait_for_rows(e2e_sink, session_id, expected)
    assert expected <= {r["event_type"] for r in rows}
    turn_rows = [r for r in rows if r["turn_id"] == ack["turn_id"]]
    assert len([r for r in turn_rows if r["event_type"] == "ReplyChunk"]) == final["chunk_count"]
    assert len({r["event_id"] for r in rows}) == len(rows)


async def test_every_accepted_message_gets_exactly_one_final(stack: LocalStack) -> None:
    texts = [
        "hello",
        "返品したい",
        "Where is my order 250-1234567-7654321?",
        "おすすめは？",
        "any coupons?",
    ] * 4
    _, socket = await connected(stack.base_url, "en")
    async with socket:
        for i, text in enumerate(texts):
            await socket.send(
                json.dumps({"type": "message", "text": text, "client_msg_id": str(i)})
            )
        frames = await frames_until_final(socket, len(texts))
        await asyncio.sleep(0.5)  # a duplicate final would arrive in this window
        extra = []
        try:
            while True:
                extra.append(await next_frame(socket, 0.2))
        except TimeoutError:
            pass
    acks = [f["turn_id"] for f in frames + extra if f["type"] == "ack"]
    finals = [f["turn_id"] for f in frames + extra if f["type"] == "final"]
    assert len(acks) == len(texts)
    assert sorted(finals) == sorted(acks)


async def test_sessions_only_hear_their_own_replies(stack: LocalStack) -> None:
    _, alice = await connected(stack.base_url, "en")
    _, bob = await connected(stack.base_url, "ja")
    async with alice, bob:
        await alice.send(json.dumps({"type": "message", "text": "hello"}))
        alice_frames = await frames_until_final(alice, 1)
        try:
            stray = await next_frame(bob, 1.0)
        except TimeoutError:
            stray = None
    assert alice_frames[-1]["type"] == "final"
    assert stray is None


async def test_bad_frames_get_errors_and_the_socket_still_works(stack: LocalStack) -> None:
    _, socket = await connected(stack.base_url, "en")
    async with socket:
        await socket.send("{not json")
        assert (await next_frame(socket))["code"] == "bad_json"
        await socket.send(json.dumps({"type": "dance"}))
        assert (await next_frame(socket))["code"] == "unknown_type"
        await socket.send(json.dumps({"type": "message", "text": "   "}))
        assert (await next_frame(socket))["code"] == "empty_text"
        await socket.send(json.dumps({"type": "message", "text": "x" * 2001}))
        assert (await next_frame(socket))["code"] == "text_too_long"
        await socket.send(json.dumps({"type": "message", "text": "hello"}))
        frames = await frames_until_final(socket, 1)
    assert frames[0]["type"] == "ack"
    assert frames[-1]["type"] == "final"


async def test_the_https_fallback_carries_the_same_exchange(stack: LocalStack) -> None:
    _, token = await open_session(stack.base_url, "en")
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=30)
    async with client, client.stream("GET", "/chat/stream") as stream:
        lines = stream.aiter_lines()
        posted = await client.post("/chat/messages", json={"text": "how much is shipping?"})
        assert posted.status_code == 202
        turn_id = posted.json()["turn_id"]
        events: list[dict[str, object]] = []
        async for line in lines:
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1]["type"] == "final":
                    break
    chunks = [e for e in events if e["type"] == "chunk"]
    final = events[-1]
    assert final["turn_id"] == turn_id
    assert final["status"] == "ok"
    assert "".join(str(c["text"]) for c in chunks) == final["text"]


async def test_requests_without_a_valid_token_are_refused(stack: LocalStack) -> None:
    async with httpx.AsyncClient(base_url=stack.base_url) as client:
        missing = await client.post("/chat/messages", json={"text": "hi"})
        forged = await client.post(
            "/chat/messages",
            json={"text": "hi"},
            headers={"Authorization": "Bearer forged.token.value"},
        )
    assert (missing.status_code, forged.status_code) == (401, 401)


async def _cache_metrics(stack: LocalStack) -> dict[str, float]:
    """The pipeline worker's /metrics, as series name with labels → value."""
    port = stack.env["MANGAASSIST_CACHE_METRICS_PORT"]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = [line for line in response.text.splitlines() if not line.startswith("#")]
    return {name: float(value) for name, value in (line.rsplit(" ", 1) for line in lines)}


async def _ask_a_product(stack: LocalStack) -> dict[str, Any]:
    _, socket = await connected(stack.base_url, "en")
    async with socket:
        text = "How much is Hero of the Twilight Capital volume 3?"
        await socket.send(json.dumps({"type": "message", "text": text, "client_msg_id": "m1"}))
        final = (await frames_until_final(socket, 1))[-1]
    assert (final["type"], final["status"], final["path"]) == ("final", "ok", "retrieval"), final
    assert final["sources"]
    return final


async def test_the_worker_reads_products_through_its_cache_and_a_change_invalidates_them(
    stack: LocalStack,
) -> None:
    hits = 'mangaassist_cache_hits_total{namespace="products",tier="l1"}'
    loads = 'mangaassist_cache_origin_loads_total{namespace="products"}'
    invalidated = 'mangaassist_cache_invalidated_keys_total{namespace="products"}'
    final = await _ask_a_product(stack)
    await _ask_a_product(stack)  # the same products, from L1 now
    before = await _cache_metrics(stack)
    assert before[hits] >= 1
    change = CatalogChange(asins=(final["sources"][0],), kind="updated")
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka.bootstrap_servers)
    await producer.start()
    try:
        topic = topic_name(CATALOG_CHANGES, stack.kafka.topic_prefix)
        await producer.send_and_wait(topic, default_codec().encode(change), key=change_key(change))
    finally:
        await producer.stop()
    deadline = time.monotonic() + 15
    while (await _cache_metrics(stack)).get(invalidated, 0) <= before.get(invalidated, 0):
        assert time.monotonic() < deadline, "the worker did not apply the catalog change"
        await asyncio.sleep(0.1)
    await _ask_a_product(stack)
    after = await _cache_metrics(stack)
    # The invalidated product was dropped from L1 and Redis: read again from the origin.
    assert after[loads] > before.get(loads, 0)
