"""A bridge that dies right after accepting a message: the client reconnects to the
restarted bridge and still gets its whole reply, nothing lost and nothing repeated."""

from __future__ import annotations

import asyncio
import json
import signal

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from connectors.kafka import free_loopback_port
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack
from tests.integration.chat import frames_until_final, next_frame, open_session, socket_url


async def start_bridge(stack: LocalStack, port: int, name: str) -> ChildProcess:
    bridge = ChildProcess.mangaassist(
        name, ["bridge", "--port", str(port)], stack.log_dir, env=stack.env
    )
    bridge.start()
    await stack.wait_for_http(f"http://127.0.0.1:{port}/healthz", bridge, 30)
    return bridge


async def test_a_reply_produced_while_the_bridge_was_down_reaches_the_client(
    stack: LocalStack,
) -> None:
    port = free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    bridge = await start_bridge(stack, port, "bridge-crash")
    try:
        _, token = await open_session(url, "ja")
        seen: list[dict[str, object]] = []
        async with connect(socket_url(url, token)) as socket:
            await next_frame(socket)  # ready
            await socket.send(json.dumps({"type": "message", "text": "送料はいくらですか？"}))
            ack = await next_frame(socket)
            bridge.signal(signal.SIGKILL)  # a crash: no goodbye to anyone
            try:
                while True:
                    seen.append(await next_frame(socket, 5))
            except (ConnectionClosed, TimeoutError):
                pass
        await asyncio.to_thread(bridge.wait, 10)
    finally:
        await asyncio.to_thread(bridge.stop)
    assert ack["type"] == "ack"
    assert all(frame["type"] == "chunk" for frame in seen), "the final came before the crash"

    await asyncio.sleep(1.0)  # the pipeline answers while no bridge is up
    restarted = await start_bridge(stack, port, "bridge-restarted")
    try:
        last_seq = max((int(str(f["seq"])) for f in seen), default=-1)
        resume = f"&resume_turn={ack['turn_id']}&resume_seq={last_seq}"
        async with connect(socket_url(url, token) + resume) as socket:
            await next_frame(socket)  # ready
            missed = await frames_until_final(socket, 1, timeout_s=10)
    finally:
        await asyncio.to_thread(restarted.stop)
    chunks = [f for f in seen + missed if f["type"] == "chunk"]
    final = missed[-1]
    assert final["type"] == "final"
    assert final["turn_id"] == ack["turn_id"]
    assert [c["seq"] for c in chunks] == list(range(int(str(final["chunk_count"]))))
    assert "".join(str(c["text"]) for c in chunks) == final["text"]
