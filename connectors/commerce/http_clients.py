"""Clients of the store's internal HTTP services (production), over an injectable httpx client.

The API is described in ``docs/commerce-api.md``; ``connectors.commerce.server``
serves it over the demo data. Each call is one request with the client's
timeouts and no retry: a reply should not wait on a service that is down, and
the caller has a fallback (``connectors.commerce.fallbacks``). Errors map to
:mod:`connectors.commerce.exceptions`:

* connect errors, timeouts, other transport errors, 5xx, 408, 429, a redirect
  and a body that is not the expected JSON: :class:`ServiceUnavailable`;
* 404: :class:`NotFound`; any other 4xx: :class:`ServiceRejected`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from connectors.commerce.base import checked_asins, checked_instant, is_order_id
from connectors.commerce.exceptions import (
    CommerceError,
    NotFound,
    ServiceRejected,
    ServiceUnavailable,
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
    ReturnRequest,
    SearchHit,
    Suggestion,
)

T = TypeVar("T")
_TRANSIENT_4XX = frozenset({408, 429})


def commerce_http_client(
    base_url: str, timeout_s: float, *, api_token: str | None = None
) -> httpx.AsyncClient:
    """A client that fails fast: ``timeout_s`` to connect, read, write or wait for a connection."""
    headers = {"Accept": "application/json"}
    if api_token:
        headers["Authorization"] = f"Bearer {api_token}"
    return httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(timeout_s), headers=headers)


def _segment(value: str) -> str:
    """``value`` as one path segment: a "/" or "?" in an id cannot reach another route."""
    return quote(value, safe="")


def _error_of(response: httpx.Response) -> tuple[str | None, str]:
    """The service's error code and message, from ``{"error": {"code", "message"}}``."""
    try:
        body = response.json()
    except ValueError:
        return None, response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        return (str(code) if code is not None else None), str(error.get("message", ""))[:200]
    return None, response.text[:200]


class HttpService:
    """One internal service behind ``client``'s base URL; the subclasses are its methods."""

    service = "commerce"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def _call(
        self,
        method: str,
        path: str,
        adapter: TypeAdapter[T],
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> T:
        where = f"{method} {path}"
        try:
            response = await self._client.request(method, path, params=params, json=json)
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                f"{self.service} timed out on {where}: {exc!r}", service=self.service
            ) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                f"{self.service} unreachable on {where}: {exc!r}", service=self.service
            ) from exc
        status = response.status_code
        if status >= 300:
            code, message = _error_of(response)
            text = f"{self.service} answered {status} to {where}: {message}"
            kind: type[CommerceError]
            if status == 404:
                kind = NotFound
            elif 400 <= status < 500 and status not in _TRANSIENT_4XX:
                kind = ServiceRejected
            else:
                kind = ServiceUnavailable
            raise kind(text, service=self.service, status=status, code=code)
        try:
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            raise ServiceUnavailable(
                f"{self.service} answered {where} with an unexpected body: {exc}",
                service=self.service,
                status=status,
            ) from exc


class _Envelope:
    """The adapters of each response body, built once."""

    products = TypeAdapter(dict[str, dict[str, Product]])
    offers = TypeAdapter(dict[str, dict[str, Offer]])
    hits = TypeAdapter(dict[str, list[SearchHit]])
    order = TypeAdapter(OrderDetails)
    orders = TypeAdapter(dict[str, list[OrderDetails]])
    eligibility = TypeAdapter(ReturnEligibility)
    authorization = TypeAdapter(ReturnAuthorization)
    cart = TypeAdapter(CartStatus)
    hint = TypeAdapter(PaymentHint)
    promotions = TypeAdapter(dict[str, list[PromotionInfo]])
    profile = TypeAdapter(Profile)
    history = TypeAdapter(History)
    result = TypeAdapter(RecommendationResult)


def _field(body: Mapping[str, T], name: str, service: str) -> T:
    try:
        return body[name]
    except KeyError:
        raise ServiceUnavailable(f"{service} answered without {name!r}", service=service) from None


