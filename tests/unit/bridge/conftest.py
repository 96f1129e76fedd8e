"""A bridge app on Starlette's TestClient, wired to the in-memory Kafka stand-ins."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from bridge.app import create_app
from bridge.auth import TokenIssuer
from bridge.settings import BridgeSettings
from bridge.testing import TestingPublisher, TestingResponses
from streams.settings import KafkaSettings

with warnings.catch_warnings():
    # The TestClient asks for httpx2; httpx, which the project already has, works the same.
    warnings.filterwarnings("ignore", "Using `httpx`", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketTestSession

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"

Frame = dict[str, Any]


@dataclass
class Bridge:
    client: TestClient
    publisher: TestingPublisher
    responses: TestingResponses
    issuer: TokenIssuer

    def init(self, locale: str | None = None) -> Frame:
        response = self.client.post("/chat/init", json={"locale": locale} if locale else {})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def connect(self, token: str | None = None, **kwargs: Any) -> WebSocketTestSession:
        """A socket; with a new session's token unless one is given ("" for none)."""
        token = self.init()["token"] if token is None else token
        url = f"/chat/ws?token={token}" if token else "/chat/ws"
        return self.client.websocket_connect(url, **kwargs)

    @staticmethod
    def token(session_id: str = "s1", *, ttl_s: int = 60, secret: str = SECRET) -> str:
        return TokenIssuer(secret, ttl_s).issue(session_id)

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def receive(ws: WebSocketTestSession, timeout_s: float = 5.0) -> Frame:
        """The next frame, failing instead of hanging when none comes.

        (WebSocketTestSession.receive has no timeout; this reads its stream the same way.)
        """

        async def next_message() -> Any:
            with anyio.fail_after(timeout_s):
                return await ws._send_rx.receive()

        message = ws.portal.call(next_message)
        ws._raise_on_close(message)
        return dict(json.loads(message["text"]))

    def receive_until(self, ws: WebSocketTestSession, kind: str) -> list[Frame]:
        """Frames up to and including the first one of type ``kind``."""
        frames = [self.receive(ws)]
        while frames[-1]["type"] != kind:
            frames.append(self.receive(ws))
        return frames

    @staticmethod
    def read_sse(lines: Iterator[str], until: str, timeout_s: float = 5.0) -> list[Frame]:
        """SSE events as frames, up to the first of type ``until``; heartbeats are skipped."""
        frames: list[Frame] = []
        event = None
        deadline = time.monotonic() + timeout_s
        for line in lines:  # heartbeats keep this loop turning
            assert time.monotonic() < deadline, f"no {until!r} event in time: {frames}"
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                frames.append(json.loads(line.removeprefix("data: ")))
                assert frames[-1]["type"] == event
                if event == until:
                    return frames
        raise AssertionError(f"the stream ended before {until!r}: {frames}")


@pytest.fixture
def make_bridge() -> Iterator[Callable[..., Bridge]]:
    """Make bridges with some settings changed, e.g. ``make_bridge(reply_timeout_s=0.05)``."""
    with ExitStack() as stack:

        def make(**settings: Any) -> Bridge:
            config = BridgeSettings(token_secret=SECRET, sse_heartbeat_s=0.2, **settings)
            responses = TestingResponses()
            publisher = TestingPublisher()
            app = create_app(config, KafkaSettings(), publisher=publisher, responses=responses)
            client = stack.enter_context(TestClient(app))
            return Bridge(client, publisher, responses, TokenIssuer(SECRET, config.token_ttl_s))

        yield make


@pytest.fixture
def bridge(make_bridge: Callable[..., Bridge]) -> Bridge:
    return make_bridge()
