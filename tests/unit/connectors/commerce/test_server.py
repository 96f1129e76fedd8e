"""The local HTTP server's own behaviour: status codes, error bodies, cache headers, the token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.commerce import RecommendationRequest, ServiceUnavailable, Suggestion
from connectors.commerce.server import create_app
from tests.unit.connectors.commerce.helpers import Demo


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://commerce") as made:
        yield made


async def test_product_details_may_be_cached_offers_never(
    client: httpx.AsyncClient, demo: Demo
) -> None:
    asin = next(iter(demo.store.item_by_asin))
    products = await client.get("/catalog/products", params={"asins": asin})
    offers = await client.get("/catalog/offers", params={"asins": asin})
    assert products.headers["Cache-Control"] == "public, max-age=300"
    assert offers.headers["Cache-Control"] == "no-store"
    assert offers.json()["offers"][asin]["price_jpy"] == demo.store.item_by_asin[asin].price_jpy
    assert "price_jpy" not in products.json()["products"][asin]


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/catalog/products", {}, "missing_parameter"),
        ("/catalog/offers", {"asins": "nope"}, "invalid_asin"),
        ("/catalog/search", {"q": "kenshi", "k": "many"}, "bad_parameter"),
        ("/catalog/search", {"q": "kenshi", "k": "0"}, "bad_k"),
        ("/orders/250-0000000-0000000", {}, "missing_parameter"),
        ("/promotions/active", {"at": "yesterday"}, "bad_parameter"),
        ("/promotions/active", {"at": "2026-11-20T12:00:00"}, "naive_datetime"),
        (
            "/returns/eligibility",
            {"order_id": "x", "user_id": "u", "asin": "B0ABCDEFGH", "condition": "soggy"},
            "bad_parameter",
        ),
    ],
)
async def test_malformed_requests_are_400_with_a_code(
    client: httpx.AsyncClient, path: str, params: dict[str, str], code: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_an_unreadable_body_is_400(client: httpx.AsyncClient) -> None:
    for path, body in (("/returns", b"{"), ("/recommendations", b'{"k": 0}')):
        response = await client.post(path, content=body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "rejected"


async def test_someone_elses_order_is_404_with_a_code(
    client: httpx.AsyncClient, demo: Demo
) -> None:
    order = demo.order("delivered")
    response = await client.get(
        f"/orders/{order.id}", params={"user_id": demo.other_user(order.user_id)}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "order_not_found"
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_return_not_allowed_is_409(client: httpx.AsyncClient, demo: Demo) -> None:
    pick = demo.old_physical()
    body = {"order_id": pick.order.id, "user_id": pick.user_id, "asin": pick.asin}
    response = await client.post("/returns", json=body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_eligible"


async def test_japanese_is_sent_as_is(client: httpx.AsyncClient, demo: Demo) -> None:
    response = await client.get("/users/user-01/profile")
    assert demo.store.users_by_id["user-01"].name_ja.encode() in response.content


async def test_with_a_token_every_route_but_healthz_wants_it() -> None:
    transport = httpx.ASGITransport(app=create_app(api_token="s3cret"))
    async with httpx.AsyncClient(transport=transport, base_url="http://commerce") as client:
        assert (await client.get("/healthz")).status_code == 200
        refused = await client.get("/users/user-01/profile")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
        wrong = await client.get("/users/user-01/profile", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await client.get(
            "/users/user-01/profile", headers={"Authorization": "Bearer s3cret"}
        )
        assert right.status_code == 200


class Down:
    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        raise ServiceUnavailable("engine down")


async def test_an_engine_that_is_down_is_503() -> None:
    transport = httpx.ASGITransport(app=create_app(recommender=Down()))
    async with httpx.AsyncClient(transport=transport, base_url="http://commerce") as client:
        response = await client.post("/recommendations", json={"k": 3})
    assert response.status_code == 503
