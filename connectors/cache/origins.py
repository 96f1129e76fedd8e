"""Where the caches load from: small protocols, and a local origin over the demo store.

:class:`StoreOrigin` answers from the bundled synthetic store (the pipeline's
``local`` commerce backend); the catalog service sits behind ``CatalogOrigin``
through ``connectors.commerce.cache_origin.ServiceCatalogOrigin`` (the ``http``
backend). Every method is batched: one call for all the keys a lookup missed.
Keys the origin does not know are left out of its answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from connectors.cache.models import Offer, ProductDetails, Recommendations
from connectors.store import StoreData, load_store
from connectors.store.models import Item, Promotion, Series

RECOMMENDATION_COUNT = 10


class CatalogOrigin(Protocol):
    async def product_details(self, asins: Sequence[str]) -> Mapping[str, ProductDetails]:
        """Details of the known ``asins`` (cached by the caller)."""
        ...

    async def series(self, series_ids: Sequence[str]) -> Mapping[str, Series]:
        """The known series among ``series_ids`` (cached by the caller)."""
        ...

    async def offers(self, asins: Sequence[str]) -> Mapping[str, Offer]:
        """Live price, availability and stock of ``asins``; never cached."""
        ...


class RecommendationOrigin(Protocol):
    async def recommendations(self, keys: Sequence[str]) -> Mapping[str, Recommendations]:
        """Recommendations for each key: ``user:<user id>`` or ``session:<session id>``."""
        ...


class PromotionOrigin(Protocol):
    async def promotions_between(self, start: datetime, end: datetime) -> Sequence[Promotion]:
        """Every promotion running at some moment in ``[start, end)``."""
        ...


class StoreOrigin:
    """All three origins over the synthetic store (``connectors.store.load_store``)."""

    def __init__(self, store: StoreData | None = None) -> None:
        self._store = store or load_store()
        self._top_rated = sorted(self._store.item_by_asin.values(), key=_rank)

    async def product_details(self, asins: Sequence[str]) -> dict[str, ProductDetails]:
        items = self._store.item_by_asin
        return {asin: ProductDetails.from_item(items[asin]) for asin in asins if asin in items}

    async def series(self, series_ids: Sequence[str]) -> dict[str, Series]:
        known = self._store.series_by_id
        return {series_id: known[series_id] for series_id in series_ids if series_id in known}

    async def offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        items = self._store.item_by_asin
        return {asin: Offer.from_item(items[asin]) for asin in asins if asin in items}

    async def recommendations(self, keys: Sequence[str]) -> dict[str, Recommendations]:
        now = datetime.now(UTC)
        return {key: self._recommend(key, now) for key in keys}

    async def promotions_between(self, start: datetime, end: datetime) -> list[Promotion]:
        return [p for p in self._store.promotions if p.starts_at < end and start < p.ends_at]

    def _recommend(self, key: str, now: datetime) -> Recommendations:
        """Top-rated first volumes, in a signed-in shopper's favourite genres when known."""
        kind, _, ident = key.partition(":")
        user = self._store.users_by_id.get(ident) if kind == "user" else None
        genres = set(user.favorite_genres) if user else set()
        seen = {view.asin for view in user.browsing_history} if user else set()
        series = self._store.series_by_id
        picked: list[str] = []
        for item in self._top_rated:
            if item.asin in seen or item.volumes != (1,) or item.format != "paperback":
                continue
            if genres and not genres & set(series[item.series_id].genres):
                continue
            picked.append(item.asin)
            if len(picked) == RECOMMENDATION_COUNT:
                break
        return Recommendations(key=key, asins=tuple(picked), generated_at=now)


def _rank(item: Item) -> tuple[float, int, str]:
    return (-(item.rating or 0.0), -item.review_count, item.asin)
