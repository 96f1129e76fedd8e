"""The real Redis, a key prefix per test, and a proxy that can cut Redis off mid-test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from connectors.kafka import free_loopback_port
from tests.integration.conftest import REDIS_URL


class RedisProxy:
    """A loopback TCP proxy in front of the real Redis.

    ``cut()`` drops every connection and refuses new ones (Redis is "down");
    ``hang()`` accepts connections but never answers (a black hole);
    ``restore()`` forwards again.
    """

    def __init__(self) -> None:
        address = urlsplit(REDIS_URL)
        self._target = (address.hostname or "127.0.0.1", address.port or 6379)
        self.port = free_loopback_port()
        self.url = f"redis://127.0.0.1:{self.port}{address.path or '/0'}"
        self._server: asyncio.Server | None = None
        self._hanging = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self._drop_connections()

    async def hang(self) -> None:
        await self.cut()
        self._hanging = True
        await self.start()

    async def restore(self) -> None:
        await self.cut()
        self._hanging = False
        await self.start()

    async def _drop_connections(self) -> None:
        for writer in list(self._writers):
            writer.close()
        for pump in list(self._pumps):
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if self._hanging:
            return  # keep the socket open and silent
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers.add(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pump = asyncio.create_task(self._pump(source, sink))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.close()
            with contextlib.suppress(OSError):
                await sink.wait_closed()


@pytest.fixture
async def redis_proxy() -> AsyncIterator[RedisProxy]:
    proxy = RedisProxy()
    await proxy.start()
    yield proxy
    await proxy.cut()
