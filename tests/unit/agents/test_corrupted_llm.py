"""The grounding check catches an LLM that misstates the catalog, before the shopper sees it."""

from collections.abc import AsyncIterator

import pytest

from agents.guard.draft import guard_draft
from agents.guard.guard import Guard
from agents.llm_reply import llm_reply, uses_llm
from connectors.llm.gateway import LlmGateway
from connectors.llm.models import LlmDone, LlmEvent, LlmRequest, TextDelta
from connectors.llm.settings import LlmSettings
from connectors.store import load_store
from schemas.events import ContextItem, GroundedTurn

ITEM = next(i for i in load_store().item_by_asin.values() if i.volume == 1 and i.format == "kindle")


class CorruptingClient:
    """Answers every prompt with this item at a made-up price and release date."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        if self.locale == "ja":
            text = f"{ITEM.title_ja}は99,999円です。[1] 発売日は2031年1月1日です。[1]"
        else:
            text = f"{ITEM.title_en} costs ¥99,999. [1] It came out on 2031-01-01. [1]"
        for sentence in text.split("。" if self.locale == "ja" else ". "):
            yield TextDelta(sentence)
        yield LlmDone(input_tokens=100, output_tokens=30, stop_reason="end_turn")

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize("locale", ["en", "ja"])
async def test_a_wrong_price_from_the_llm_never_reaches_the_shopper(locale: str) -> None:
    title = ITEM.title_ja if locale == "ja" else ITEM.title_en
    turn = GroundedTurn(
        session_id="s",
        turn_id="t",
        locale=locale,  # type: ignore[arg-type]
        text="how much is it and when did it come out?",
        intent="product_question",
        confidence=0.9,
        received_ts="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
        context=(
            ContextItem(source="catalog", ref_id=ITEM.asin, title=title, text="…", score=1.0),
            ContextItem(
                source="kb", ref_id="pre-orders#0", title="Pre-orders", text="…", score=0.9
            ),
        ),
    )
    assert uses_llm(turn)
    gateway = LlmGateway(CorruptingClient(locale), LlmSettings())
    corrupted = await llm_reply(turn, gateway)
    assert "99,999" in corrupted.final.text  # what the model wrote
    guarded = guard_draft(corrupted, turn, Guard())
    final = guarded.final
    assert "99,999" not in final.text
    assert "2031" not in final.text
    assert "grounding" in final.guardrail_flags
    assert "".join(chunk.text for chunk in guarded.chunks) == final.text
    price = f"{ITEM.price_jpy:,}円" if locale == "ja" else f"¥{ITEM.price_jpy:,}"
    assert price in final.text  # corrected, the sentence kept
