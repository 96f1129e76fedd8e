"""Keeping sockets alive, and closing the idle ones."""

import asyncio
import base64
import os

import pytest
from starlette.websockets import WebSocketDisconnect

from bridge.app import create_app
from bridge.auth import TokenIssuer
from bridge.settings import BridgeSettings
from bridge.testing import TestingPublisher, TestingResponses, serving
from streams.settings import KafkaSettings

SECRET = "k" * 40
PING_OPCODE = 0x9


def test_a_socket_that_sends_nothing_is_closed_with_4408(make_bridge):
    bridge = make_bridge(idle_timeout_s=0.2)
    with bridge.connect() as ws:
        bridge.receive(ws)  # ready
        with pytest.raises(WebSocketDisconnect) as closed:
            bridge.receive(ws, timeout_s=2)
    assert closed.value.code == 4408


def test_client_pings_count_as_activity(make_bridge):
    bridge = make_bridge(idle_timeout_s=0.3)
    with bridge.connect() as ws:
        bridge.receive(ws)
        for _ in range(4):  # 0.6 s in all: longer than the idle timeout
            ws.send_json({"type": "ping"})
            assert bridge.receive(ws) == {"type": "pong"}


async def test_the_server_sends_protocol_pings_at_the_heartbeat_interval() -> None:
    settings = BridgeSettings(token_secret=SECRET, heartbeat_s=0.2)
    app = create_app(
        settings, KafkaSettings(), publisher=TestingPublisher(), responses=TestingResponses()
    )
    token = TokenIssuer(SECRET, 60).issue("s1")
    async with serving(app, settings) as base_url:
        host, port = base_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /chat/ws?token={token} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        await reader.readuntil(b"\r\n\r\n")  # 101 Switching Protocols
        opcodes = []
        async with asyncio.timeout(3):
            while PING_OPCODE not in opcodes:
                header = await reader.readexactly(2)
                opcodes.append(header[0] & 0x0F)
                await reader.readexactly(header[1] & 0x7F)  # server frames are short, unmasked
        writer.close()
        await writer.wait_closed()
    assert opcodes[0] == 0x1  # the ready frame (text)
    assert PING_OPCODE in opcodes
