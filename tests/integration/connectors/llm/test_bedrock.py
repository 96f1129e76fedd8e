"""BedrockClient (real boto3) against a local server speaking ConverseStream's wire format."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from connectors.kafka import free_loopback_port
from connectors.llm import (
    AnswerRequest,
    BedrockClient,
    LlmDone,
    LlmGateway,
    LlmRejected,
    LlmSettings,
    LlmUnavailable,
    TextDelta,
    bedrock_runtime_client,
    build_prompt,
    generate_answer,
)
from connectors.llm.settings import DEFAULT_SMALL_MODEL
from connectors.llm.testing import FakeBedrock, Reply
from schemas.events import ContextItem
from tests.integration.connectors.llm.conftest import FAKE_CREDENTIALS, REGION
from tests.unit.connectors.llm.helpers import REQUEST, RecordedSleep


@pytest.fixture
async def bedrock(boto_bedrock: Any) -> AsyncIterator[BedrockClient]:
    client = BedrockClient(boto_bedrock, max_concurrency=4)
    yield client
    await client.aclose()


async def events(client: Any) -> list[Any]:
    return [event async for event in client.stream(REQUEST)]


async def test_streams_text_stop_reason_and_usage(
    bedrock: BedrockClient, fake_bedrock: FakeBedrock
) -> None:
    fake_bedrock.script(
        Reply(deltas=("こんにちは", "、世界。", " Hi!"), stop_reason="max_tokens", input_tokens=42)
    )
    assert await events(bedrock) == [
        TextDelta("こんにちは"),
        TextDelta("、世界。"),
        TextDelta(" Hi!"),
        LlmDone(42, 7, "max_tokens"),
    ]
    (request,) = fake_bedrock.requests
    assert request.path == "/model/small-model/converse-stream"
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert request.body == {
        "messages": [{"role": "user", "content": [{"text": "hello"}]}],
        "system": [{"text": "rules"}],
        "inferenceConfig": {"maxTokens": 64, "temperature": 0.0},
    }


async def test_the_model_id_is_escaped_in_the_path(
    bedrock: BedrockClient, fake_bedrock: FakeBedrock
) -> None:
    prompt = build_prompt("q", "en", [], [], 10_000, model=DEFAULT_SMALL_MODEL)
    [event async for event in bedrock.stream(prompt)]
    path = fake_bedrock.requests[0].path
    assert path == f"/model/{DEFAULT_SMALL_MODEL}/converse-stream"


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (429, "ThrottlingException", LlmUnavailable),
        (503, "ServiceUnavailableException", LlmUnavailable),
        (500, "InternalServerException", LlmUnavailable),
        (400, "ValidationException", LlmRejected),
        (403, "AccessDeniedException", LlmRejected),
    ],
)
async def test_http_errors(
    bedrock: BedrockClient,
    fake_bedrock: FakeBedrock,
    status: int,
    error_type: str,
    kind: type[Exception],
) -> None:
    fake_bedrock.script(Reply(status=status, error_type=error_type, error_message="nope"))
    with pytest.raises(kind, match=f"{error_type}: nope"):
        await events(bedrock)
    assert len(fake_bedrock.requests) == 1  # boto3's own retries are off


@pytest.mark.parametrize(
    ("stream_error", "kind"),
    [
        ("throttlingException", LlmUnavailable),
        ("modelStreamErrorException", LlmUnavailable),
        ("validationException", LlmRejected),
    ],
)
async def test_errors_inside_the_stream_come_after_the_text_so_far(
    bedrock: BedrockClient, fake_bedrock: FakeBedrock, stream_error: str, kind: type[Exception]
) -> None:
    fake_bedrock.script(Reply(deltas=("partial",), stream_error=stream_error))
    stream = bedrock.stream(REQUEST)
    assert await anext(stream) == TextDelta("partial")
    with pytest.raises(kind, match=stream_error):
        await anext(stream)


async def test_a_stream_cut_before_its_end_is_unavailable(
    bedrock: BedrockClient, fake_bedrock: FakeBedrock
) -> None:
    fake_bedrock.script(Reply(deltas=("cut",), end_early=True))
    with pytest.raises(LlmUnavailable, match="ended before its messageStop"):
        await events(bedrock)


async def test_connection_refused_is_unavailable() -> None:
    boto = bedrock_runtime_client(
        REGION,
        endpoint_url=f"http://127.0.0.1:{free_loopback_port()}",
        credentials=FAKE_CREDENTIALS,
    )
    client = BedrockClient(boto, owns_client=True)
    with pytest.raises(LlmUnavailable, match="could not be reached"):
        await events(client)
    await client.aclose()


async def test_a_stall_times_out_and_frees_the_worker_thread(
    boto_bedrock: Any, fake_bedrock: FakeBedrock
) -> None:
    client = BedrockClient(boto_bedrock, max_concurrency=1)
    settings = LlmSettings(first_token_timeout_s=0.2, total_timeout_s=2.0, max_retries=0)
    gateway = LlmGateway(client, settings)
    fake_bedrock.script(Reply(stall_before=0))  # stalls until released (never, here)
    started = time.monotonic()
    with pytest.raises(LlmUnavailable, match="first token"):
        await events(gateway)
    # The only worker thread was reading the stalled stream: it must be free again.
    assert (await events(gateway))[-1] == LlmDone(11, 7, "end_turn")
    assert time.monotonic() - started < 1.5
    await gateway.aclose()


async def test_the_gateway_retries_a_throttled_call_once_without_repeating_text(
    bedrock: BedrockClient, fake_bedrock: FakeBedrock
) -> None:
    fake_bedrock.script(Reply(status=429, error_type="ThrottlingException"), Reply())
    sleep = RecordedSleep()
    gateway = LlmGateway(bedrock, LlmSettings(max_retries=2), sleep=sleep, random=lambda: 1.0)
    texts = [e.text for e in await events(gateway) if isinstance(e, TextDelta)]
    assert texts == ["Hello", ", world."]
    assert (len(fake_bedrock.requests), sleep.delays) == (2, [0.2])


async def test_an_answer_end_to_end_with_cost(
    bedrock: BedrockClient, fake_bedrock: FakeBedrock
) -> None:
    fake_bedrock.script(
        Reply(
            deltas=("Returns are accepted", " within 30 days [1]."),
            input_tokens=1000,
            output_tokens=100,
        )
    )
    gateway = LlmGateway(bedrock, LlmSettings(provider="bedrock"))
    faq = ContextItem(source="faq", ref_id="returns", title="Returns", text="30 days.", score=1)
    answer = generate_answer(gateway, AnswerRequest("Can I return it?", "en", "faq", (faq,)))
    assert [piece async for piece in answer] == ["Returns are accepted", " within 30 days [1]."]
    assert answer.sources == ("returns",)
    assert answer.usage is not None
    assert answer.usage.model == DEFAULT_SMALL_MODEL
    assert answer.usage.cost_usd == pytest.approx(0.00025 + 0.1 * 0.00125)
    body = fake_bedrock.requests[0].body
    assert body["system"][0]["text"].startswith("You are MangaAssist")
    assert (
        '<context id="1" source="faq" ref="returns"' in body["messages"][-1]["content"][0]["text"]
    )
