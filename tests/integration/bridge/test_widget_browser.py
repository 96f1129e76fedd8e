"""The chat widget in a real Chromium, on the demo store page, against the whole stack."""

from __future__ import annotations

import json
import re

from analytics import WarehouseSink
from mangaassist.stack import LocalStack
from tests.integration.bridge.widget import widget_page
from tests.integration.chat import wait_for_rows

PRICE = re.compile(r"^[¥￥][\d,]+$")


async def test_an_english_answer_streams_in_with_product_cards_and_a_vote_reaches_the_warehouse(
    stack: LocalStack, e2e_sink: WarehouseSink
) -> None:
    async with widget_page(f"{stack.base_url}/?lang=en") as widget:
        await widget.open_widget()
        greeting = widget.page.locator(".msg.greeting")
        assert (await greeting.text_content() or "").startswith("Hi! I'm MangaAssist")

        reply = await widget.ask("How much is Hero of the Twilight Capital vol 3?")
        final = next(f for f in widget.frames if f["type"] == "final")
        assert await reply.get_attribute("data-turn-id") == final["turn_id"]
        assert await reply.locator(".text").text_content() == final["text"]
        streamed = [t for t in await widget.seen_reply_texts() if t and t != final["text"]]
        assert streamed, "the reply appeared whole, not chunk by chunk"
        assert all(final["text"].startswith(t) for t in streamed)

        card = reply.locator(".card").first
        await card.wait_for()
        assert await card.locator(".card-title").text_content() == (
            "Hero of the Twilight Capital, Vol. 3"
        )
        assert PRICE.match(await card.locator(".card-price").text_content() or "")
        assert re.fullmatch(r"/dp/B0[A-Z0-9]{8}", await card.locator("a").get_attribute("href"))

        up = reply.locator('.vote[data-rating="up"]')
        await up.click()
        assert await up.get_attribute("aria-pressed") == "true"
        assert await reply.locator(".vote:disabled").count() == 2
        await widget.screenshot("widget-en")
        rows = await wait_for_rows(e2e_sink, widget.session_id, {"Feedback"}, timeout_s=10)
        votes = [r for r in rows if r["event_type"] == "Feedback"]
        assert [(r["turn_id"], json.loads(r["payload"])["rating"]) for r in votes] == [
            (final["turn_id"], "up")
        ]
        assert widget.problems == []


async def test_japanese_answers_cards_and_the_escalation_notice(stack: LocalStack) -> None:
    async with widget_page(f"{stack.base_url}/") as widget:
        await widget.open_widget()
        assert await widget.page.locator(".status").text_content() == "オンライン"

        shipping = await widget.ask("送料はいくらですか？")
        assert "送料" in (await shipping.locator(".text").text_content() or "")

        product = await widget.ask("黄昏の王都の勇者 3巻の値段は？")
        card = product.locator(".card").first
        await card.wait_for()
        assert "黄昏の王都の勇者" in (await card.locator(".card-title").text_content() or "")
        assert PRICE.match(await card.locator(".card-price").text_content() or "")
        await widget.screenshot("widget-ja")

        await widget.ask("担当者と話したい")
        notice = widget.page.locator(".notice.escalation")
        assert await notice.text_content() == "担当者におつなぎしています"
        await widget.screenshot("widget-ja-escalation")
        assert widget.problems == []


async def test_shopper_text_is_shown_as_text_not_markup(stack: LocalStack) -> None:
    markup = "<img src=x onerror=alert(1)>"
    async with widget_page(f"{stack.base_url}/?lang=en") as widget:
        await widget.open_widget()
        await widget.ask(markup)
        assert await widget.page.locator(".msg.user .text").text_content() == markup
        assert await widget.page.locator("img").count() == 0  # pierces the shadow root
        assert widget.problems == []


async def test_the_store_pages_css_does_not_reach_into_the_widget(stack: LocalStack) -> None:
    hostile = "* { color: rgb(0, 255, 0) !important; font-size: 40px !important; }"
    hostile += " button { display: none !important; }"
    async with widget_page(f"{stack.base_url}/?lang=en", store_css=hostile) as widget:
        await widget.open_widget()  # clicks the launcher: a button the page tried to hide
        greeting = widget.page.locator(".msg.greeting .text")
        style = await greeting.evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).fontSize]"
        )
        assert style == ["rgb(31, 29, 26)", "14px"]
        assert await widget.page.locator("h1").evaluate("e => getComputedStyle(e).color") == (
            "rgb(0, 255, 0)"
        )


async def test_a_reload_keeps_the_session_and_the_open_panel(stack: LocalStack) -> None:
    async with widget_page(f"{stack.base_url}/?lang=en") as widget:
        await widget.open_widget()
        await widget.page.reload()
        await widget.page.locator('.status[data-state="online"]').wait_for()
        sessions = [f["session_id"] for f in widget.frames if f["type"] == "ready"]
        assert len(sessions) == 2
        assert len(set(sessions)) == 1
