"""Two bridge processes behind an imaginary load balancer: every reply reaches the
process that holds its session's socket, whichever bridge issued the session."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect

from connectors.kafka import free_loopback_port
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack
from tests.integration.chat import frames_until_final, next_frame, open_session, socket_url


@pytest.fixture
async def second_bridge(stack: LocalStack) -> AsyncIterator[str]:
    port = free_loopback_port()
    bridge = ChildProcess.mangaassist(
        "bridge-b", ["bridge", "--port", str(port)], stack.log_dir, env=stack.env
    )
    bridge.start()
    url = f"http://127.0.0.1:{port}"
    try:
        await stack.wait_for_http(f"{url}/healthz", bridge, 30)
        yield url
    finally:
        await asyncio.to_thread(bridge.stop)


async def test_a_session_opened_on_one_bridge_is_served_by_the_other(
    stack: LocalStack, second_bridge: str
) -> None:
    session_a, token_a = await open_session(stack.base_url, "en")
    session_b, token_b = await open_session(stack.base_url, "ja")
    async with (
        connect(socket_url(second_bridge, token_a)) as on_b,
        connect(socket_url(stack.base_url, token_b)) as on_a,
    ):
        assert (await next_frame(on_b))["session_id"] == session_a
        assert (await next_frame(on_a))["session_id"] == session_b
        await on_b.send(json.dumps({"type": "message", "text": "hello"}))
        await on_a.send(json.dumps({"type": "message", "text": "返品したい"}))
        frames_b = await frames_until_final(on_b, 1)
        frames_a = await frames_until_final(on_a, 1)
    assert frames_b[0]["type"] == "ack"
    assert frames_a[0]["type"] == "ack"
    # Every frame a socket got belongs to its own turn: nothing crossed sessions.
    assert {f["turn_id"] for f in frames_b} == {frames_b[0]["turn_id"]}
    assert {f["turn_id"] for f in frames_a} == {frames_a[0]["turn_id"]}
    assert frames_a[-1]["intent"] == "return_request"
