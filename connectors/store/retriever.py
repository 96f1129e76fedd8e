"""The catalog as context for the pipeline: search hits as bilingual, grounded lines.

Which items answer a question is decided over the store (its search index and
series); what a line says of them comes from the catalog cache: titles and
formats from cached details, prices and availability from the live offers it
reads on every call. A reply that quotes the line cannot misstate them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from connectors.cache.facades import CachedCatalog
from connectors.cache.models import CatalogProduct
from connectors.store.loader import StoreData
from connectors.store.models import Item, Series
from connectors.store.search import CatalogSearch
from schemas.events import ContextItem, Entity, Locale

FORMAT_NAMES = {
    "paperback": ("単行本", "paperback"),
    "kindle": ("Kindle版", "Kindle"),
    "box_set": ("全巻セット", "box set"),
    "special_edition": ("特装版", "special edition"),
}
AVAILABILITY_NAMES = {
    "in_stock": ("在庫あり", "in stock"),
    "low_stock": ("残りわずか", "only a few left"),
    "out_of_stock": ("在庫切れ", "out of stock"),
    "preorder": ("予約受付中", "available to pre-order"),
}


def describe_item(item: Item, locale: Locale) -> str:
    title = item.title_ja if locale == "ja" else item.title_en
    return describe_offer(title, item.format, item.price_jpy, item.availability, locale)


def describe_offer(
    title: str, item_format: str, price_jpy: int, availability: str, locale: Locale
) -> str:
    """One item's grounded line: title, format, price and availability, in ``locale``."""
    fmt_ja, fmt_en = FORMAT_NAMES[item_format]
    stock_ja, stock_en = AVAILABILITY_NAMES[availability]
    if locale == "ja":
        return f"{title}（{fmt_ja}）: {price_jpy:,}円、{stock_ja}。"
    return f"{title} ({fmt_en}): ¥{price_jpy:,}, {stock_en}."


def describe_series(series: Series, lowest_price_jpy: int, locale: Locale) -> str:
    if locale == "ja":
        return f"{series.title_ja}（全{series.volume_count}巻）: {lowest_price_jpy:,}円から。"
    return f"{series.title_en} ({series.volume_count} volumes): from ¥{lowest_price_jpy:,}."


def product_context(
    product: CatalogProduct, locale: Locale, score: float = 1.0
) -> ContextItem | None:
    """A product's grounded line (cached details, live offer); None when it is not on sale."""
    offer = product.offer
    if offer is None:
        return None
    details = product.details
    title = details.title_ja if locale == "ja" else details.title_en
    line = describe_offer(title, details.format, offer.price_jpy, offer.availability, locale)
    return ContextItem(source="catalog", ref_id=details.asin, title=title, text=line, score=score)


async def describe_products(
    catalog: CachedCatalog, asins: Sequence[str], locale: Locale
) -> list[ContextItem]:
    """One grounded line per known ASIN on sale, in the order given."""
    if not asins:
        return []
    products = await catalog.get_products(asins)
    lines = (product_context(products[asin], locale) for asin in asins if asin in products)
    return [line for line in lines if line is not None]


_SERIES_ITEMS = 3


@dataclass(frozen=True, slots=True)
class _Pick:
    """An item (ASIN) or a series (id) chosen to answer, and how well it matched."""

    kind: Literal["item", "series"]
    ref: str
    score: float = 1.0


