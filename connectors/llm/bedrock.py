"""Amazon Bedrock through the Converse API: ``converse_stream`` read in a worker thread.

boto3 blocks, so each call runs in a thread of the client's own pool, which
iterates the response's event stream and hands every event to the event loop
through an :class:`asyncio.Queue` (``call_soon_threadsafe``); the loop never
waits on a socket. Events are mapped as:

* ``contentBlockDelta`` with ``delta.text``: a :class:`TextDelta`;
* ``messageStop.stopReason``: the stop reason (Bedrock's words are the gateway's);
* ``metadata.usage``: ``inputTokens`` and ``outputTokens``;
* the end of the stream: :class:`LlmDone` (a stream that ends without
  ``messageStop`` was cut short: :class:`LlmUnavailable`).

When the consumer stops early (a timeout, a client gone), the thread is told
to stop and the stream's socket is shut down, which wakes a read blocked on a
stalled stream at once (closing alone would wait for that read); botocore's
``read_timeout`` remains the backstop. boto3's own retries are off: the
gateway retries, and only before the first text.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EventStreamError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError
from urllib3.exceptions import HTTPError as Urllib3Error

from connectors.llm.exceptions import LlmError, LlmRejected, LlmUnavailable
from connectors.llm.models import END_TURN, LlmDone, LlmEvent, LlmRequest, TextDelta
from connectors.llm.prompt import prompt_tokens
from connectors.llm.tokens import estimate_tokens

# Error codes worth another try, lowercased: the HTTP API spells them
# "ThrottlingException", the event stream "throttlingException".
_RETRYABLE_CODES = frozenset(
    {
        "throttlingexception",
        "toomanyrequestsexception",
        "serviceunavailableexception",
        "internalserverexception",
        "modeltimeoutexception",
        "modelnotreadyexception",
        "modelerrorexception",
        "modelstreamerrorexception",
    }
)
_CONFIGURATION_ERRORS = (
    ParamValidationError,
    NoCredentialsError,
    PartialCredentialsError,
    NoRegionError,
)
_END = object()


def bedrock_runtime_client(
    region: str,
    *,
    endpoint_url: str | None = None,
    connect_timeout_s: float = 2.0,
    read_timeout_s: float = 30.0,
    max_pool_connections: int = 32,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """A ``bedrock-runtime`` client without retries of its own.

    ``credentials``: boto3's ``aws_*`` client arguments; unset, boto3's usual
    chain (environment, profile, instance role) provides them.
    """
    config = Config(
        connect_timeout=connect_timeout_s,
        read_timeout=read_timeout_s,
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max_pool_connections,
    )
    session = boto3.session.Session()  # not the default session: that one is shared
    return session.client(
        "bedrock-runtime",
        region_name=region,
        endpoint_url=endpoint_url,
        config=config,
        **(credentials or {}),
    )


def converse_arguments(request: LlmRequest) -> dict[str, Any]:
    """``converse_stream``'s keyword arguments for ``request``."""
    arguments: dict[str, Any] = {
        "modelId": request.model,
        "messages": [
            {"role": message.role, "content": [{"text": message.content}]}
            for message in request.messages
        ],
        "inferenceConfig": {"maxTokens": request.max_tokens, "temperature": request.temperature},
    }
    if request.system:
        arguments["system"] = [{"text": request.system}]
    return arguments


