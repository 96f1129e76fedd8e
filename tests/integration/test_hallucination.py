"""No reply states a price or a date the catalog does not: 200 scripted product conversations
(two turns each, half Japanese) through the four pipeline agents with the local generator."""

from __future__ import annotations

import random
import re

from connectors.memory import InProcessMemory
from connectors.store import load_store
from connectors.store.loader import StoreData
from schemas import ChatTurn, FinalReply, default_codec
from streams.testing import pipeline_under_test, walk_turn

CODEC = default_codec()
CONVERSATIONS = 200
_PRICE_RE = re.compile(r"¥\s?([\d,]+)|([\d,]+)\s?円")
_DATE_RE = re.compile(r"(\d{4})[-年/](\d{1,2})[-月/](\d{1,2})")


def _script(store: StoreData, rng: random.Random) -> list[tuple[str, str, str]]:
    """(locale, first message, follow-up) for items drawn from the catalog."""
    items = sorted(store.item_by_asin.values(), key=lambda item: item.asin)
    script = []
    for number in range(CONVERSATIONS):
        item = rng.choice([i for i in items if i.volume is not None])
        if number % 2:
            script.append(
                (
                    "ja",
                    f"{item.title_ja.split('　')[0]}の{item.volume}巻はいくらですか？",
                    "2つ目は？",
                )
            )
        else:
            title = item.title_en.split(", Vol.")[0]
            script.append(("en", f"How much is {title} vol {item.volume}?", "and that one?"))
    return script


def _allowed(store: StoreData, final: FinalReply) -> tuple[set[int], set[tuple[int, int, int]]]:
    prices: set[int] = set()
    dates: set[tuple[int, int, int]] = set()
    for source in final.sources:
        item = store.item_by_asin.get(source)
        items = [item] if item else list(store.items_by_series.get(source, ()))
        for one in items:
            prices.add(one.price_jpy)
            day = one.release_date
            dates.add((day.year, day.month, day.day))
        if items and not item:
            prices.add(min(one.price_jpy for one in items))
    return prices, dates


def _stated(text: str) -> tuple[list[int], list[tuple[int, int, int]]]:
    prices = [int((m[1] or m[2]).replace(",", "")) for m in _PRICE_RE.finditer(text)]
    dates = [(int(y), int(mo), int(d)) for y, mo, d in _DATE_RE.findall(text)]
    return prices, dates


async def test_no_reply_states_a_price_or_date_the_catalog_does_not() -> None:
    store = load_store()
    wrong: list[str] = []
    replies = checked_prices = 0
    async with pipeline_under_test(CODEC, memory=InProcessMemory()) as (agents, sender):
        for number, (locale, first, follow) in enumerate(_script(store, random.Random(7))):
            for turn_number, text in enumerate((first, follow)):
                turn = ChatTurn(
                    session_id=f"h{number}", turn_id=f"t{turn_number}", text=text, locale=locale
                )  # type: ignore[arg-type]
                final = await walk_turn(agents, sender, CODEC, turn)
                replies += 1
                prices, dates = _stated(final.text)
                allowed_prices, allowed_dates = _allowed(store, final)
                checked_prices += len(prices)
                wrong.extend(f"{text} → {final.text}" for p in prices if p not in allowed_prices)
                wrong.extend(f"{text} → {final.text}" for d in dates if d not in allowed_dates)
    assert replies == 2 * CONVERSATIONS
    assert checked_prices >= CONVERSATIONS  # the script really is about prices
    assert wrong == []
