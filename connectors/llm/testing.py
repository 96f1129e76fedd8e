"""Fake providers on loopback, speaking the real wire formats, for tests and local runs.

* :class:`FakeBedrock` answers ``POST /model/{modelId}/converse-stream`` with
  ``application/vnd.amazon.eventstream``: AWS event stream messages framed
  here by :func:`encode_event_message` (prelude of total and header lengths,
  prelude CRC32, string headers ``:event-type`` / ``:content-type`` /
  ``:message-type``, JSON payload, message CRC32), so boto3 reads them with
  its own parser. Errors come as the rest-json error responses Bedrock sends
  (``x-amzn-ErrorType``) or as ``exception`` messages inside the stream.
* :class:`FakeOpenAI` answers ``POST /v1/chat/completions`` with server-sent
  events as vLLM streams them, ending with ``data: [DONE]``.

Each follows a script of :class:`Reply` objects (then repeats the default),
records every request, and can stall a stream until :meth:`release`.
:class:`ServerThread` serves an app with uvicorn in a thread of its own.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from binascii import crc32
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

EVENT_STREAM_TYPE = "application/vnd.amazon.eventstream"
_STRING_HEADER = 7
_PRELUDE = struct.Struct("!II")
_UINT32 = struct.Struct("!I")
_OPENAI_STOP = {"end_turn": "stop", "max_tokens": "length", "content_filtered": "content_filter"}
MAX_STALL_S = 10.0


def _crc(data: bytes, previous: int = 0) -> int:
    return crc32(data, previous) & 0xFFFFFFFF


def encode_event_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One AWS event stream message with string-valued ``headers``.

    Layout: total length (4 bytes), headers length (4), CRC32 of those 8 bytes
    (4), headers (each: name length (1), name, type 7, value length (2),
    value), payload, CRC32 of everything before it (4); big-endian throughout.
    """
    encoded = bytearray()
    for name, value in headers.items():
        name_bytes, value_bytes = name.encode(), value.encode()
        encoded += struct.pack("!B", len(name_bytes)) + name_bytes
        encoded += struct.pack("!BH", _STRING_HEADER, len(value_bytes)) + value_bytes
    total = _PRELUDE.size + 4 + len(encoded) + len(payload) + 4
    prelude = _PRELUDE.pack(total, len(encoded))
    message = prelude + _UINT32.pack(_crc(prelude)) + bytes(encoded) + payload
    return message + _UINT32.pack(_crc(message))


def bedrock_event(event_type: str, body: Mapping[str, Any]) -> bytes:
    """A ConverseStream event such as ``contentBlockDelta``."""
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_event_message(headers, json.dumps(body).encode())


def bedrock_exception(exception_type: str, message: str) -> bytes:
    """A ConverseStream exception message such as ``throttlingException``."""
    headers = {
        ":exception-type": exception_type,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_event_message(headers, json.dumps({"message": message}).encode())


@dataclass(frozen=True)
class Reply:
    """What the fake does with one request.

    ``status`` other than 200 answers with an error of ``error_type`` at once.
    ``stall_before=i`` stops before sending delta ``i`` (``len(deltas)``:
    before the end) until released; ``stream_error`` sends an in-stream error
    after the deltas; ``end_early`` drops the connection without the ending.
    """

    deltas: tuple[str, ...] = ("Hello", ", world.")
    status: int = 200
    error_type: str = "InternalServerException"
    error_message: str = "scripted failure"
    stall_before: int | None = None
    stream_error: str | None = None
    end_early: bool = False
    stop_reason: str = "end_turn"
    input_tokens: int = 11
    output_tokens: int = 7


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class _Script:
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)


