"""The server side of ``mangaassist bench-bridge``, run as a child process::

    python -m bridge.bench_server bridge|starlette-echo|websockets-echo [--chunks N]

``bridge`` is the real bridge app with the in-memory publisher and an echo
pipeline (no Kafka, no Redis); the two echo servers answer every frame on
``/echo`` with itself and make the floor: ``starlette-echo`` under the bridge's
own uvicorn settings, ``websockets-echo`` the websockets library alone.

The server listens on a free loopback port, prints ``READY <base URL>`` on
stdout, and stops when its stdin closes, so it cannot outlive the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import sys
from collections.abc import AsyncIterator, Callable

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.server import ServerConnection, serve

from bridge.app import create_app
from bridge.bench import ECHO_PATH, READY, raise_open_file_limit
from bridge.settings import BridgeSettings
from bridge.testing import TestingPublisher, TestingResponses, reply_events, serving
from schemas import ChatTurn, Event
from streams.settings import KafkaSettings
from streams.topics import TopicSpec

MODES = ("bridge", "starlette-echo", "websockets-echo")
LOOPBACK = "127.0.0.1"
# Far above anything the benchmark sends: rate limiting must never answer for the bridge.
RATE_CAPACITY = 1_000_000


class ForgetfulPublisher(TestingPublisher):
    """A testing publisher that keeps nothing, so the bridge's memory does not grow with traffic."""

    async def publish(self, spec: TopicSpec, event: Event) -> None:
        await super().publish(spec, event)
        self.published.clear()


def echo_in_chunks(responses: TestingResponses, chunks: int) -> Callable[[Event], None]:
    """An ``on_publish`` hook answering every turn with ``chunks`` chunks and a final reply."""

    def answer(event: Event) -> None:
        if isinstance(event, ChatTurn):
            texts = [f"{event.text} ({seq + 1}/{chunks}) " for seq in range(chunks)]
            responses.push(*reply_events(event, texts))

    return answer


def echo_bridge_app(chunks: int) -> tuple[Starlette, BridgeSettings]:
    settings = BridgeSettings(
        token_secret=SecretStr(secrets.token_urlsafe(32)),
        rate_capacity=RATE_CAPACITY,
        redis_url=None,
    )
    responses = TestingResponses()
    publisher = ForgetfulPublisher(on_publish=echo_in_chunks(responses, chunks))
    app = create_app(settings, KafkaSettings(), publisher=publisher, responses=responses)
    return app, settings


async def echo_route(websocket: WebSocket) -> None:
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.send_text(await websocket.receive_text())


async def echo_connection(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


@contextlib.asynccontextmanager
async def listening(mode: str, chunks: int) -> AsyncIterator[str]:
    """Serve ``mode`` on a free loopback port; yields the base URL."""
    if mode == "websockets-echo":
        async with serve(echo_connection, LOOPBACK, 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            yield f"http://{LOOPBACK}:{port}"
        return
    if mode == "bridge":
        app, settings = echo_bridge_app(chunks)
    else:
        app, settings = Starlette(routes=[WebSocketRoute(ECHO_PATH, echo_route)]), BridgeSettings()
    async with serving(app, settings) as base_url:
        yield base_url


async def stdin_closed() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()


async def serve_until_stdin_closes(mode: str, chunks: int) -> None:
    async with listening(mode, chunks) as base_url:
        print(f"{READY} {base_url}", flush=True)
        await stdin_closed()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bridge.bench_server")
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--chunks", type=int, default=3, help="reply chunks before each final")
    args = parser.parse_args(argv)
    raise_open_file_limit()
    asyncio.run(serve_until_stdin_closes(args.mode, args.chunks))


if __name__ == "__main__":
    main()
