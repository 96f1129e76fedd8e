"""``GET /catalog/items``: what the widget needs to draw product cards.

Read from the catalog on every request: prices and stock are never cached.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bridge.exceptions import RequestError
from connectors.store import StoreData, load_store

ASIN_RE = re.compile(r"^B0[A-Z0-9]{8}$")
MAX_ITEMS = 20


def product_card(store: StoreData, asin: str) -> dict[str, Any] | None:
    item = store.item_by_asin.get(asin)
    if item is None:
        return None
    series = store.series_by_id[item.series_id]
    author = store.authors[series.author_id]
    return {
        "asin": item.asin,
        "title_ja": item.title_ja,
        "title_en": item.title_en,
        "author_ja": author.name_ja,
        "author_romaji": author.name_romaji,
        "format": item.format,
        "price_jpy": item.price_jpy,
        "availability": item.availability,
        "release_date": item.release_date.isoformat(),
        "url": f"/dp/{item.asin}",
    }


def requested_asins(request: Request) -> list[str]:
    asins = [a for a in request.query_params.get("asins", "").split(",") if a]
    if not asins or len(asins) > MAX_ITEMS or not all(ASIN_RE.match(a) for a in asins):
        raise RequestError(
            "invalid_message", f"asins must be 1 to {MAX_ITEMS} comma-separated ASINs"
        )
    return asins


async def catalog_items(request: Request) -> Response:
    store = load_store()
    cards = [card for asin in requested_asins(request) if (card := product_card(store, asin))]
    return JSONResponse({"items": cards})
