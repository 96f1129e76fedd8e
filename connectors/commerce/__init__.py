"""The store's services: catalog, orders, returns, checkout, promotions, profiles, recommendations.

Each service is a small async protocol (:mod:`connectors.commerce.base`) with
a local implementation over the synthetic demo store (:mod:`.local`,
:mod:`.recommend`) and a production one: clients of the internal HTTP services
(:mod:`.http_clients`, API in ``docs/commerce-api.md``) and Amazon Personalize
for recommendations (:mod:`.personalize`). :func:`services_from_settings`
builds them all; :mod:`.fallbacks` says what to tell the shopper when one is down.
"""

from connectors.commerce.base import (
    CatalogService,
    CheckoutService,
    OrderService,
    ProfileService,
    PromotionService,
    RecommendationService,
    ReturnService,
)
from connectors.commerce.exceptions import (
    CommerceError,
    NotFound,
    ServiceRejected,
    ServiceUnavailable,
)
from connectors.commerce.factory import (
    CommerceServices,
    http_services,
    local_services,
    services_from_settings,
)
from connectors.commerce.models import (
    CartStatus,
    History,
    ItemCondition,
    Offer,
    OrderDetails,
    PaymentHint,
    Product,
    Profile,
    PromotionInfo,
    RecommendationRequest,
    RecommendationResult,
    ReturnAuthorization,
    ReturnEligibility,
    SearchHit,
    Suggestion,
)
from connectors.commerce.recommend import LocalRecommender, ResilientRecommendations, TrendingCache
from connectors.commerce.settings import CommerceSettings

__all__ = [
    "CartStatus",
    "CatalogService",
    "CheckoutService",
    "CommerceError",
    "CommerceServices",
    "CommerceSettings",
    "History",
    "ItemCondition",
    "LocalRecommender",
    "NotFound",
    "Offer",
    "OrderDetails",
    "OrderService",
    "PaymentHint",
    "Product",
    "Profile",
    "ProfileService",
    "PromotionInfo",
    "PromotionService",
    "RecommendationRequest",
    "RecommendationResult",
    "RecommendationService",
    "ResilientRecommendations",
    "ReturnAuthorization",
    "ReturnEligibility",
    "ReturnService",
    "SearchHit",
    "ServiceRejected",
    "ServiceUnavailable",
    "Suggestion",
    "TrendingCache",
    "http_services",
    "local_services",
    "services_from_settings",
]
