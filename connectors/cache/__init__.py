"""Caches in front of the catalog, recommendations and promotions.

Reads go L1 (:class:`TtlCache`, in process) → L2 (:class:`RedisCache`,
shared) → the origin, through :class:`TieredCache`. Prices, availability and
stock are **never cached**: :class:`CachedCatalog` joins cached
:class:`ProductDetails` with a live :class:`Offer` on every call. Change
events invalidate through ``streams/cache_agents.py``; :class:`CacheMetrics`
counts hits, misses, origin loads and Redis errors, rendered for Prometheus by
:func:`render_prometheus`. See ``docs/cache.md``.
"""

from connectors.cache.exceptions import CacheError
from connectors.cache.facades import (
    CachedCatalog,
    CachedPromotions,
    CachedRecommendations,
    PromotionWindow,
)
from connectors.cache.fanout import InvalidationListener, listener_client
from connectors.cache.metrics import (
    PROMETHEUS_CONTENT_TYPE,
    CacheMetrics,
    render_prometheus,
    serve_metrics,
)
from connectors.cache.models import CatalogProduct, Offer, ProductDetails, Recommendations
from connectors.cache.origins import (
    CatalogOrigin,
    PromotionOrigin,
    RecommendationOrigin,
    StoreOrigin,
)
from connectors.cache.redis_cache import RedisCache, redis_client
from connectors.cache.settings import CacheSettings
from connectors.cache.suite import CacheSuite, caches_from_settings
from connectors.cache.tiered import OriginLoader, TieredCache
from connectors.cache.ttl import TtlCache

__all__ = [
    "PROMETHEUS_CONTENT_TYPE",
    "CacheError",
    "CacheMetrics",
    "CacheSettings",
    "CacheSuite",
    "CachedCatalog",
    "CachedPromotions",
    "CachedRecommendations",
    "CatalogOrigin",
    "CatalogProduct",
    "InvalidationListener",
    "Offer",
    "OriginLoader",
    "ProductDetails",
    "PromotionOrigin",
    "PromotionWindow",
    "RecommendationOrigin",
    "Recommendations",
    "RedisCache",
    "StoreOrigin",
    "TieredCache",
    "TtlCache",
    "caches_from_settings",
    "listener_client",
    "redis_client",
    "render_prometheus",
    "serve_metrics",
]
