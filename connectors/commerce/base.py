"""The protocol of each store service, and the argument checks every implementation shares.

Each implementation (local over the demo data, HTTP client, Amazon Personalize)
raises only :mod:`connectors.commerce.exceptions`. The local implementations
apply the checks below themselves, and the HTTP server answers their
``ServiceRejected`` with a 400, so every implementation refuses the same calls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from connectors.commerce.exceptions import ServiceRejected
from connectors.commerce.models import (
    MAX_ASINS,
    MAX_K,
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
    ReturnAuthorization,
    ReturnEligibility,
    SearchHit,
    Suggestion,
)
from connectors.store.ids import ASIN_PATTERN, ORDER_ID_PATTERN

_ASIN_RE = re.compile(ASIN_PATTERN)
_ORDER_ID_RE = re.compile(ORDER_ID_PATTERN)
MAX_QUERY_CHARS = 200


def checked_asins(asins: Sequence[str], service: str) -> list[str]:
    """``asins`` without repeats, in order; refused when one is malformed or there are too many."""
    if isinstance(asins, str):
        raise ServiceRejected("asins must be a sequence of ASINs, not one string", service=service)
    unique = list(dict.fromkeys(asins))
    if len(unique) > MAX_ASINS:
        raise ServiceRejected(
            f"at most {MAX_ASINS} ASINs per call, got {len(unique)}",
            service=service,
            code="too_many_asins",
        )
    bad = [asin for asin in unique if not _ASIN_RE.match(asin)]
    if bad:
        raise ServiceRejected(
            f"not ASINs: {', '.join(bad[:5])}", service=service, code="invalid_asin"
        )
    return unique


def checked_query(query: str, k: int) -> str:
    text = query.strip()
    if not text or len(text) > MAX_QUERY_CHARS:
        raise ServiceRejected(
            f"a query must have 1 to {MAX_QUERY_CHARS} characters",
            service="catalog",
            code="invalid_query",
        )
    if not 1 <= k <= MAX_K:
        raise ServiceRejected(f"k must be 1 to {MAX_K}, not {k}", service="catalog", code="bad_k")
    return text


def is_order_id(order_id: str) -> bool:
    return bool(_ORDER_ID_RE.match(order_id))


def checked_instant(at: datetime, service: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ServiceRejected(
            f"needs an aware datetime, got {at!r}", service=service, code="naive_datetime"
        )
    return at


class CatalogService(Protocol):
    async def get_products(self, asins: Sequence[str]) -> dict[str, Product]:
        """Details of the known ASINs (unknown ones are left out); no price, no stock."""
        ...

    async def get_offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        """Price, availability and stock right now; never cache them."""
        ...

    async def search(self, query: str, k: int = 10) -> list[SearchHit]:
        """The ``k`` best hits for ``query``, best first."""
        ...


class OrderService(Protocol):
    async def get_order(self, order_id: str, user_id: str) -> OrderDetails | None:
        """The order, or None when it is unknown or belongs to someone else."""
        ...

    async def list_orders(self, user_id: str) -> list[OrderDetails]:
        """The shopper's orders, newest first; empty for an unknown shopper."""
        ...


class ReturnService(Protocol):
    async def eligibility(
        self, order_id: str, user_id: str, asin: str, condition: ItemCondition = "unopened"
    ) -> ReturnEligibility:
        """Whether the item can be returned; NotFound for someone else's order or another item."""
        ...

    async def start_return(
        self, order_id: str, user_id: str, asin: str, condition: ItemCondition = "unopened"
    ) -> ReturnAuthorization:
        """Start the return; the same order and item give the same RMA, however often.

        ServiceRejected (code ``not_eligible``) when :meth:`eligibility` says no.
        """
        ...


class CheckoutService(Protocol):
    async def cart_status(self, user_id: str) -> CartStatus:
        """The shopper's checkout in progress; NotFound for an unknown shopper."""
        ...

    async def diagnose_payment(self, user_id: str, error_code: str) -> PaymentHint:
        """A bilingual hint for a payment error code; an unknown code gets a general one."""
        ...


class PromotionService(Protocol):
    async def active_promotions(
        self, at: datetime, asins: Sequence[str] | None = None
    ) -> list[PromotionInfo]:
        """Promotions running at ``at`` (aware); with ``asins``, those covering one of them."""
        ...


class ProfileService(Protocol):
    async def get_profile(self, user_id: str) -> Profile:
        """NotFound for an unknown shopper."""
        ...

    async def history(self, user_id: str) -> History:
        """NotFound for an unknown shopper."""
        ...


class RecommendationService(Protocol):
    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        """At most ``request.k`` suggestions, best first, each saying why."""
        ...
