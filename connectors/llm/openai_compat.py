"""An OpenAI-compatible chat server (self-hosted vLLM) through streamed chat completions.

``POST {base_url}/v1/chat/completions`` with ``stream: true`` and
``stream_options: {"include_usage": true}``; the answer comes back as
server-sent events, one JSON chunk per ``data:`` field, ended by
``data: [DONE]``. ``choices[0].delta.content`` is text, ``finish_reason`` the
stop reason (``stop`` -> ``end_turn``, ``length`` -> ``max_tokens``), and the last
chunk's ``usage`` the token counts. A stream that ends without ``[DONE]``
failed.

Errors: connection failures, timeouts, 5xx, 408 and 429 (and ``error``
objects a server sends mid-stream with such a code) are
:class:`LlmUnavailable`; other 4xx are :class:`LlmRejected`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.llm.exceptions import LlmError, LlmRejected, LlmUnavailable
from connectors.llm.models import (
    CONTENT_FILTERED,
    END_TURN,
    MAX_TOKENS,
    LlmDone,
    LlmEvent,
    LlmRequest,
    TextDelta,
)
from connectors.llm.prompt import prompt_tokens
from connectors.llm.tokens import estimate_tokens

CHAT_PATH = "/v1/chat/completions"
_STOP_REASONS = {"stop": END_TURN, "length": MAX_TOKENS, "content_filter": CONTENT_FILTERED}
_RETRYABLE_STATUS = frozenset({408, 429})
_DETAIL_CHARS = 200


def _status_error(status: int, detail: str) -> LlmError:
    message = f"LLM server answered HTTP {status}: {detail[:_DETAIL_CHARS]}"
    if status >= 500 or status in _RETRYABLE_STATUS:
        return LlmUnavailable(message)
    return LlmRejected(message)


def chat_body(request: LlmRequest) -> dict[str, Any]:
    """The JSON body of a streamed chat completion for ``request``."""
    messages = [{"role": "system", "content": request.system}] if request.system else []
    messages.extend({"role": m.role, "content": m.content} for m in request.messages)
    return {
        "model": request.model,
        "messages": messages,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def sse_data(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The ``data`` of each server-sent event (multi-line data joined with newlines)."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        if line.startswith(":"):
            continue  # a comment, e.g. a keep-alive
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


class OpenAICompatibleClient:
    """:class:`~connectors.llm.base.LlmClient` for an OpenAI-compatible server.

    ``base_url`` is the server's root (a trailing ``/v1`` is tolerated). Pass
    ``client`` to share or configure the :class:`httpx.AsyncClient` (it is then
    not closed by ``aclose``); otherwise one is made with the given timeouts.
    """

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 30.0,
    ) -> None:
        root = base_url.rstrip("/")
        self._url = (root.removesuffix("/v1") or root) + CHAT_PATH
        self._headers = {"Accept": "text/event-stream"}
        if api_key is not None:
            self._headers["Authorization"] = f"Bearer {api_key.get_secret_value()}"
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        )

    @property
    def url(self) -> str:
        return self._url

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        try:
            async with self._client.stream(
                "POST", self._url, json=chat_body(request), headers=self._headers
            ) as response:
                if response.status_code >= 400:
                    body = (await response.aread()).decode(errors="replace")
                    raise _status_error(response.status_code, body)
                async for event in self._events(request, response):
                    yield event
        except httpx.HTTPError as exc:
            raise LlmUnavailable(f"LLM server could not be reached: {exc!r}") from exc

    async def _events(
        self, request: LlmRequest, response: httpx.Response
    ) -> AsyncIterator[LlmEvent]:
        text: list[str] = []
        stop_reason = END_TURN
        usage: dict[str, Any] = {}
        async for data in sse_data(response.aiter_lines()):
            if data.strip() == "[DONE]":
                yield LlmDone(
                    int(usage.get("prompt_tokens", prompt_tokens(request))),
                    int(usage.get("completion_tokens", estimate_tokens("".join(text)))),
                    stop_reason,
                )
                return
            try:
                chunk = json.loads(data)
            except ValueError as exc:
                raise LlmUnavailable(f"LLM server sent a chunk that is not JSON: {exc}") from exc
            if not isinstance(chunk, dict):
                raise LlmUnavailable("LLM server sent a chunk that is not a JSON object")
            if "error" in chunk:
                raise self._stream_error(chunk["error"])
            for choice in chunk.get("choices") or ():
                content = (choice.get("delta") or {}).get("content")
                if content:
                    text.append(content)
                    yield TextDelta(content)
                reason = choice.get("finish_reason")
                if reason:
                    stop_reason = _STOP_REASONS.get(reason, reason)
            usage = chunk.get("usage") or usage
        raise LlmUnavailable("LLM stream ended before [DONE]")

    @staticmethod
    def _stream_error(error: Any) -> LlmError:
        if not isinstance(error, dict):
            return LlmUnavailable(f"LLM server failed mid-stream: {error}")
        code = error.get("code")
        status = code if isinstance(code, int) else 500
        return _status_error(status, str(error.get("message", error)))

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
