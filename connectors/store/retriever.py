"""The catalog as context for the pipeline: search hits as bilingual, grounded lines.

Every price, format and availability in a line is read from the catalog, so a
reply that quotes the line cannot misstate them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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


def describe_series(series: Series, items: tuple[Item, ...], locale: Locale) -> str:
    lowest = min(item.price_jpy for item in items)
    if locale == "ja":
        return f"{series.title_ja}（全{series.volume_count}巻）: {lowest:,}円から。"
    return f"{series.title_en} ({series.volume_count} volumes): from ¥{lowest:,}."


_SERIES_ITEMS = 3


class CatalogRetriever:
    """Adapts :class:`CatalogSearch` to the retrieval stage's ``search(text, locale, k)``."""

    def __init__(self, store: StoreData, search: CatalogSearch) -> None:
        self._store = store
        self._search = search

    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        items: list[ContextItem] = []
        for hit in self._search.search(text, k):
            if hit.item is not None:
                items.append(self._item_context(hit.item, locale, hit.score))
            else:
                items.extend(self._series_context(hit.series, locale, hit.score))
        return items

    def lookup(self, entities: Sequence[Entity], locale: Locale) -> list[ContextItem]:
        """The items the ``asin`` and ``series`` entities name, in order.

        With a ``volume`` entity, each names that volume of its series instead,
        in the named item's format (or the ``format`` entity's, or paperback):
        "the first volume of it".
        """
        volume = next((int(e.value) for e in entities if e.kind == "volume"), None)
        wanted_format = next(
            (e.value.replace(" ", "_") for e in entities if e.kind == "format"), None
        )
        found: list[ContextItem] = []
        for entity in entities:
            if entity.kind == "asin" and entity.value in self._store.item_by_asin:
                item = self._store.item_by_asin[entity.value]
                series = self._store.series_by_id[item.series_id]
                if volume is not None:
                    found.extend(self._volume(series, volume, wanted_format or item.format, locale))
                else:
                    found.append(self._item_context(item, locale))
            elif entity.kind == "series" and entity.value in self._store.series_by_id:
                series = self._store.series_by_id[entity.value]
                if volume is not None:
                    found.extend(self._volume(series, volume, wanted_format, locale, every=True))
                elif wanted_format is not None:
                    # "The Clock Tower Knight kindle": its first volumes in that format.
                    items = self._store.items_by_series[series.id]
                    in_format = [i for i in items if i.format == wanted_format][:_SERIES_ITEMS]
                    found.extend(self._item_context(item, locale) for item in in_format)
                else:
                    found.extend(self._series_context(series, locale))
        return found

    def _volume(
        self,
        series: Series,
        volume: int,
        item_format: str | None,
        locale: Locale,
        *,
        every: bool = False,
    ) -> list[ContextItem]:
        """That volume in ``item_format`` (paperback by default); with ``every`` and no
        format asked for, in every format it comes in, paperback first."""
        matching = [i for i in self._store.items_by_series[series.id] if i.volumes == (volume,)]
        preferred = [i for i in matching if i.format == (item_format or "paperback")]
        if every and item_format is None:
            chosen = preferred + [i for i in matching if i not in preferred]
        else:
            chosen = (preferred or matching)[:1]
        return [self._item_context(item, locale) for item in chosen]

    def _item_context(self, item: Item, locale: Locale, score: float = 1.0) -> ContextItem:
        title = item.title_ja if locale == "ja" else item.title_en
        return ContextItem(
            source="catalog",
            ref_id=item.asin,
            title=title,
            text=describe_item(item, locale),
            score=score,
        )

    def _series_context(
        self, series: Series, locale: Locale, score: float = 1.0
    ) -> list[ContextItem]:
        volumes = self._store.items_by_series.get(series.id, ())
        if not volumes:
            return []
        title = series.title_ja if locale == "ja" else series.title_en
        line = describe_series(series, volumes, locale)
        return [
            ContextItem(source="catalog", ref_id=series.id, title=title, text=line, score=score)
        ]


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