class CatalogRetriever:
    """Adapts :class:`CatalogSearch` to the retrieval stage's ``search`` and ``lookup``.

    The store picks the items; ``catalog`` describes them: details through its
    cache, prices and availability live (see :func:`describe_products`).
    """

    def __init__(self, store: StoreData, search: CatalogSearch, catalog: CachedCatalog) -> None:
        self._store = store
        self._search = search
        self._catalog = catalog

    async def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        picks = [
            _Pick("item", hit.item.asin, hit.score)
            if hit.item is not None
            else _Pick("series", hit.series.id, hit.score)
            for hit in self._search.search(text, k)
        ]
        return await self._describe(picks, locale)

    async def lookup(self, entities: Sequence[Entity], locale: Locale) -> list[ContextItem]:
        """The items the ``asin`` and ``series`` entities name, in order.

        With a ``volume`` entity, each names that volume of its series instead,
        in the named item's format (or the ``format`` entity's, or paperback):
        "the first volume of it".
        """
        return await self._describe(self._lookup_picks(entities), locale)

    def _lookup_picks(self, entities: Sequence[Entity]) -> list[_Pick]:
        volume = next((int(e.value) for e in entities if e.kind == "volume"), None)
        wanted_format = next(
            (e.value.replace(" ", "_") for e in entities if e.kind == "format"), None
        )
        picks: list[_Pick] = []
        for entity in entities:
            if entity.kind == "asin" and entity.value in self._store.item_by_asin:
                item = self._store.item_by_asin[entity.value]
                if volume is not None:
                    series = self._store.series_by_id[item.series_id]
                    picks.extend(self._volume(series, volume, wanted_format or item.format))
                else:
                    picks.append(_Pick("item", item.asin))
            elif entity.kind == "series" and entity.value in self._store.series_by_id:
                series = self._store.series_by_id[entity.value]
                if volume is not None:
                    picks.extend(self._volume(series, volume, wanted_format, every=True))
                elif wanted_format is not None:
                    # "The Clock Tower Knight kindle": its first volumes in that format.
                    items = self._store.items_by_series[series.id]
                    in_format = [i for i in items if i.format == wanted_format][:_SERIES_ITEMS]
                    picks.extend(_Pick("item", item.asin) for item in in_format)
                else:
                    picks.append(_Pick("series", series.id))
        return picks

    def _volume(
        self, series: Series, volume: int, item_format: str | None, *, every: bool = False
    ) -> list[_Pick]:
        """That volume in ``item_format`` (paperback by default); with ``every`` and no
        format asked for, in every format it comes in, paperback first."""
        matching = [i for i in self._store.items_by_series[series.id] if i.volumes == (volume,)]
        preferred = [i for i in matching if i.format == (item_format or "paperback")]
        if every and item_format is None:
            chosen = preferred + [i for i in matching if i not in preferred]
        else:
            chosen = (preferred or matching)[:1]
        return [_Pick("item", item.asin) for item in chosen]

    async def _describe(self, picks: list[_Pick], locale: Locale) -> list[ContextItem]:
        """The picks' lines, in order: one catalog read for every item and series volume."""
        series_ids = [pick.ref for pick in picks if pick.kind == "series"]
        volumes = {
            series_id: [item.asin for item in self._store.items_by_series.get(series_id, ())]
            for series_id in series_ids
        }
        asins = [pick.ref for pick in picks if pick.kind == "item"]
        asins += [asin for series_asins in volumes.values() for asin in series_asins]
        products, series = await asyncio.gather(
            self._catalog.get_products(asins), self._catalog.get_series(series_ids)
        )
        found: list[ContextItem] = []
        for pick in picks:
            if pick.kind == "item":
                product = products.get(pick.ref)
                line = product_context(product, locale, pick.score) if product else None
            else:
                volume_products = [products[asin] for asin in volumes[pick.ref] if asin in products]
                line = _series_context(series.get(pick.ref), volume_products, locale, pick.score)
            if line is not None:
                found.append(line)
        return found


def _series_context(
    series: Series | None, volumes: Sequence[CatalogProduct], locale: Locale, score: float
) -> ContextItem | None:
    """A series' line, from its lowest live price; None when unknown or nothing is on sale."""
    prices = [product.offer.price_jpy for product in volumes if product.offer is not None]
    if series is None or not prices:
        return None
    title = series.title_ja if locale == "ja" else series.title_en
    line = describe_series(series, min(prices), locale)
    return ContextItem(source="catalog", ref_id=series.id, title=title, text=line, score=score)


ORDER_STATUS_NAMES = {
    "pending": ("ご注文を受け付けました（お支払い待ち）", "received and awaiting payment"),
    "paid": ("お支払いが完了し、発送の準備中です", "paid and being prepared for shipping"),
    "shipped": ("発送済みです", "shipped"),
    "out_for_delivery": ("本日配達予定です", "out for delivery today"),
    "delivered": ("お届け済みです", "delivered"),
    "cancelled": ("キャンセル済みです", "cancelled"),
    "returned": ("返品を受け付けました", "returned"),
    "refunded": ("返金済みです", "refunded"),
}


class OrderLookup:
    """A signed-in shopper's own orders; someone else's order is never found."""

    def __init__(self, store: StoreData) -> None:
        self._store = store

    def find(self, order_id: str, user_id: str, locale: Locale) -> ContextItem | None:
        order = self._store.order_by_id.get(order_id)
        if order is None or order.user_id != user_id:
            return None
        items = sum(line.quantity for line in order.lines)
        return order_context(
            order.id,
            order.status,
            items,
            order.total_jpy,
            order.updated_at.date(),
            order.tracking_number,
            locale,
        )


def order_context(
    order_id: str,
    status: str,
    items: int,
    total_jpy: int,
    updated: date,
    tracking_number: str | None,
    locale: Locale,
) -> ContextItem:
    """An order's status as one grounded line, in ``locale``."""
    status_ja, status_en = ORDER_STATUS_NAMES[status]
    if locale == "ja":
        text = f"ご注文{order_id}（{items}点、合計{total_jpy:,}円）は{status_ja}（{updated}更新）。"
        if tracking_number:
            text += f"配送伝票番号は{tracking_number}です。"
    else:
        text = (
            f"Your order {order_id} ({items} item(s), ¥{total_jpy:,} in all) is "
            f"{status_en} (updated {updated})."
        )
        if tracking_number:
            text += f" The tracking number is {tracking_number}."
    return ContextItem(source="orders", ref_id=order_id, title=order_id, text=text, score=1.0)