class HttpCatalogService(HttpService):
    service = "catalog"

    async def get_products(self, asins: Sequence[str]) -> dict[str, Product]:
        wanted = checked_asins(asins, self.service)
        if not wanted:
            return {}
        body = await self._call(
            "GET", "/catalog/products", _Envelope.products, params={"asins": ",".join(wanted)}
        )
        return _field(body, "products", self.service)

    async def get_offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        wanted = checked_asins(asins, self.service)
        if not wanted:
            return {}
        body = await self._call(
            "GET", "/catalog/offers", _Envelope.offers, params={"asins": ",".join(wanted)}
        )
        return _field(body, "offers", self.service)

    async def search(self, query: str, k: int = 10) -> list[SearchHit]:
        body = await self._call(
            "GET", "/catalog/search", _Envelope.hits, params={"q": query, "k": k}
        )
        return _field(body, "hits", self.service)


class HttpOrderService(HttpService):
    service = "orders"

    async def get_order(self, order_id: str, user_id: str) -> OrderDetails | None:
        if not is_order_id(order_id):
            return None  # as the service would answer, without asking it
        try:
            return await self._call(
                "GET",
                f"/orders/{_segment(order_id)}",
                _Envelope.order,
                params={"user_id": user_id},
            )
        except NotFound as exc:
            # Only the service's own answer means "no such order"; a bare 404 is a wrong URL.
            if exc.code == "order_not_found":
                return None
            raise

    async def list_orders(self, user_id: str) -> list[OrderDetails]:
        body = await self._call("GET", f"/users/{_segment(user_id)}/orders", _Envelope.orders)
        return _field(body, "orders", self.service)


class HttpReturnService(HttpService):
    service = "returns"

    async def eligibility(
        self, order_id: str, user_id: str, asin: str, condition: ItemCondition = "unopened"
    ) -> ReturnEligibility:
        params = {"order_id": order_id, "user_id": user_id, "asin": asin, "condition": condition}
        return await self._call("GET", "/returns/eligibility", _Envelope.eligibility, params=params)

    async def start_return(
        self, order_id: str, user_id: str, asin: str, condition: ItemCondition = "unopened"
    ) -> ReturnAuthorization:
        request = ReturnRequest(order_id=order_id, user_id=user_id, asin=asin, condition=condition)
        return await self._call(
            "POST", "/returns", _Envelope.authorization, json=request.model_dump(mode="json")
        )


class HttpCheckoutService(HttpService):
    service = "checkout"

    async def cart_status(self, user_id: str) -> CartStatus:
        return await self._call(
            "GET", "/checkout/cart", _Envelope.cart, params={"user_id": user_id}
        )

    async def diagnose_payment(self, user_id: str, error_code: str) -> PaymentHint:
        params = {"user_id": user_id, "error_code": error_code}
        return await self._call("GET", "/checkout/diagnose", _Envelope.hint, params=params)


class HttpPromotionService(HttpService):
    service = "promotions"

    async def active_promotions(
        self, at: datetime, asins: Sequence[str] | None = None
    ) -> list[PromotionInfo]:
        params = {"at": checked_instant(at, self.service).isoformat()}
        if asins is not None:
            wanted = checked_asins(asins, self.service)
            if not wanted:
                return []
            params["asins"] = ",".join(wanted)
        body = await self._call("GET", "/promotions/active", _Envelope.promotions, params=params)
        return _field(body, "promotions", self.service)


class HttpProfileService(HttpService):
    service = "profiles"

    async def get_profile(self, user_id: str) -> Profile:
        return await self._call("GET", f"/users/{_segment(user_id)}/profile", _Envelope.profile)

    async def history(self, user_id: str) -> History:
        return await self._call("GET", f"/users/{_segment(user_id)}/history", _Envelope.history)


class HttpRecommendationService(HttpService):
    service = "recommendations"

    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        body = await self._call(
            "POST", "/recommendations", _Envelope.result, json=request.model_dump(mode="json")
        )
        return list(body.suggestions)
