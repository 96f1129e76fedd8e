from __future__ import annotations

import pytest

from connectors.llm import (
    AnswerRequest,
    LlmGateway,
    LlmSettings,
    LlmUnavailable,
    LocalGroundedClient,
    TextDelta,
    generate_answer,
)
from connectors.llm.settings import DEFAULT_LARGE_MODEL, DEFAULT_SMALL_MODEL, LOCAL_MODEL
from schemas.events import ContextItem, GroundedTurn, utc_now
from tests.unit.connectors.llm.helpers import RecordedSleep, ScriptedClient

FAQ = ContextItem(
    source="faq",
    ref_id="returns",
    title="Returns",
    text="Unopened items can be returned within 30 days of delivery.",
    score=0.9,
)


async def test_the_local_answer_streams_and_reports_usage_and_sources() -> None:
    gateway = LlmGateway(LocalGroundedClient(), LlmSettings())
    answer = generate_answer(gateway, AnswerRequest("Can I return a book?", "en", "faq", (FAQ,)))
    assert answer.usage is None  # known once the stream has ended
    pieces = [piece async for piece in answer]
    assert len(pieces) > 1
    assert answer.text == "".join(pieces)
    assert "[1]" in answer.text
    assert answer.sources == ("returns",)
    assert answer.usage is not None
    assert answer.usage.model == LOCAL_MODEL
    assert answer.usage.cost_usd == 0.0
    assert answer.usage.output_tokens > 0
    assert (answer.stop_reason, answer.cached) == ("end_turn", False)


async def test_routing_and_cost_with_a_priced_model() -> None:
    client = ScriptedClient()
    gateway = LlmGateway(client, LlmSettings(provider="bedrock"))
    simple = generate_answer(gateway, AnswerRequest("Can I return it?", "en", "faq", (FAQ,)))
    assert simple.choice.model == DEFAULT_SMALL_MODEL
    assert simple.prompt.model == DEFAULT_SMALL_MODEL
    assert [p async for p in simple] == ["Hello", " there."]
    assert simple.usage is not None
    assert simple.usage.cost_usd == pytest.approx(5 / 1000 * 0.00025 + 2 / 1000 * 0.00125)
    assert simple.sources == ()  # the scripted answer cites nothing
    complex_ = generate_answer(
        gateway, AnswerRequest("Something like Frieren?", "en", "recommendation")
    )
    assert complex_.choice.model == DEFAULT_LARGE_MODEL


async def test_errors_reach_the_caller() -> None:
    client = ScriptedClient([LlmUnavailable("down")])
    gateway = LlmGateway(client, LlmSettings(max_retries=0), sleep=RecordedSleep())
    answer = generate_answer(gateway, AnswerRequest("q", "en"))
    with pytest.raises(LlmUnavailable):
        await anext(answer)
    assert answer.usage is None


async def test_closing_early_closes_the_provider_stream() -> None:
    client = ScriptedClient([TextDelta("a"), TextDelta("b"), TextDelta("c")])
    gateway = LlmGateway(client, LlmSettings())
    answer = generate_answer(gateway, AnswerRequest("q", "en"))
    assert await anext(answer) == "a"
    await answer.aclose()
    assert client.finished == 1


def test_a_request_from_a_grounded_turn() -> None:
    turn = GroundedTurn(
        session_id="s",
        turn_id="t",
        user_id="u1",
        locale="ja",
        text="返品できますか",
        intent="return_request",
        confidence=0.9,
        received_ts=utc_now(),
        context=(FAQ,),
    )
    request = AnswerRequest.from_turn(turn, ())
    assert (request.question, request.locale, request.intent) == (
        "返品できますか",
        "ja",
        "return_request",
    )
    assert (request.context, request.user_id, request.memory) == ((FAQ,), "u1", ())
