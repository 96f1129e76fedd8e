"""The bridge's ASGI application: routes, and the lifespan that connects it to Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from bridge.auth import issuer_from_settings
from bridge.console import HandoffConsole, console_from_settings
from bridge.http_routes import ChatHttp
from bridge.hub import SessionHub
from bridge.identity import identity_from_settings
from bridge.kafka import EventPublisher, KafkaPublisher, KafkaResponseSource, ResponseSource
from bridge.products import catalog_items
from bridge.ratelimit import RateLimiter, limiter_from_settings
from bridge.service import ChatService
from bridge.settings import BridgeSettings
from bridge.ws_route import ChatSocket
from connectors.handoff import HandoffSettings
from connectors.kinesis import AnalyticsTransportSettings, KinesisTeePublisher
from streams.settings import KafkaSettings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}


class Relay:
    """Feeds every reply from the response source to the hub, for the app's lifetime."""

    def __init__(self, responses: ResponseSource, hub: SessionHub) -> None:
        self._responses = responses
        self._hub = hub
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bridge-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        try:
            async for event in self._responses:
                self._hub.dispatch(event)
        except Exception:
            logger.exception("the reply relay stopped; no more replies reach the clients")
            raise


def create_app(
    settings: BridgeSettings,
    kafka: KafkaSettings,
    *,
    publisher: EventPublisher | None = None,
    responses: ResponseSource | None = None,
    limiter: RateLimiter | None = None,
    console: HandoffConsole | None = None,
) -> Starlette:
    """The bridge; ``publisher``/``responses`` default to Kafka (see :mod:`bridge.testing`).

    ``console`` (the agent console, :mod:`bridge.console`) defaults to the one
    :class:`HandoffSettings` asks for: none without a console token.
    """
    if publisher is None:
        publisher = KafkaPublisher(kafka)
        if AnalyticsTransportSettings().kinesis:
            # Turns and session events also go to Kinesis for analytics; stop() closes it.
            publisher = KinesisTeePublisher.from_settings(publisher)
    responses = responses or KafkaResponseSource(
        kafka, rewind_records=settings.replay_rewind_records
    )
    hub = SessionHub(settings.reply_timeout_s)
    limiter = limiter or limiter_from_settings(settings)
    identities = identity_from_settings(settings)
    service = ChatService(
        settings, issuer_from_settings(settings), publisher, hub, limiter, identities
    )
    relay = Relay(responses, hub)
    console = console or console_from_settings(HandoffSettings(), kafka, publisher)
    http = ChatHttp(service)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            await publisher.start()
            stack.push_async_callback(publisher.stop)
            await responses.start()
            stack.push_async_callback(responses.stop)
            stack.callback(hub.close)
            stack.push_async_callback(limiter.close)
            relay.start()
            stack.push_async_callback(relay.stop)
            if console is not None:
                await console.start()
                stack.push_async_callback(console.stop)
            yield

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)

    async def healthz(request: Request) -> Response:
        if relay.running:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": "reply relay stopped"}, 503)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/chat/init", http.guarded(http.init), methods=["POST"]),
        Route("/chat/login", http.guarded(http.sign_in), methods=["POST"]),
        Route("/chat/messages", http.guarded(http.messages), methods=["POST"]),
        Route("/chat/feedback", http.guarded(http.feedback), methods=["POST"]),
        Route("/chat/stream", http.guarded(http.stream), methods=["GET"]),
        Route("/catalog/items", http.guarded(catalog_items), methods=["GET"]),
        WebSocketRoute("/chat/ws", ChatSocket(service).handle),
        *(console.routes() if console is not None else ()),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    cors = Middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins or ["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
    return Starlette(routes=routes, middleware=[cors], lifespan=lifespan)