def map_error(exc: BaseException) -> LlmError | None:
    """The gateway's error for a boto3/botocore/urllib3 one; None when it is none of theirs."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        detail = f"Bedrock answered {code or 'an error'}: {error.get('Message', '')}"
        if code.lower() in _RETRYABLE_CODES:
            return LlmUnavailable(detail)
        if isinstance(exc, EventStreamError):
            # Mid-stream errors carry no real status; only validation is the request's fault.
            if code.lower() == "validationexception":
                return LlmRejected(detail)
            return LlmUnavailable(detail)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if isinstance(status, int) and 400 <= status < 500 and status != 429:
            return LlmRejected(f"{detail} (HTTP {status})")
        return LlmUnavailable(f"{detail} (HTTP {status})")
    if isinstance(exc, _CONFIGURATION_ERRORS):
        return LlmRejected(f"Bedrock call cannot be made: {exc}")
    if isinstance(exc, ResponseParserError):
        return LlmUnavailable(f"Bedrock sent a response boto3 cannot read: {exc}")
    if isinstance(exc, BotoCoreError | Urllib3Error | OSError):
        return LlmUnavailable(f"Bedrock could not be reached: {exc}")
    return None


def _interrupt(event_stream: Any) -> None:
    """Shut down the stream's socket, waking a thread blocked reading it."""
    try:
        sock = event_stream._raw_stream.connection.sock
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass  # botocore internals moved, or the socket is gone: read_timeout still applies


class _Feed:
    """Carries items from the worker thread to the loop; ``stop`` tells the worker to quit."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[object]) -> None:
        self._loop = loop
        self._queue = queue
        self._lock = threading.Lock()
        self._stream: Any = None
        self.stopped = False

    def put(self, item: object) -> None:
        if self.stopped:
            return
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            self.stopped = True

    def attach(self, event_stream: Any) -> bool:
        """Remember the stream to interrupt; False when already told to stop."""
        with self._lock:
            self._stream = event_stream
            return not self.stopped

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            if self._stream is not None:
                _interrupt(self._stream)


def _pump(client: Any, arguments: dict[str, Any], feed: _Feed) -> None:
    """The worker thread: call Bedrock and forward each event, then _END or the exception."""
    event_stream: Any = None
    try:
        event_stream = client.converse_stream(**arguments)["stream"]
        if not feed.attach(event_stream):
            return
        for event in event_stream:
            if feed.stopped:
                return
            feed.put(event)
        feed.put(_END)
    except Exception as exc:  # handed to the loop, which maps or re-raises it
        feed.put(exc)
    finally:
        if event_stream is not None:
            with contextlib.suppress(Exception):  # closing a broken stream may fail: no matter
                event_stream.close()


class BedrockClient:
    """:class:`~connectors.llm.base.LlmClient` over a boto3 ``bedrock-runtime`` client.

    At most ``max_concurrency`` streams are read at once; further calls wait
    for a thread (and so may meet the gateway's first-token timeout).
    """

    def __init__(
        self, client: Any, *, max_concurrency: int = 32, owns_client: bool = False
    ) -> None:
        """``owns_client``: ``aclose`` closes ``client`` too."""
        self._client = client
        self._owns_client = owns_client
        self._executor = ThreadPoolExecutor(
            max_workers=max_concurrency, thread_name_prefix="bedrock-stream"
        )

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        feed = _Feed(loop, queue)
        try:
            # A bare submit: results travel through the queue, so no asyncio future is
            # chained to the thread (it could outlive the loop).
            self._executor.submit(_pump, self._client, converse_arguments(request), feed)
        except RuntimeError as exc:
            raise LlmError("the Bedrock client is closed") from exc
        text: list[str] = []
        usage: dict[str, Any] = {}
        stop_reason: str | None = None
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    mapped = map_error(item)
                    if mapped is None:
                        raise item
                    raise mapped from item
                if not isinstance(item, dict):
                    continue
                delta = item.get("contentBlockDelta", {}).get("delta", {}).get("text")
                if delta:
                    text.append(delta)
                    yield TextDelta(delta)
                elif "messageStop" in item:
                    stop_reason = str(item["messageStop"].get("stopReason") or END_TURN)
                elif "metadata" in item:
                    usage = item["metadata"].get("usage", {})
        finally:
            feed.stop()
        if stop_reason is None:
            raise LlmUnavailable("Bedrock stream ended before its messageStop")
        # Bedrock always reports usage; estimate only if a proxy dropped it.
        yield LlmDone(
            int(usage.get("inputTokens", prompt_tokens(request))),
            int(usage.get("outputTokens", estimate_tokens("".join(text)))),
            stop_reason,
        )

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._owns_client:
            await asyncio.to_thread(self._client.close)
