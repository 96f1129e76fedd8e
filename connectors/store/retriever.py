"""The catalog as context for the pipeline: search hits as bilingual, grounded lines.

Every price, format and availability in a line is read from the catalog, so a
reply that quotes the line cannot misstate them.
"""

from __future__ import annotations

from connectors.store.loader import StoreData
from connectors.store.models import Item, Series
from connectors.store.search import CatalogSearch
from schemas.events import ContextItem, Locale

_FORMAT = {
    "paperback": ("単行本", "paperback"),
    "kindle": ("Kindle版", "Kindle"),
    "box_set": ("全巻セット", "box set"),
    "special_edition": ("特装版", "special edition"),
}
_AVAILABILITY = {
    "in_stock": ("在庫あり", "in stock"),
    "low_stock": ("残りわずか", "only a few left"),
    "out_of_stock": ("在庫切れ", "out of stock"),
    "preorder": ("予約受付中", "available to pre-order"),
}


def describe_item(item: Item, locale: Locale) -> str:
    fmt_ja, fmt_en = _FORMAT[item.format]
    stock_ja, stock_en = _AVAILABILITY[item.availability]
    if locale == "ja":
        return f"{item.title_ja}（{fmt_ja}）: {item.price_jpy:,}円、{stock_ja}。"
    return f"{item.title_en} ({fmt_en}): ¥{item.price_jpy:,}, {stock_en}."


def describe_series(series: Series, items: tuple[Item, ...], locale: Locale) -> str:
    lowest = min(item.price_jpy for item in items)
    if locale == "ja":
        return f"{series.title_ja}（全{series.volume_count}巻）: {lowest:,}円から。"
    return f"{series.title_en} ({series.volume_count} volumes): from ¥{lowest:,}."


class CatalogRetriever:
    """Adapts :class:`CatalogSearch` to the retrieval stage's ``search(text, locale, k)``."""

    def __init__(self, store: StoreData, search: CatalogSearch) -> None:
        self._store = store
        self._search = search

    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        items: list[ContextItem] = []
        for hit in self._search.search(text, k):
            if hit.item is not None:
                ref_id, line = hit.item.asin, describe_item(hit.item, locale)
                title = hit.item.title_ja if locale == "ja" else hit.item.title_en
            else:
                volumes = self._store.items_by_series.get(hit.series.id, ())
                if not volumes:
                    continue
                ref_id, line = hit.series.id, describe_series(hit.series, volumes, locale)
                title = hit.series.title_ja if locale == "ja" else hit.series.title_en
            items.append(
                ContextItem(
                    source="catalog", ref_id=ref_id, title=title, text=line, score=hit.score
                )
            )
        return items
