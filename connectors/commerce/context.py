"""The store services as the retrieval stage's context: grounded, bilingual lines.

Product details come through the catalog cache (``connectors.cache.CachedCatalog``,
over :class:`~connectors.commerce.cache_origin.ServiceCatalogOrigin` on the
http backend); every price and availability in a line is read live from the
catalog service's offers, never from a cache. A service that cannot answer raises
:class:`~connectors.commerce.exceptions.CommerceError`; the retrieval stage
turns that into the seeds' degraded-mode reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.cache.facades import CachedCatalog
from connectors.commerce.base import CatalogService, OrderService
from connectors.commerce.models import RecommendationRequest
from connectors.commerce.recommend import ResilientRecommendations
from connectors.store.retriever import describe_products, order_context
from schemas.events import ContextItem, Entity, Locale

_SUGGESTIONS = 3


class ServiceCatalog:
    """Catalog search through the catalog service; products described by ``products``.

    ``products`` is the catalog cache: cached details joined with live offers.
    """

    def __init__(self, catalog: CatalogService, products: CachedCatalog) -> None:
        self._catalog = catalog
        self._products = products

    async def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        hits = await self._catalog.search(text[:200], k)
        asins = [hit.asin for hit in hits if hit.asin]
        priced = await self.describe(asins, locale)
        by_asin = {item.ref_id: item for item in priced}
        items: list[ContextItem] = []
        for hit in hits:
            if hit.asin and hit.asin in by_asin:
                items.append(by_asin[hit.asin].model_copy(update={"score": hit.score}))
            elif hit.kind == "series":
                title = hit.title_ja if locale == "ja" else hit.title_en
                author = hit.author_ja if locale == "ja" else hit.author_romaji
                line = f"{title}（{author}）。" if locale == "ja" else f"{title}, by {author}."
                items.append(
                    ContextItem(
                        source="catalog",
                        ref_id=hit.series_id,
                        title=title,
                        text=line,
                        score=hit.score,
                    )
                )
        return items

    async def lookup(self, entities: Sequence[Entity], locale: Locale) -> list[ContextItem]:
        """The items the ``asin`` entities name; series are found by search instead."""
        return await self.describe([e.value for e in entities if e.kind == "asin"], locale)

    async def describe(self, asins: Sequence[str], locale: Locale) -> list[ContextItem]:
        """One grounded line per known ASIN on sale, in the order given."""
        return await describe_products(self._products, asins, locale)


class ServiceOrders:
    """A signed-in shopper's own order, through the order service."""

    def __init__(self, orders: OrderService) -> None:
        self._orders = orders

    async def find(self, order_id: str, user_id: str, locale: Locale) -> ContextItem | None:
        order = await self._orders.get_order(order_id, user_id)
        if order is None:
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


@dataclass(frozen=True, slots=True)
class Recommended:
    items: tuple[ContextItem, ...]
    # The engine failed: these are the trending items from cache.
    degraded: bool


class ServiceRecommendations:
    """Suggestions for the shopper (or the session, for a guest), each line saying why."""

    def __init__(self, engine: ResilientRecommendations, catalog: ServiceCatalog) -> None:
        self._engine = engine
        self._catalog = catalog

    async def recommend(
        self, user_id: str | None, shown: Sequence[str], locale: Locale
    ) -> Recommended:
        request = RecommendationRequest(
            user_id=user_id, session_viewed=tuple(shown)[-20:], k=_SUGGESTIONS
        )
        result = await self._engine.recommend_with_status(request)
        lines = {
            item.ref_id: item
            for item in await self._catalog.describe([s.asin for s in result.suggestions], locale)
        }
        items = []
        for suggestion in result.suggestions:
            line = lines.get(suggestion.asin)
            if line is None:
                continue
            reason = suggestion.reason_ja if locale == "ja" else suggestion.reason_en
            why = f"{reason}。" if locale == "ja" else f" {reason}."
            items.append(line.model_copy(update={"text": line.text + why}))
        return Recommended(tuple(items), result.degraded)
