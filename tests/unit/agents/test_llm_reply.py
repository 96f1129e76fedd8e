"""The generation stage's LLM path, with the local generator and with the LLM down."""

from collections.abc import Callable

import pytest

from agents.intent import understand
from agents.llm_reply import llm_reply, uses_llm
from agents.retrieval import ground
from connectors.kafka import free_loopback_port
from connectors.knowledge.local import LocalKnowledgeBase
from connectors.knowledge.retriever import KnowledgeRetriever
from connectors.llm.factory import gateway_from_settings
from connectors.llm.settings import LlmSettings
from schemas.events import ChatTurn, ContextItem, GroundedTurn

KNOWLEDGE = KnowledgeRetriever(LocalKnowledgeBase.bundled())


async def _grounded(text: str, locale: str) -> GroundedTurn:
    turn = ChatTurn(session_id="s", turn_id="t", text=text, locale=locale)  # type: ignore[arg-type]
    return await ground(understand(turn), KNOWLEDGE)


@pytest.mark.parametrize(
    ("text", "locale", "doc"),
    [
        ("送料はいくらですか？", "ja", "shipping-fees"),
        ("Can Kindle books be refunded?", "en", "digital-refunds"),
    ],
)
async def test_policy_answers_are_written_from_cited_passages(
    text: str, locale: str, doc: str
) -> None:
    turn = await _grounded(text, locale)
    assert uses_llm(turn)
    draft = await llm_reply(turn, gateway_from_settings(LlmSettings()))
    final = draft.final
    assert (final.path, final.status, final.llm_model) == ("llm", "ok", "local-grounded")
    assert final.prompt_tokens > 0
    assert final.completion_tokens > 0
    assert any(source.startswith(doc) for source in final.sources)
    assert "[1]" in final.text
    assert "".join(chunk.text for chunk in draft.chunks) == final.text
    completion = draft.completion
    assert completion is not None
    assert (completion.turn_id, completion.text) == (turn.turn_id, final.text)
    assert completion.sources == final.sources
    assert len(completion.prompt_sha256) == 64


def test_structured_turns_stay_on_templates(grounded_turn: Callable[..., GroundedTurn]) -> None:
    kb = ContextItem(source="kb", ref_id="returns#0", title="Returns", text="…", score=0.9)
    assert not uses_llm(grounded_turn("hello", "chitchat", context=(kb,)))
    assert not uses_llm(grounded_turn("a human please", "escalation", context=(kb,)))
    assert not uses_llm(grounded_turn("returns?", "return_request", confidence=0.2, context=(kb,)))
    assert not uses_llm(grounded_turn("returns?", "return_request"))  # nothing to ground on
    assert uses_llm(grounded_turn("returns?", "return_request", context=(kb,)))


async def test_with_the_llm_down_the_template_path_answers() -> None:
    down = LlmSettings(
        provider="openai",
        openai_base_url=f"http://127.0.0.1:{free_loopback_port()}",
        small_model="vllm-small",
        large_model="vllm-large",
        prices={
            "vllm-small": {"input_per_1k": 0.0, "output_per_1k": 0.0},
            "vllm-large": {"input_per_1k": 0.0, "output_per_1k": 0.0},
        },
        max_retries=0,
        connect_timeout_s=0.5,
    )
    gateway = gateway_from_settings(down)
    try:
        draft = await llm_reply(await _grounded("送料はいくらですか？", "ja"), gateway)
    finally:
        await gateway.aclose()
    assert (draft.final.path, draft.final.status) == ("fallback", "ok")
    assert "350円" in draft.final.text  # the passage itself, quoted by the template path
    assert draft.final.llm_model is None
    assert draft.completion is None
