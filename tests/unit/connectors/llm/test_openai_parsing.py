"""The OpenAI-compatible client's parsing, over httpx.MockTransport (tests/integration has
the real server)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.llm import LlmDone, LlmRejected, LlmUnavailable, OpenAICompatibleClient, TextDelta
from connectors.llm.openai_compat import chat_body
from tests.unit.connectors.llm.helpers import REQUEST


def chunk(content: str | None = None, finish: str | None = None, usage: Any = None) -> str:
    choices = (
        []
        if content is None and finish is None
        else [
            {"index": 0, "delta": {"content": content} if content else {}, "finish_reason": finish}
        ]
    )
    return f"data: {json.dumps({'choices': choices, 'usage': usage})}\n\n"


def client_for(
    pieces: list[str], status: int = 200, seen: list[httpx.Request] | None = None
) -> OpenAICompatibleClient:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece.encode()

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=body())

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OpenAICompatibleClient("http://vllm:8000/v1/", SecretStr("sk-test"), client=http)


async def events(client: OpenAICompatibleClient) -> list[Any]:
    return [event async for event in client.stream(REQUEST)]


USAGE = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}


async def test_parses_deltas_finish_reason_and_usage_even_split_mid_line() -> None:
    stream = "".join(
        [
            ": keep-alive\n\n",
            chunk("Hel"),
            chunk("lo 返品"),
            chunk(finish="length"),
            chunk(usage=USAGE),
            "data: [DONE]\n\n",
        ]
    )
    pieces = [stream[i : i + 7] for i in range(0, len(stream), 7)]  # cut anywhere, even in UTF-8
    seen: list[httpx.Request] = []
    client = client_for(pieces, seen=seen)
    assert await events(client) == [
        TextDelta("Hel"),
        TextDelta("lo 返品"),
        LlmDone(12, 3, "max_tokens"),
    ]
    (request,) = seen
    assert str(request.url) == "http://vllm:8000/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body == chat_body(REQUEST)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"][0] == {"role": "system", "content": "rules"}


async def test_multi_line_data_is_joined() -> None:
    payload = json.dumps({"choices": [{"delta": {"content": "x"}}]}, indent=1)
    lines = "".join(f"data: {line}\n" for line in payload.splitlines()) + "\n"
    client = client_for([lines, "data: [DONE]\n\n"])
    assert (await events(client))[0] == TextDelta("x")


async def test_missing_usage_is_estimated() -> None:
    client = client_for([chunk("abcdefgh"), chunk(finish="stop"), "data: [DONE]\n\n"])
    done = (await events(client))[-1]
    assert done == LlmDone(done.input_tokens, 2, "end_turn")
    assert done.input_tokens > 0


@pytest.mark.parametrize(
    ("pieces", "error", "match"),
    [
        ([chunk("partial")], LlmUnavailable, "before \\[DONE\\]"),
        (["data: {not json\n\n"], LlmUnavailable, "not JSON"),
        (["data: [1, 2]\n\n"], LlmUnavailable, "not a JSON object"),
        (['data: {"error": {"message": "boom", "code": 500}}\n\n'], LlmUnavailable, "boom"),
        (['data: {"error": {"message": "too long", "code": 400}}\n\n'], LlmRejected, "too long"),
        (['data: {"error": "weird"}\n\n'], LlmUnavailable, "weird"),
    ],
)
async def test_broken_streams(pieces: list[str], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        await events(client_for(pieces))


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, LlmUnavailable),
        (503, LlmUnavailable),
        (429, LlmUnavailable),
        (408, LlmUnavailable),
        (400, LlmRejected),
        (401, LlmRejected),
        (404, LlmRejected),
    ],
)
async def test_status_codes(status: int, error: type[Exception]) -> None:
    with pytest.raises(error, match=f"HTTP {status}: no"):
        await events(client_for(["no"], status=status))


async def test_transport_errors_are_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    client = OpenAICompatibleClient("http://vllm:8000", client=http)
    with pytest.raises(LlmUnavailable, match="could not be reached"):
        await events(client)
    await client.aclose()
    assert not http.is_closed  # an injected client belongs to the caller
    await http.aclose()


@pytest.mark.parametrize(
    ("base_url", "url"),
    [
        ("http://h:1", "http://h:1/v1/chat/completions"),
        ("http://h:1/", "http://h:1/v1/chat/completions"),
        ("http://h:1/v1", "http://h:1/v1/chat/completions"),
        ("http://h:1/llm/", "http://h:1/llm/v1/chat/completions"),
    ],
)
async def test_base_urls(base_url: str, url: str) -> None:
    client = OpenAICompatibleClient(base_url)
    assert client.url == url
    await client.aclose()


async def test_no_api_key_no_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text=chunk("x") + "data: [DONE]\n\n")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = OpenAICompatibleClient("http://h:1", None, client=http)
        await events(client)
    assert "authorization" not in seen[0].headers
