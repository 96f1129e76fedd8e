from __future__ import annotations

import re
import time

from connectors.llm import (
    LlmDone,
    LlmRequest,
    LocalGroundedClient,
    Message,
    TextDelta,
    build_prompt,
    estimate_tokens,
)
from connectors.llm.local import DONT_KNOW, LEAD, split_sentences
from connectors.llm.prompt import prompt_tokens
from schemas.events import ContextItem, Locale

RETURNS_EN = ContextItem(
    source="faq",
    ref_id="returns",
    title="Returns",
    text="Unopened items can be returned within 30 days of delivery. Refunds reach the original "
    "payment method within 5 business days. Gift wrapping costs 2.5 dollars per item.",
    score=0.9,
)
SHIPPING_EN = ContextItem(
    source="faq",
    ref_id="shipping",
    title="Shipping",
    text="Standard shipping takes 2-4 days. Orders over ¥3,500 ship free.",
    score=0.5,
)
RETURNS_JA = ContextItem(
    source="faq",
    ref_id="returns-ja",
    title="返品について",
    text="未開封の商品は、お届けから30日以内であれば返品できます。"
    "返金は5営業日以内に元のお支払い方法へ行われます。ギフト包装は1点につき250円です。",
    score=0.9,
)
PRODUCTS = (
    ContextItem(
        source="catalog",
        ref_id="B0FRIEREN1",
        title="Frieren 1",
        text="Frieren 1 (paperback): ¥594, in stock.",
        score=0.9,
    ),
    ContextItem(
        source="catalog",
        ref_id="B0FRIEREN2",
        title="Frieren 2",
        text="Frieren 2 (Kindle): ¥528, available to pre-order.",
        score=0.7,
    ),
)


def request_for(
    question: str, locale: Locale, context: tuple[ContextItem, ...], max_tokens: int = 512
) -> LlmRequest:
    return build_prompt(question, locale, [], context, 10_000, model="m", max_tokens=max_tokens)


async def run(request: LlmRequest) -> tuple[list[str], LlmDone]:
    pieces: list[str] = []
    done = None
    async for event in LocalGroundedClient().stream(request):
        if isinstance(event, TextDelta):
            pieces.append(event.text)
        else:
            done = event
    assert done is not None
    return pieces, done


def numbers(text: str) -> set[str]:
    """Numbers standing alone (not the digits of an id like B0FRIEREN1), citations left out."""
    return set(re.findall(r"(?<![A-Za-z0-9])\d+(?:[.,]\d+)*", re.sub(r"\[\d+\]", "", text)))


async def test_answers_with_the_relevant_sentence_cited() -> None:
    request = request_for("How many days do I have to return a book?", "en", (RETURNS_EN,))
    pieces, done = await run(request)
    text = "".join(pieces)
    assert text.startswith(LEAD["en"])
    assert "Unopened items can be returned within 30 days of delivery. [1]" in text
    assert "Gift wrapping" not in text
    assert text.endswith("Sources: [1] faq:returns")
    assert len(pieces) >= 3  # streamed sentence by sentence
    assert done.stop_reason == "end_turn"


async def test_picks_across_blocks_and_cites_each() -> None:
    request = request_for("Is shipping free?", "en", (RETURNS_EN, SHIPPING_EN))
    text = "".join((await run(request))[0])
    assert "Orders over ¥3,500 ship free. [2]" in text
    assert "[1]" not in text
    assert text.endswith("Sources: [2] faq:shipping")


async def test_japanese_is_matched_on_bigrams_and_answered_in_japanese() -> None:
    request = request_for("返金はいつ戻りますか？", "ja", (RETURNS_JA,))
    text = "".join((await run(request))[0])
    assert text.startswith(LEAD["ja"])
    assert "返金は5営業日以内に元のお支払い方法へ行われます。[1]" in text
    assert "ギフト" not in text
    assert text.endswith("出典：[1] faq:returns-ja")


