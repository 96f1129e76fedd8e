"""A terminal client for the chat bridge, behind ``mangaassist chat``.

It speaks the same protocol as the chat page (docs/protocol.md): ``POST /chat/init``,
then a WebSocket authenticated by its first frame.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidURI, WebSocketException

from mangaassist.errors import MangaAssistError

Frame = dict[str, Any]


class ChatClientError(MangaAssistError):
    """The bridge could not be reached, refused the session, or dropped the connection."""


async def chat_once(
    base_url: str, text: str, *, locale: str | None = None, timeout_s: float = 30.0
) -> dict[str, Any]:
    """Send one message and return the frame that ended its turn (``final`` or ``error``).

    The frame also has ``chunks`` (the streamed texts) and ``first_chunk_ms`` and
    ``final_ms``, counted from sending the message. If nothing ends the turn within
    ``timeout_s`` (counted from the start), an error frame with code ``timeout``.
    """
    progress = _Progress()
    try:
        async with asyncio.timeout(timeout_s), _chat_socket(base_url, locale) as socket:
            return await _exchange(socket, text, progress)
    except TimeoutError:
        message = f"no final reply within {timeout_s:g} s"
        return progress.result({"type": "error", "code": "timeout", "message": message})


async def chat_interactive(base_url: str, locale: str | None) -> int:
    """Chat line by line from stdin, printing replies as they stream; 0 at end of input."""
    prompt = sys.stdin.isatty()
    try:
        async with _chat_socket(base_url, locale) as socket:
            print(f"connected to {base_url}; Ctrl-D to quit", file=sys.stderr)
            async for line in _lines(sys.stdin, "> " if prompt else ""):
                if line.strip():
                    progress = _Progress(on_chunk=_print_chunk)
                    _print_result(await _exchange(socket, line.strip(), progress))
    except ChatClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_chunk(text: str) -> None:
    print(text, end="", flush=True)


def _print_result(frame: Frame) -> None:
    if frame["type"] == "final" and frame.get("status") == "ok":
        print(flush=True)
        return
    if frame["chunks"]:
        print(flush=True)
    code = frame.get("error_code") or frame.get("code") or "error"
    message = frame.get("text") or frame.get("message") or ""
    print(f"[{code}] {message}", file=sys.stderr, flush=True)


@asynccontextmanager
async def _chat_socket(base_url: str, locale: str | None) -> AsyncIterator[ClientConnection]:
    token = await _open_session(base_url, locale)
    try:
        async with connect(_socket_url(base_url)) as socket:
            await socket.send(json.dumps({"type": "auth", "token": token}))
            ready = await _next_frame(socket)
            if ready.get("type") != "ready":
                raise ChatClientError(f"the bridge did not accept the session: {ready}")
            yield socket
    except (OSError, InvalidURI, WebSocketException) as exc:
        raise ChatClientError(f"cannot talk to the bridge at {base_url}: {exc}") from exc


async def _open_session(base_url: str, locale: str | None) -> str:
    body = {"locale": locale} if locale else {}
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:
            response = await client.post("/chat/init", json=body)
            response.raise_for_status()
            return str(response.json()["token"])
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise ChatClientError(f"cannot open a chat session at {base_url}: {exc}") from exc


def _socket_url(base_url: str) -> str:
    url = httpx.URL(base_url)
    scheme = "wss" if url.scheme == "https" else "ws"
    return str(url.copy_with(scheme=scheme, path=url.path.rstrip("/") + "/chat/ws"))


@dataclass
class _Progress:
    """What has arrived so far for one message."""

    on_chunk: Callable[[str], None] | None = None
    started: float = field(default_factory=time.perf_counter)
    chunks: list[str] = field(default_factory=list)
    first_chunk_ms: float | None = None

    def add_chunk(self, text: str) -> None:
        self.first_chunk_ms = self.first_chunk_ms or _elapsed_ms(self.started)
        self.chunks.append(text)
        if self.on_chunk is not None:
            self.on_chunk(text)

    def result(self, frame: Frame) -> Frame:
        return {
            **frame,
            "chunks": self.chunks,
            "first_chunk_ms": self.first_chunk_ms,
            "final_ms": _elapsed_ms(self.started),
        }


async def _exchange(socket: ClientConnection, text: str, progress: _Progress) -> Frame:
    """Send one message and read frames until its final reply or an error for it."""
    client_msg_id = uuid.uuid4().hex
    progress.started = time.perf_counter()
    await socket.send(json.dumps({"type": "message", "text": text, "client_msg_id": client_msg_id}))
    turn_id: str | None = None
    while True:
        frame = await _next_frame(socket)
        kind = frame.get("type")
        if kind == "ack" and frame.get("client_msg_id") == client_msg_id:
            turn_id = frame["turn_id"]
        elif kind == "chunk" and frame.get("turn_id") == turn_id:
            progress.add_chunk(frame["text"])
        elif (kind == "final" and frame.get("turn_id") == turn_id) or (
            kind == "error" and frame.get("turn_id") in (None, turn_id)
        ):
            return progress.result(frame)


async def _next_frame(socket: ClientConnection) -> Frame:
    try:
        raw = await socket.recv()
    except ConnectionClosed as exc:
        raise ChatClientError(f"the bridge closed the connection ({exc})") from exc
    try:
        frame = json.loads(raw)
    except ValueError as exc:
        raise ChatClientError(f"the bridge sent a frame that is not JSON: {raw!r}") from exc
    if not isinstance(frame, dict):
        raise ChatClientError(f"the bridge sent a frame that is not an object: {raw!r}")
    return frame


async def _lines(stream: TextIO, prompt: str) -> AsyncIterator[str]:
    """The stream's lines, read on a daemon thread so that Ctrl-C never waits for input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()
    wanted = threading.Event()

    def read() -> None:
        while wanted.wait():
            wanted.clear()
            print(prompt, end="", flush=True, file=sys.stderr)
            line = stream.readline()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:  # the loop is gone: the client has finished
                return
            if not line:
                return

    threading.Thread(target=read, name="chat-stdin", daemon=True).start()
    while True:
        wanted.set()
        line = await queue.get()
        if not line:
            return
        yield line


def _elapsed_ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
