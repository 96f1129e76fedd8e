"""A small protocol-level client for the integration tests."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from analytics import WarehouseSink

Frame = dict[str, Any]


async def open_session(base_url: str, locale: str = "ja") -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/chat/init", json={"locale": locale})
        response.raise_for_status()
        body = response.json()
        return body["session_id"], body["token"]


def socket_url(base_url: str, token: str) -> str:
    return base_url.replace("http://", "ws://") + f"/chat/ws?token={token}"


async def next_frame(socket: ClientConnection, timeout_s: float = 30.0) -> Frame:
    frame: Frame = json.loads(await asyncio.wait_for(socket.recv(), timeout_s))
    return frame


async def frames_until_final(
    socket: ClientConnection, turns: int, timeout_s: float = 30.0
) -> list[Frame]:
    """Every frame until ``turns`` turns have ended (final or error frame)."""
    frames: list[Frame] = []
    ended = 0
    while ended < turns:
        frame = await next_frame(socket, timeout_s)
        frames.append(frame)
        if frame["type"] == "final" or (frame["type"] == "error" and frame.get("turn_id")):
            ended += 1
    return frames


async def connected(base_url: str, locale: str = "ja") -> tuple[str, ClientConnection]:
    session_id, token = await open_session(base_url, locale)
    socket = await connect(socket_url(base_url, token))
    ready = await next_frame(socket)
    assert ready == {"type": "ready", "session_id": session_id}
    return session_id, socket


async def wait_for_rows(
    sink: WarehouseSink, session_id: str, expect: set[str], timeout_s: float = 15.0
) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout_s
    while True:
        rows = await asyncio.to_thread(sink.events_for_session, session_id)
        if expect <= {str(r["event_type"]) for r in rows} or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.2)
