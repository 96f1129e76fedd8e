"""The store's services over real HTTP: the local server under uvicorn on a free loopback port.

Servers run in a thread of their own, with their own event loop, for the
whole session; each test gets its own httpx client in its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors.commerce import CommerceServices, http_services, local_services
from connectors.commerce.http_clients import commerce_http_client
from connectors.commerce.server import create_app
from tests.unit.connectors.commerce.helpers import Demo

SLOW_S = 1.0


@contextlib.contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        ws="none",
        http="h11",
        loop="asyncio",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the commerce server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture(scope="session")
def demo() -> Demo:
    return Demo()


@pytest.fixture(scope="session")
def commerce_url() -> Iterator[str]:
    """The local commerce server over the demo data."""
    with serving(create_app()) as base_url:
        yield base_url


TOKEN = "integration-commerce-token"


@pytest.fixture(scope="session")
def guarded_url() -> Iterator[str]:
    """The local commerce server wanting a bearer token."""
    with serving(create_app(api_token=TOKEN)) as base_url:
        yield base_url


def faulty_app() -> Starlette:
    """Answers each route a client calls the way a sick service would."""

    async def server_error(request: Request) -> Response:
        return JSONResponse({"error": {"code": "internal", "message": "boom"}}, 500)

    async def slow(request: Request) -> Response:
        await asyncio.sleep(SLOW_S)
        return JSONResponse({"offers": {}})

    async def bare_404(request: Request) -> Response:
        return PlainTextResponse("Not Found", 404)

    async def html(request: Request) -> Response:
        return Response("<html>maintenance</html>", 200, media_type="text/html")

    async def unavailable(request: Request) -> Response:
        return JSONResponse({"error": {"code": "unavailable", "message": "down"}}, 503)

    return Starlette(
        routes=[
            Route("/catalog/products", server_error),
            Route("/catalog/offers", slow),
            Route("/orders/{order_id}", bare_404),
            Route("/users/{user_id}/orders", html),
            Route("/recommendations", unavailable, methods=["POST"]),
        ]
    )


@pytest.fixture(scope="session")
def faulty_url() -> Iterator[str]:
    with serving(faulty_app()) as base_url:
        yield base_url


@pytest.fixture(params=["local", "http"])
async def services(request: pytest.FixtureRequest) -> AsyncIterator[CommerceServices]:
    """The contract's implementations: in-process, and the HTTP clients over real HTTP."""
    if request.param == "local":
        built = local_services()
    else:
        base_url: str = request.getfixturevalue("commerce_url")
        built = http_services(commerce_http_client(base_url, 5.0), owns_client=True)
    yield built
    await built.aclose()


@pytest.fixture
async def faulty(faulty_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with commerce_http_client(faulty_url, 0.2) as client:
        yield client
