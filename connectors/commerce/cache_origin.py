"""The catalog service as the origin of the catalog cache (``connectors.cache.CatalogOrigin``).

Product details come from :meth:`CatalogService.get_products` and are cached
by the caller; offers come from :meth:`CatalogService.get_offers` on every
call and are never cached. The service takes at most ``MAX_ASINS`` ASINs per
call, so a larger lookup is split into concurrent calls. Its errors
(:class:`~connectors.commerce.exceptions.CommerceError`) reach the caller
unchanged: the retrieval stage turns them into the degraded-mode reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from connectors.cache.models import Offer, ProductDetails
from connectors.commerce.base import CatalogService
from connectors.commerce.models import MAX_ASINS, Product
from connectors.commerce.models import Offer as ServiceOffer
from connectors.store.models import Series

T = TypeVar("T")


def product_details(product: Product) -> ProductDetails:
    """What the cache keeps of a service product: the item's details, no price, no stock."""
    return ProductDetails(
        asin=product.asin,
        series_id=product.series_id,
        format=product.format,
        volumes=product.volumes,
        isbn13=product.isbn13,
        title_ja=product.title_ja,
        title_en=product.title_en,
        title_romaji=product.title_romaji,
        release_date=product.release_date,
        page_count=product.page_count,
        rating=product.reviews.rating,
        review_count=product.reviews.count,
        review_ja=product.reviews.summary_ja,
        review_en=product.reviews.summary_en,
    )


def live_offer(offer: ServiceOffer) -> Offer:
    return Offer(
        asin=offer.asin,
        price_jpy=offer.price_jpy,
        availability=offer.availability,
        stock=offer.stock,
    )


async def _batched(
    call: Callable[[Sequence[str]], Awaitable[Mapping[str, T]]], asins: Sequence[str]
) -> dict[str, T]:
    """``call`` over ``asins`` in batches the service accepts, run concurrently, merged."""
    wanted = list(dict.fromkeys(asins))
    batches = [wanted[i : i + MAX_ASINS] for i in range(0, len(wanted), MAX_ASINS)]
    merged: dict[str, T] = {}
    for answer in await asyncio.gather(*(call(batch) for batch in batches)):
        merged.update(answer)
    return merged


class ServiceCatalogOrigin:
    """:class:`CatalogService` behind the cache's ``CatalogOrigin`` protocol."""

    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    async def product_details(self, asins: Sequence[str]) -> dict[str, ProductDetails]:
        products = await _batched(self._catalog.get_products, asins)
        return {asin: product_details(product) for asin, product in products.items()}

    async def series(self, series_ids: Sequence[str]) -> dict[str, Series]:
        """Always empty: the catalog service has no series call.

        On this backend series reach the retrieval stage with the search hits
        that name them (``ServiceCatalog.search``), never through this cache.
        """
        return {}

    async def offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        offers = await _batched(self._catalog.get_offers, asins)
        return {asin: live_offer(offer) for asin, offer in offers.items()}
