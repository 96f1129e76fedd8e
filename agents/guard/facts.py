"""The store facts a reply is checked against, and the facts one turn is about.

:class:`FactSource` is what the grounding stage needs from the store;
:class:`StoreFacts` answers it from the bundled synthetic store
(:func:`connectors.store.load_store`). :class:`TurnFacts` gathers, for one
:class:`GroundingContext`, every value a reply may state and the titles by
which a sentence names a product.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from agents.guard.model import GroundingContext
from connectors.store.loader import StoreData, load_store
from connectors.store.models import Item, Order, Series

Availability = str


@dataclass(frozen=True)
class ItemFacts:
    asin: str
    series_id: str
    format: str
    volumes: tuple[int, ...]
    titles: tuple[str, ...]
    price_jpy: int
    release_date: date
    availability: Availability


@dataclass(frozen=True)
class SeriesFacts:
    series_id: str
    titles: tuple[str, ...]
    volume_count: int
    lowest_price_jpy: int | None


@dataclass(frozen=True)
class OrderFacts:
    order_id: str
    total_jpy: int
    # Subtotal, discount, shipping, unit prices and line totals.
    amounts_jpy: frozenset[int]
    dates: frozenset[date]
    asins: tuple[str, ...]


class FactSource(Protocol):
    """Where the grounding stage looks facts up; None for an unknown id."""

    def item(self, asin: str) -> ItemFacts | None: ...

    def series(self, series_id: str) -> SeriesFacts | None: ...

    def series_items(self, series_id: str) -> tuple[ItemFacts, ...]: ...

    def order(self, order_id: str) -> OrderFacts | None: ...


def _item_facts(item: Item) -> ItemFacts:
    return ItemFacts(
        asin=item.asin,
        series_id=item.series_id,
        format=item.format,
        volumes=item.volumes,
        titles=(item.title_en, item.title_ja, item.title_romaji),
        price_jpy=item.price_jpy,
        release_date=item.release_date,
        availability=item.availability,
    )


def _series_facts(series: Series, items: tuple[Item, ...]) -> SeriesFacts:
    return SeriesFacts(
        series_id=series.id,
        titles=(series.title_en, series.title_ja, series.title_romaji),
        volume_count=series.volume_count,
        lowest_price_jpy=min((item.price_jpy for item in items), default=None),
    )


def _order_facts(order: Order) -> OrderFacts:
    amounts = {order.subtotal_jpy, order.discount_jpy, order.shipping_jpy}
    for line in order.lines:
        amounts.update((line.unit_price_jpy, line.unit_price_jpy * line.quantity))
    return OrderFacts(
        order_id=order.id,
        total_jpy=order.total_jpy,
        amounts_jpy=frozenset(amount for amount in amounts if amount > 0),
        dates=frozenset({order.placed_at.date(), order.updated_at.date()}),
        asins=tuple(line.asin for line in order.lines),
    )


class StoreFacts:
    """Facts from the synthetic store, loaded on first use."""

    def __init__(self, store: StoreData | None = None) -> None:
        self._store = store

    @property
    def store(self) -> StoreData:
        if self._store is None:
            self._store = load_store()
        return self._store

    def item(self, asin: str) -> ItemFacts | None:
        item = self.store.item_by_asin.get(asin)
        return _item_facts(item) if item else None

    def series(self, series_id: str) -> SeriesFacts | None:
        series = self.store.series_by_id.get(series_id)
        if series is None:
            return None
        return _series_facts(series, self.store.items_by_series.get(series_id, ()))

    def series_items(self, series_id: str) -> tuple[ItemFacts, ...]:
        return tuple(_item_facts(item) for item in self.store.items_by_series.get(series_id, ()))

    def order(self, order_id: str) -> OrderFacts | None:
        order = self.store.order_by_id.get(order_id)
        return _order_facts(order) if order else None


@dataclass(frozen=True)
class LiveOffer:
    price_jpy: int
    availability: Availability


class LiveOfferFacts:
    """``base`` with the offers read live for one turn laid over its prices and availability.

    The retrieval stage prices every line from the live offer; checked against
    the store's own data alone, a price that has moved since would be
    "corrected" back to the stale one.
    """

    def __init__(self, base: FactSource, offers: Mapping[str, LiveOffer]) -> None:
        self._base = base
        self._offers = offers

    def _live(self, facts: ItemFacts) -> ItemFacts:
        offer = self._offers.get(facts.asin)
        if offer is None:
            return facts
        return replace(facts, price_jpy=offer.price_jpy, availability=offer.availability)

    def item(self, asin: str) -> ItemFacts | None:
        facts = self._base.item(asin)
        return self._live(facts) if facts else None

    def series(self, series_id: str) -> SeriesFacts | None:
        facts = self._base.series(series_id)
        if facts is None:
            return None
        prices = [item.price_jpy for item in self.series_items(series_id)]
        return replace(facts, lowest_price_jpy=min(prices, default=facts.lowest_price_jpy))

    def series_items(self, series_id: str) -> tuple[ItemFacts, ...]:
        return tuple(self._live(item) for item in self._base.series_items(series_id))

    def order(self, order_id: str) -> OrderFacts | None:
        return self._base.order(order_id)


_COMPACT_DROP_RE = re.compile(r"[\s\u3000・,、.:：()（）\[\]「」『』\"'!?！？~〜-]")


def compact(text: str) -> str:
    """``text`` folded and without spaces or punctuation, for title matching."""
    return _COMPACT_DROP_RE.sub("", unicodedata.normalize("NFKC", text).lower())


@dataclass(frozen=True)
class TurnFacts:
    """Everything one turn's reply may state, and how its sentences name products."""

    # The products the turn is directly about: correction candidates.
    items: tuple[ItemFacts, ...]
    # Every product whose facts a reply may quote: the items, their series' items, order lines.
    known_items: tuple[ItemFacts, ...]
    series: tuple[SeriesFacts, ...]
    orders: tuple[OrderFacts, ...]
    prices: frozenset[int]
    dates: frozenset[date]
    volume_counts: frozenset[int]
    availabilities: frozenset[Availability]
    item_titles: tuple[tuple[str, ItemFacts], ...]
    series_titles: tuple[tuple[str, SeriesFacts], ...]

    @classmethod
    def gather(cls, context: GroundingContext, source: FactSource) -> TurnFacts:
        items = [item for item in map(source.item, dict.fromkeys(context.asins)) if item]
        orders = [order for order in map(source.order, dict.fromkeys(context.order_ids)) if order]
        series_ids = dict.fromkeys([*context.series_ids, *(item.series_id for item in items)])
        series = [found for found in map(source.series, series_ids) if found]
        known: dict[str, ItemFacts] = {item.asin: item for item in items}
        for series_id in context.series_ids:
            known.update((item.asin, item) for item in source.series_items(series_id))
        for order in orders:
            known.update((line.asin, line) for line in map(source.item, order.asins) if line)
        prices = {item.price_jpy for item in known.values()}
        prices.update(facts.lowest_price_jpy for facts in series if facts.lowest_price_jpy)
        for order in orders:
            prices.add(order.total_jpy)
            prices.update(order.amounts_jpy)
        dates = {item.release_date for item in known.values()}
        for order in orders:
            dates.update(order.dates)
        counts = {facts.volume_count for facts in series}
        counts.update(len(item.volumes) for item in known.values() if len(item.volumes) > 1)
        return cls(
            items=tuple(items),
            known_items=tuple(known.values()),
            series=tuple(series),
            orders=tuple(orders),
            prices=frozenset(prices),
            dates=frozenset(dates),
            volume_counts=frozenset(counts),
            availabilities=frozenset(item.availability for item in known.values()),
            item_titles=tuple(
                (title, item)
                for item in known.values()
                for title in dict.fromkeys(compact(title) for title in item.titles)
                if title
            ),
            series_titles=tuple(
                (title, facts)
                for facts in series
                for title in dict.fromkeys(compact(title) for title in facts.titles)
                if title
            ),
        )