class ScriptedServer:
    """The script and the request log shared by the fakes; thread-safe."""

    def __init__(self) -> None:
        self._script = _Script()
        self.app = Starlette(routes=self._routes())

    def _routes(self) -> list[Route]:
        raise NotImplementedError

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, then with ``Reply()``."""
        with self._script.lock:
            self._script.replies.extend(replies)

    def reset(self) -> None:
        """Forget the script and the requests; let stalled streams go on."""
        self.release()
        with self._script.lock:
            self._script.replies.clear()
            self._script.requests.clear()
        self._script.released.clear()

    def release(self) -> None:
        self._script.released.set()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._script.lock:
            return list(self._script.requests)

    async def _take(self, request: Request) -> Reply:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        recorded = RecordedRequest(request.url.path, dict(request.headers), body)
        with self._script.lock:
            self._script.requests.append(recorded)
            return self._script.replies.popleft() if self._script.replies else Reply()

    async def _stall(self) -> None:
        await asyncio.to_thread(self._script.released.wait, MAX_STALL_S)


class FakeBedrock(ScriptedServer):
    """Bedrock Runtime's ConverseStream over HTTP/1.1 and the AWS event stream framing."""

    def _routes(self) -> list[Route]:
        return [Route("/model/{model_id:path}/converse-stream", self._converse, methods=["POST"])]

    async def _converse(self, request: Request) -> Response:
        reply = await self._take(request)
        if reply.status != 200:
            return JSONResponse(
                {"message": reply.error_message},
                status_code=reply.status,
                headers={"x-amzn-ErrorType": reply.error_type},
            )
        return StreamingResponse(self._frames(reply), media_type=EVENT_STREAM_TYPE)

    async def _frames(self, reply: Reply) -> AsyncIterator[bytes]:
        yield bedrock_event("messageStart", {"role": "assistant", "p": "abcd"})
        for index, text in enumerate(reply.deltas):
            if reply.stall_before == index:
                await self._stall()
            yield bedrock_event(
                "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}, "p": "ab"}
            )
        if reply.stall_before == len(reply.deltas):
            await self._stall()
        if reply.stream_error:
            yield bedrock_exception(reply.stream_error, reply.error_message)
            return
        if reply.end_early:
            return
        yield bedrock_event("contentBlockStop", {"contentBlockIndex": 0})
        yield bedrock_event("messageStop", {"stopReason": reply.stop_reason})
        usage = {
            "inputTokens": reply.input_tokens,
            "outputTokens": reply.output_tokens,
            "totalTokens": reply.input_tokens + reply.output_tokens,
        }
        yield bedrock_event("metadata", {"usage": usage, "metrics": {"latencyMs": 12}})


class FakeOpenAI(ScriptedServer):
    """An OpenAI-compatible ``/v1/chat/completions`` streaming like vLLM."""

    def _routes(self) -> list[Route]:
        return [Route("/v1/chat/completions", self._complete, methods=["POST"])]

    async def _complete(self, request: Request) -> Response:
        reply = await self._take(request)
        if reply.status != 200:
            error = {
                "object": "error",
                "message": reply.error_message,
                "type": reply.error_type,
                "code": reply.status,
            }
            return JSONResponse(error, status_code=reply.status)
        return StreamingResponse(self._events(reply), media_type="text/event-stream")

    async def _events(self, reply: Reply) -> AsyncIterator[str]:
        def chunk(choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> str:
            body = {"id": "cmpl-fake", "object": "chat.completion.chunk", "model": "fake"}
            return f"data: {json.dumps({**body, 'choices': choices, 'usage': usage})}\n\n"

        yield ": keep-alive\n\n"
        yield chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
        for index, text in enumerate(reply.deltas):
            if reply.stall_before == index:
                await self._stall()
            yield chunk([{"index": 0, "delta": {"content": text}, "finish_reason": None}])
        if reply.stall_before == len(reply.deltas):
            await self._stall()
        if reply.stream_error:
            error = {"message": reply.error_message, "type": reply.stream_error, "code": 500}
            yield f"data: {json.dumps({'error': error})}\n\n"
            return
        if reply.end_early:
            return
        finish = _OPENAI_STOP.get(reply.stop_reason, reply.stop_reason)
        yield chunk([{"index": 0, "delta": {}, "finish_reason": finish}])
        usage = {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.output_tokens,
            "total_tokens": reply.input_tokens + reply.output_tokens,
        }
        yield chunk([], usage)
        yield "data: [DONE]\n\n"


class ServerThread:
    """Serves ``app`` with uvicorn on a free loopback port, in a thread with its own loop.

    ``with ServerThread(app) as url: ...``; the server stops on exit.
    """

    def __init__(self, app: Starlette, *, start_timeout_s: float = 10.0) -> None:
        self._app = app
        self._start_timeout_s = start_timeout_s
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def __enter__(self) -> str:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            lifespan="off",
            ws="none",
            http="h11",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name="fake-llm", daemon=True
        )
        self._server, self._thread, self._socket = server, thread, listener
        thread.start()
        deadline = time.monotonic() + self._start_timeout_s
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self._stop()
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.005)
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
