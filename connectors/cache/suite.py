"""Every cache of a process, built from the settings, and what a change event does to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.cache.facades import (
    CachedCatalog,
    CachedPromotions,
    CachedRecommendations,
    PromotionWindow,
    promotion_window_loader,
)
from connectors.cache.fanout import InvalidationListener, listener_client
from connectors.cache.metrics import CacheMetrics, render_prometheus
from connectors.cache.models import ProductDetails, Recommendations
from connectors.cache.origins import (
    CatalogOrigin,
    PromotionOrigin,
    RecommendationOrigin,
    StoreOrigin,
)
from connectors.cache.redis_cache import RedisCache
from connectors.cache.settings import CacheSettings
from connectors.cache.tiered import TieredCache
from connectors.cache.ttl import TtlCache
from connectors.store.models import Series
from schemas import CatalogChange, PromotionChange


@dataclass
class CacheSuite:
    """The catalog, recommendation and promotion caches of one process, sharing one Redis.

    Call :meth:`start` once the event loop runs (it subscribes to invalidations
    from other processes) and :meth:`aclose` on the way out.
    """

    catalog: CachedCatalog
    recommendations: CachedRecommendations
    promotions: CachedPromotions
    metrics: CacheMetrics
    redis: RedisCache | None = None
    listener: InvalidationListener | None = field(default=None, repr=False)

    @property
    def caches(self) -> dict[str, TieredCache[Any]]:
        """Each tiered cache by namespace."""
        tiers: list[TieredCache[Any]] = [
            self.catalog.products,
            self.catalog.series,
            self.recommendations.cache,
            self.promotions.cache,
        ]
        return {cache.namespace: cache for cache in tiers}

    async def apply_catalog_change(self, change: CatalogChange) -> bool:
        """Drop the products and series ``change`` names (every kind alike); safe to repeat."""
        return await self.catalog.invalidate(change.asins, change.series_ids)

    async def apply_promotion_change(self, change: PromotionChange) -> bool:
        """Drop the cached active-promotion lists; safe to repeat."""
        return await self.promotions.invalidate()

    def render_prometheus(self) -> str:
        return render_prometheus(self.metrics)

    def start(self) -> None:
        if self.listener is not None:
            self.listener.start()

    async def aclose(self) -> None:
        if self.listener is not None:
            await self.listener.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def caches_from_settings(
    settings: CacheSettings,
    *,
    catalog: CatalogOrigin | None = None,
    recommendations: RecommendationOrigin | None = None,
    promotions: PromotionOrigin | None = None,
    metrics: CacheMetrics | None = None,
    key_prefix: str | None = None,
) -> CacheSuite:
    """The caches the settings describe; origins default to the synthetic store.

    Nothing is contacted yet: the first lookup connects to Redis. Disabled,
    every lookup goes to the origin (L1 keeps nothing, there is no L2).
    ``key_prefix`` isolates the Redis keys and channel (tests, benches).
    """
    metrics = metrics or CacheMetrics()
    if catalog is None or recommendations is None or promotions is None:
        store = StoreOrigin()
        catalog, recommendations, promotions = (
            catalog or store,
            recommendations or store,
            promotions or store,
        )
    url = settings.redis_url.get_secret_value()
    redis_cache: RedisCache | None = None
    if settings.enabled and url:
        prefix = {} if key_prefix is None else {"key_prefix": key_prefix}
        redis_cache = RedisCache.from_url(
            url,
            metrics,
            timeout_s=settings.timeout_s,
            retry_after_s=settings.retry_after_s,
            **prefix,
        )
    l1_size = settings.l1_size if settings.enabled else 0

    def l1(ttl_s: float) -> TtlCache[Any]:
        return TtlCache(l1_size, min(ttl_s, settings.l1_ttl_s))

    products_cache = TieredCache(
        "products",
        l1(settings.products_ttl_s),
        redis_cache,
        catalog.product_details,
        value_type=ProductDetails,
        ttl_s=settings.products_ttl_s,
        metrics=metrics,
    )
    series_cache = TieredCache(
        "series",
        l1(settings.products_ttl_s),
        redis_cache,
        catalog.series,
        value_type=Series,
        ttl_s=settings.products_ttl_s,
        metrics=metrics,
    )
    recommendations_cache = TieredCache(
        "recommendations",
        l1(settings.recommendations_ttl_s),
        redis_cache,
        recommendations.recommendations,
        value_type=Recommendations,
        ttl_s=settings.recommendations_ttl_s,
        metrics=metrics,
    )
    window_s = settings.promotions_ttl_s
    promotions_cache = TieredCache(
        "promotions",
        l1(window_s),
        redis_cache,
        promotion_window_loader(promotions, window_s),
        value_type=PromotionWindow,
        ttl_s=window_s,
        metrics=metrics,
    )
    suite = CacheSuite(
        catalog=CachedCatalog(products_cache, series_cache, catalog),
        recommendations=CachedRecommendations(recommendations_cache),
        promotions=CachedPromotions(promotions_cache, window_s),
        metrics=metrics,
        redis=redis_cache,
    )
    if redis_cache is not None:
        suite.listener = InvalidationListener(
            listener_client(url, max(settings.timeout_s, 0.5)),
            redis_cache.channel,
            suite.caches,
            ignore_sender=redis_cache.instance_id,
            owns_client=True,
        )
    return suite
