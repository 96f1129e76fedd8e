"""OpenAICompatibleClient (real httpx) against a local uvicorn server streaming SSE like vLLM."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.kafka import free_loopback_port
from connectors.llm import (
    LlmDone,
    LlmGateway,
    LlmRejected,
    LlmSettings,
    LlmUnavailable,
    OpenAICompatibleClient,
    TextDelta,
)
from connectors.llm.testing import FakeOpenAI, Reply
from tests.unit.connectors.llm.helpers import REQUEST, RecordedSleep


@pytest.fixture
async def vllm(openai_server: tuple[FakeOpenAI, str]) -> AsyncIterator[OpenAICompatibleClient]:
    client = OpenAICompatibleClient(
        openai_server[1], SecretStr("sk-local"), connect_timeout_s=1.0, read_timeout_s=5.0
    )
    yield client
    await client.aclose()


async def events(client: Any) -> list[Any]:
    return [event async for event in client.stream(REQUEST)]


async def test_streams_text_stop_reason_and_usage(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(Reply(deltas=("返品は", "30日以内", "です。"), input_tokens=20))
    assert await events(vllm) == [
        TextDelta("返品は"),
        TextDelta("30日以内"),
        TextDelta("です。"),
        LlmDone(20, 7, "end_turn"),
    ]
    (request,) = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-local"
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["model"] == "small-model"
    assert request.body["messages"] == [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "hello"},
    ]
    assert (request.body["max_tokens"], request.body["temperature"]) == (64, 0.0)


async def test_length_is_reported_as_max_tokens(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(Reply(stop_reason="max_tokens"))
    assert (await events(vllm))[-1].stop_reason == "max_tokens"


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, LlmUnavailable), (503, LlmUnavailable), (429, LlmUnavailable), (400, LlmRejected)],
)
async def test_http_errors(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI, status: int, kind: type[Exception]
) -> None:
    fake_openai.script(Reply(status=status, error_message="maximum context length exceeded"))
    with pytest.raises(kind, match=f"HTTP {status}: .*maximum context length"):
        await events(vllm)


async def test_connection_refused_is_unavailable() -> None:
    client = OpenAICompatibleClient(f"http://127.0.0.1:{free_loopback_port()}")
    with pytest.raises(LlmUnavailable, match="could not be reached"):
        await events(client)
    await client.aclose()


async def test_an_error_inside_the_stream_comes_after_the_text_so_far(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(Reply(deltas=("par",), stream_error="InternalServerError"))
    stream = vllm.stream(REQUEST)
    assert await anext(stream) == TextDelta("par")
    with pytest.raises(LlmUnavailable, match="scripted failure"):
        await anext(stream)


async def test_a_stream_without_done_is_unavailable(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(Reply(end_early=True))
    with pytest.raises(LlmUnavailable, match="before \\[DONE\\]"):
        await events(vllm)


async def test_a_stream_stalled_mid_answer_hits_the_read_timeout(
    openai_server: tuple[FakeOpenAI, str], fake_openai: FakeOpenAI
) -> None:
    client = OpenAICompatibleClient(openai_server[1], read_timeout_s=0.2)
    fake_openai.script(Reply(deltas=("one", "two"), stall_before=1))
    stream = client.stream(REQUEST)
    assert await anext(stream) == TextDelta("one")
    with pytest.raises(LlmUnavailable, match="ReadTimeout"):
        await anext(stream)
    await client.aclose()


async def test_a_stall_before_the_first_token_is_retried_by_the_gateway(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(Reply(stall_before=0), Reply(deltas=("fresh", " answer")))
    sleep = RecordedSleep()
    settings = LlmSettings(first_token_timeout_s=0.2, total_timeout_s=2.0, max_retries=1)
    gateway = LlmGateway(vllm, settings, sleep=sleep)
    started = time.monotonic()
    texts = [e.text for e in await events(gateway) if isinstance(e, TextDelta)]
    assert texts == ["fresh", " answer"]
    assert len(fake_openai.requests) == 2
    assert len(sleep.delays) == 1
    assert time.monotonic() - started < 1.0


async def test_a_stall_after_text_is_not_retried(
    vllm: OpenAICompatibleClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(Reply(deltas=("once", "more"), stall_before=1))
    settings = LlmSettings(first_token_timeout_s=0.2, total_timeout_s=0.3, max_retries=3)
    gateway = LlmGateway(vllm, settings, sleep=RecordedSleep())
    stream = gateway.stream(REQUEST)
    assert await anext(stream) == TextDelta("once")
    with pytest.raises(LlmUnavailable, match="end of the answer"):
        await anext(stream)
    assert len(fake_openai.requests) == 1


async def test_an_injected_http_client_is_used_and_left_open(
    openai_server: tuple[FakeOpenAI, str], fake_openai: FakeOpenAI
) -> None:
    async with httpx.AsyncClient(headers={"X-Trace": "t-1"}) as http:
        client = OpenAICompatibleClient(openai_server[1] + "/v1", client=http)
        assert (await events(client))[-1] == LlmDone(11, 7, "end_turn")
        await client.aclose()
        assert not http.is_closed
    assert fake_openai.requests[0].headers["x-trace"] == "t-1"
    assert "authorization" not in fake_openai.requests[0].headers