async def test_prefers_sentences_in_the_turns_language() -> None:
    mixed = ContextItem(
        source="kb",
        ref_id="mixed",
        title="Returns",
        text="Returns are accepted within 30 days. 返品は30日以内に受け付けます。",
        score=1.0,
    )
    text = "".join((await run(request_for("返品 returns", "ja", (mixed,))))[0])
    assert "返品は30日以内に受け付けます。[1]" in text
    assert "Returns are accepted" not in text


async def test_every_product_line_is_quoted_whole() -> None:
    text = "".join((await run(request_for("frieren", "en", PRODUCTS)))[0])
    assert "Frieren 1 (paperback): ¥594, in stock. [1]" in text
    assert "Frieren 2 (Kindle): ¥528, available to pre-order. [2]" in text
    assert text.endswith("Sources: [1] catalog:B0FRIEREN1, [2] catalog:B0FRIEREN2")


async def test_no_number_is_invented() -> None:
    contexts = (RETURNS_EN, SHIPPING_EN, *PRODUCTS)
    for question in ("return", "shipping cost?", "refund", "gift", "frieren", "zzz"):
        text = "".join((await run(request_for(question, "en", contexts)))[0])
        allowed = set().union(*(numbers(c.text) for c in contexts))
        assert numbers(text) <= allowed, question


async def test_without_context_it_says_it_does_not_know() -> None:
    for locale, question in (("en", "What is the meaning of life?"), ("ja", "人生の意味は？")):
        pieces, done = await run(request_for(question, locale, ()))  # type: ignore[arg-type]
        assert pieces == [DONT_KNOW[locale]]  # type: ignore[index]
        assert not numbers(pieces[0])
        assert done.output_tokens == estimate_tokens(pieces[0])


async def test_a_free_form_request_has_no_context() -> None:
    request = LlmRequest("s", (Message("user", "Is shipping free?"),), "m", 100, 0.0)
    assert (await run(request))[0] == [DONT_KNOW["en"]]


async def test_no_overlap_falls_back_to_the_best_blocks_first_sentence() -> None:
    text = "".join((await run(request_for("zzz", "en", (RETURNS_EN, SHIPPING_EN))))[0])
    assert "Unopened items can be returned within 30 days of delivery. [1]" in text
    assert "[2]" not in text


async def test_token_counts_are_estimates_of_prompt_and_answer() -> None:
    request = request_for("return", "en", (RETURNS_EN,))
    pieces, done = await run(request)
    assert done.input_tokens == prompt_tokens(request)
    assert done.output_tokens == sum(estimate_tokens(piece) for piece in pieces)


async def test_stops_at_max_tokens() -> None:
    request = request_for("frieren", "en", PRODUCTS, max_tokens=25)
    pieces, done = await run(request)
    assert done.stop_reason == "max_tokens"
    assert done.output_tokens <= 25
    assert pieces == [LEAD["en"], " Frieren 1 (paperback): ¥594, in stock. [1]"]


async def test_is_deterministic_and_fast() -> None:
    request = request_for("How do refunds and returns work?", "en", (RETURNS_EN, SHIPPING_EN))
    first = await run(request)
    started = time.perf_counter()
    for _ in range(20):
        assert await run(request) == first
    assert (time.perf_counter() - started) / 20 < 0.05


def test_sentences_keep_decimals_and_japanese_stops() -> None:
    assert split_sentences("It costs 2.5 dollars. Next one! 次です。最後") == [
        "It costs 2.5 dollars.",
        "Next one!",
        "次です。",
        "最後",
    ]


async def test_particles_do_not_make_japanese_sentences_match() -> None:
    returns = RETURNS_JA.model_copy(update={"text": "未開封の本は、30日以内であれば返品できます。"})
    delivery = ContextItem(
        source="faq",
        ref_id="delivery",
        title="お届け",
        text="在庫のある商品は、ご注文から1〜3日でお届けします。",  # 品は also follows 返品は
        score=0.25,
    )
    text = "".join((await run(request_for("返品はできますか？", "ja", (returns, delivery))))[0])
    assert "返品できます。[1]" in text
    assert "[2]" not in text
