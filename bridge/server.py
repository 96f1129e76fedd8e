"""Running the bridge under uvicorn."""

from __future__ import annotations

import asyncio

import uvicorn
from starlette.applications import Starlette

from bridge.app import create_app
from bridge.settings import BridgeSettings
from streams.settings import KafkaSettings

# Frames over max_frame_bytes get an error frame and the socket stays open; only
# frames this many times larger make the transport close it (1009).
TRANSPORT_LIMIT_FACTOR = 4


def build_server(app: Starlette, settings: BridgeSettings) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        # The sans-I/O implementation: the "websockets" one uses websockets' deprecated legacy API.
        ws="websockets-sansio",
        ws_max_size=settings.max_frame_bytes * TRANSPORT_LIMIT_FACTOR,
        # Chat frames are small; a compression context per socket costs more memory
        # (72 KiB against 35 KiB per idle socket, measured by bench-bridge) than it saves.
        ws_per_message_deflate=False,
        # Protocol-level pings keep proxies from dropping quiet sockets and find dead peers.
        ws_ping_interval=settings.heartbeat_s,
        ws_ping_timeout=settings.heartbeat_s,
        lifespan="on",
        log_level="warning",
        timeout_graceful_shutdown=settings.shutdown_grace_s,
    )
    return uvicorn.Server(config)


async def serve(settings: BridgeSettings, kafka: KafkaSettings) -> None:
    """Serve until SIGINT/SIGTERM. If Kafka cannot be reached at startup, uvicorn logs
    the error and raises ``SystemExit(3)``."""
    await build_server(create_app(settings, kafka), settings).serve()


def run(settings: BridgeSettings, kafka: KafkaSettings) -> None:
    asyncio.run(serve(settings, kafka))
