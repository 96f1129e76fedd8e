"""Building every store service from the settings, as one :class:`CommerceServices`."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.commerce.base import (
    CatalogService,
    CheckoutService,
    OrderService,
    ProfileService,
    PromotionService,
    RecommendationService,
    ReturnService,
)
from connectors.commerce.http_clients import (
    HttpCatalogService,
    HttpCheckoutService,
    HttpOrderService,
    HttpProfileService,
    HttpPromotionService,
    HttpRecommendationService,
    HttpReturnService,
    commerce_http_client,
)
from connectors.commerce.local import (
    Clock,
    LocalCatalogService,
    LocalCheckoutService,
    LocalOrderService,
    LocalProfileService,
    LocalPromotionService,
    LocalReturnService,
)
from connectors.commerce.personalize import PersonalizeRecommendations, personalize_client
from connectors.commerce.recommend import LocalRecommender, ResilientRecommendations, TrendingCache
from connectors.commerce.settings import CommerceSettings
from connectors.store.loader import StoreData, load_store
from mangaassist.errors import ConfigurationError

Closer = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class CommerceServices:
    """One of each service; ``recommendations`` falls back to trending items on its own."""

    catalog: CatalogService
    orders: OrderService
    returns: ReturnService
    checkout: CheckoutService
    promotions: PromotionService
    profiles: ProfileService
    recommendations: ResilientRecommendations
    closers: tuple[Closer, ...] = ()

    async def aclose(self) -> None:
        """Close the clients the services opened (the HTTP client, the Personalize client)."""
        async with contextlib.AsyncExitStack() as stack:
            for closer in self.closers:
                stack.push_async_callback(closer)


def local_services(
    store: StoreData | None = None,
    *,
    clock: Clock | None = None,
    recommender: RecommendationService | None = None,
    trending_ttl_s: float = 600.0,
    timeout_s: float | None = None,
) -> CommerceServices:
    """Every service over the demo ``store`` (the bundled one by default), in this process."""
    store = store or load_store()
    catalog = LocalCatalogService(store)
    engine = recommender or LocalRecommender(store, clock=clock)
    trending = TrendingCache.from_store(store, ttl_s=trending_ttl_s, store_clock=clock)
    return CommerceServices(
        catalog=catalog,
        orders=LocalOrderService(store),
        returns=LocalReturnService(store, clock=clock),
        checkout=LocalCheckoutService(store),
        promotions=LocalPromotionService(store),
        profiles=LocalProfileService(store),
        recommendations=ResilientRecommendations(engine, trending, timeout_s=timeout_s),
    )


def http_services(
    client: httpx.AsyncClient,
    *,
    recommender: RecommendationService | None = None,
    trending: TrendingCache | None = None,
    timeout_s: float | None = None,
    owns_client: bool = False,
) -> CommerceServices:
    """Every service as a client of the internal services behind ``client``'s base URL.

    The trending cache starts empty: call ``recommendations.refresh_trending()``
    at start-up (and now and then) so a failure has something to fall back on.
    """
    engine = recommender or HttpRecommendationService(client)
    return CommerceServices(
        catalog=HttpCatalogService(client),
        orders=HttpOrderService(client),
        returns=HttpReturnService(client),
        checkout=HttpCheckoutService(client),
        promotions=HttpPromotionService(client),
        profiles=HttpProfileService(client),
        recommendations=ResilientRecommendations(
            engine, trending or TrendingCache(), timeout_s=timeout_s
        ),
        closers=(client.aclose,) if owns_client else (),
    )


def services_from_settings(
    settings: CommerceSettings,
    *,
    store: StoreData | None = None,
    http_client: httpx.AsyncClient | None = None,
    personalize: Any = None,
    clock: Clock | None = None,
) -> CommerceServices:
    """The configured services; nothing is contacted yet, the first call connects.

    ``http_client`` and ``personalize`` (a boto3 ``personalize-runtime``
    client) replace the clients the settings would build; the caller then
    closes them.
    """
    trending_ttl_s = settings.trending_ttl_s
    if settings.backend == "http":
        if http_client is None and not settings.base_url:
            raise ConfigurationError("MANGAASSIST_COMMERCE_BASE_URL is not set")
        client = http_client
        if client is None:
            token = settings.api_token.get_secret_value() if settings.api_token else None
            client = commerce_http_client(
                settings.base_url or "", settings.timeout_s, api_token=token
            )
        services = http_services(
            client,
            trending=TrendingCache(ttl_s=trending_ttl_s),
            timeout_s=settings.timeout_s,
            owns_client=http_client is None,
        )
    else:
        services = local_services(store, clock=clock, trending_ttl_s=trending_ttl_s)
    if settings.recommendations != "personalize":
        return services
    if not settings.personalize_campaign_arn:
        raise ConfigurationError("MANGAASSIST_COMMERCE_PERSONALIZE_CAMPAIGN_ARN is not set")
    boto_client = personalize or personalize_client(
        settings.personalize_region,
        endpoint_url=settings.personalize_endpoint_url,
        timeout_s=settings.timeout_s,
    )
    engine = PersonalizeRecommendations(
        boto_client,
        settings.personalize_campaign_arn,
        services.catalog,
        similar_items_campaign_arn=settings.personalize_similar_items_campaign_arn,
        ranking_campaign_arn=settings.personalize_ranking_campaign_arn,
        filter_arn=settings.personalize_filter_arn,
    )
    closers = services.closers + ((engine.aclose,) if personalize is None else ())
    return CommerceServices(
        catalog=services.catalog,
        orders=services.orders,
        returns=services.returns,
        checkout=services.checkout,
        promotions=services.promotions,
        profiles=services.profiles,
        recommendations=ResilientRecommendations(
            engine, services.recommendations.trending_cache, timeout_s=settings.timeout_s
        ),
        closers=closers,
    )
