"""Multi-turn conversations through the real pipeline, with memory in the real Redis:
"the second one", "that one", "the first volume of it", 「2つ目」, 「それ」."""

from __future__ import annotations

import json

from websockets.asyncio.client import ClientConnection

from connectors.store import load_store
from mangaassist.stack import LocalStack
from tests.integration.chat import Frame, connected, frames_until_final


async def _say(socket: ClientConnection, text: str) -> Frame:
    await socket.send(json.dumps({"type": "message", "text": text}))
    frames = await frames_until_final(socket, 1)
    final = frames[-1]
    assert (final["type"], final["status"]) == ("final", "ok"), final
    return final


def _item_lines(final: Frame, locale: str) -> list[str]:
    store = load_store()
    items = [store.item_by_asin[asin] for asin in final["sources"]]
    return [i.title_ja if locale == "ja" else i.title_en for i in items]


async def test_english_ordinal_then_pronoun_then_volume_of_it(stack: LocalStack) -> None:
    store = load_store()
    _, socket = await connected(stack.base_url, "en")
    async with socket:
        listed = await _say(socket, "The Clock Tower Knight kindle")
        assert len(listed["sources"]) >= 2
        second = await _say(socket, "How much is the second one you mentioned?")
        assert second["intent"] == "product_question"
        assert second["sources"] == [listed["sources"][1]]
        item = store.item_by_asin[listed["sources"][1]]
        assert f"¥{item.price_jpy:,}" in second["text"]
        again = await _say(socket, "Is that one in stock?")
        assert again["sources"] == second["sources"]
        first_volume = await _say(socket, "And the first volume of it?")
    [asin] = first_volume["sources"]
    found = store.item_by_asin[asin]
    assert (found.series_id, found.volumes, found.format) == (item.series_id, (1,), item.format)


async def test_japanese_ordinal_and_pointer(stack: LocalStack) -> None:
    _, socket = await connected(stack.base_url, "ja")
    async with socket:
        listed = await _say(socket, "時計塔の騎士のKindle版を見せて")
        assert len(listed["sources"]) >= 2
        second = await _say(socket, "2つ目はいくらですか？")
        assert second["sources"] == [listed["sources"][1]]
        assert _item_lines(second, "ja")[0] in second["text"]
        pointer = await _say(socket, "それの1巻はありますか？")
    [asin] = pointer["sources"]
    assert load_store().item_by_asin[asin].volumes == (1,)


async def test_a_pointer_among_several_items_asks_which_one(stack: LocalStack) -> None:
    _, socket = await connected(stack.base_url, "en")
    async with socket:
        listed = await _say(socket, "The Clock Tower Knight kindle")
        which = await _say(socket, "is it in stock?")
        assert "Which one" in which["text"]
        assert which["sources"] == listed["sources"]
        picked = await _say(socket, "the last one")
    assert picked["sources"] == [listed["sources"][-1]]


async def test_sessions_do_not_share_memory(stack: LocalStack) -> None:
    _, first = await connected(stack.base_url, "en")
    async with first:
        await _say(first, "The Clock Tower Knight kindle")
    _, second = await connected(stack.base_url, "en")
    async with second:
        alone = await _say(second, "how much is the second one?")
    assert alone["sources"] == []
