"""A local HTTP server of the store's services over the demo data (``docs/commerce-api.md``).

It serves the local implementations, so the HTTP clients can be tested, and
the pipeline run with ``MANGAASSIST_COMMERCE_BACKEND=http``, against the same
answers as in-process. Errors are ``{"error": {"code": ..., "message": ...}}``
with 400 (a malformed request or a refused one), 401, 404, 409 (a return
that is not allowed) or 503.

    python -m connectors.commerce.server --port 8085
"""

from __future__ import annotations

import argparse
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.commerce.base import RecommendationService
from connectors.commerce.exceptions import (
    CommerceError,
    NotFound,
    ServiceRejected,
    ServiceUnavailable,
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
from connectors.commerce.models import (
    ItemCondition,
    RecommendationRequest,
    RecommendationResult,
    ReturnRequest,
)
from connectors.commerce.recommend import LocalRecommender
from connectors.store.loader import StoreData, load_store

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
CATALOG_CACHE = "public, max-age=300"
NO_STORE = "no-store"
_CONDITION: TypeAdapter[ItemCondition] = TypeAdapter(ItemCondition)
MAX_BODY_BYTES = 16_384


class BadRequest(ServiceRejected):
    """The request itself is malformed: a missing or unreadable parameter or body."""


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status,
        headers={"Cache-Control": NO_STORE},
    )


def _json(payload: BaseModel | dict[str, Any], cache: str = NO_STORE) -> JSONResponse:
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    return JSONResponse(body, headers={"Cache-Control": cache})


def _param(request: Request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if not value:
        raise BadRequest(f"{name} is required", code="missing_parameter")
    return value


def _asins(request: Request) -> list[str]:
    return [asin.strip() for asin in _param(request, "asins").split(",") if asin.strip()]


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer", code="bad_parameter") from None


def _condition(raw: str | None) -> ItemCondition:
    try:
        return _CONDITION.validate_python(raw or "unopened")
    except ValidationError:
        choices = ", ".join(get_args(ItemCondition))
        raise BadRequest(f"condition must be one of {choices}", code="bad_parameter") from None


def _instant(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest("at must be an ISO 8601 date-time", code="bad_parameter") from None


async def _body(request: Request, model: type[BaseModel]) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest("the body is too large", code="too_large")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise BadRequest(f"unreadable body: {exc.errors(include_url=False)}") from exc


def _status(exc: CommerceError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ServiceUnavailable):
        return 503
    return 409 if exc.code == "not_eligible" else 400


def create_app(
    store: StoreData | None = None,
    *,
    clock: Clock | None = None,
    recommender: RecommendationService | None = None,
    api_token: str | None = None,
) -> Starlette:
    """The services over ``store`` (the bundled demo store by default) as JSON endpoints.

    ``api_token``: when set, every route but ``/healthz`` wants ``Authorization: Bearer <token>``.
    """
    store = store or load_store()
    catalog = LocalCatalogService(store)
    orders = LocalOrderService(store)
    returns = LocalReturnService(store, clock=clock)
    checkout = LocalCheckoutService(store)
    promotions = LocalPromotionService(store)
    profiles = LocalProfileService(store)
    engine = recommender or LocalRecommender(store, clock=clock)

    def route(path: str, handler: Handler, method: str = "GET") -> Route:
        async def endpoint(request: Request) -> Response:
            if api_token is not None:
                given = request.headers.get("Authorization", "")
                if not hmac.compare_digest(given.encode(), f"Bearer {api_token}".encode()):
                    return _error(401, "unauthorized", "a valid bearer token is required")
            try:
                return await handler(request)
            except CommerceError as exc:
                return _error(_status(exc), exc.code or "rejected", str(exc))

        return Route(path, endpoint, methods=[method])

    async def healthz(request: Request) -> Response:
        return _json({"status": "ok"})

    async def products(request: Request) -> Response:
        found = await catalog.get_products(_asins(request))
        return _json(
            {"products": {a: p.model_dump(mode="json") for a, p in found.items()}}, CATALOG_CACHE
        )

    async def offers(request: Request) -> Response:
        found = await catalog.get_offers(_asins(request))
        return _json({"offers": {a: o.model_dump(mode="json") for a, o in found.items()}})

    async def search(request: Request) -> Response:
        hits = await catalog.search(_param(request, "q"), _int(request, "k", 10))
        return _json({"hits": [hit.model_dump(mode="json") for hit in hits]}, CATALOG_CACHE)

    async def order(request: Request) -> Response:
        order_id = request.path_params["order_id"]
        found = await orders.get_order(order_id, _param(request, "user_id"))
        if found is None:
            raise NotFound(f"no order {order_id} for this shopper", code="order_not_found")
        return _json(found)

    async def user_orders(request: Request) -> Response:
        found = await orders.list_orders(request.path_params["user_id"])
        return _json({"orders": [one.model_dump(mode="json") for one in found]})

    async def eligibility(request: Request) -> Response:
        verdict = await returns.eligibility(
            _param(request, "order_id"),
            _param(request, "user_id"),
            _param(request, "asin"),
            _condition(request.query_params.get("condition")),
        )
        return _json(verdict)

    async def start_return(request: Request) -> Response:
        wanted: ReturnRequest = await _body(request, ReturnRequest)
        started = await returns.start_return(
            wanted.order_id, wanted.user_id, wanted.asin, wanted.condition
        )
        return _json(started)

    async def cart(request: Request) -> Response:
        return _json(await checkout.cart_status(_param(request, "user_id")))

    async def diagnose(request: Request) -> Response:
        hint = await checkout.diagnose_payment(
            _param(request, "user_id"), _param(request, "error_code")
        )
        return _json(hint)

    async def active(request: Request) -> Response:
        at = _instant(_param(request, "at"))
        asins = _asins(request) if "asins" in request.query_params else None
        found = await promotions.active_promotions(at, asins)
        return _json({"promotions": [one.model_dump(mode="json") for one in found]})

    async def profile(request: Request) -> Response:
        return _json(await profiles.get_profile(request.path_params["user_id"]))

    async def history(request: Request) -> Response:
        return _json(await profiles.history(request.path_params["user_id"]))

    async def recommendations(request: Request) -> Response:
        wanted: RecommendationRequest = await _body(request, RecommendationRequest)
        suggestions = await engine.recommend(wanted)
        return _json(RecommendationResult(suggestions=tuple(suggestions)))

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        route("/catalog/products", products),
        route("/catalog/offers", offers),
        route("/catalog/search", search),
        route("/orders/{order_id}", order),
        route("/users/{user_id}/orders", user_orders),
        route("/users/{user_id}/profile", profile),
        route("/users/{user_id}/history", history),
        route("/returns/eligibility", eligibility),
        route("/returns", start_return, "POST"),
        route("/checkout/cart", cart),
        route("/checkout/diagnose", diagnose),
        route("/promotions/active", active),
        route("/recommendations", recommendations, "POST"),
    ]
    return Starlette(routes=routes)


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m connectors.commerce.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8085)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
