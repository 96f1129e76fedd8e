"""The HTTP clients' requests and error mapping, over httpx's MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from connectors.commerce import (
    CommerceError,
    NotFound,
    RecommendationRequest,
    ServiceRejected,
    ServiceUnavailable,
    http_services,
)
from connectors.commerce.factory import CommerceServices
from connectors.commerce.http_clients import commerce_http_client

Answer = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def services(answer: Answer) -> tuple[CommerceServices, Recorder]:
    recorder = Recorder(answer)
    client = httpx.AsyncClient(base_url="http://commerce", transport=httpx.MockTransport(recorder))
    return http_services(client, owns_client=True), recorder


def error(status: int, code: str = "boom") -> Answer:
    return lambda request: httpx.Response(status, json={"error": {"code": code, "message": "m"}})


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, ServiceUnavailable),
        (502, ServiceUnavailable),
        (503, ServiceUnavailable),
        (408, ServiceUnavailable),
        (429, ServiceUnavailable),
        (302, ServiceUnavailable),
        (404, NotFound),
        (400, ServiceRejected),
        (401, ServiceRejected),
        (409, ServiceRejected),
    ],
)
async def test_statuses_are_mapped(status: int, kind: type[CommerceError]) -> None:
    built, _ = services(error(status, "some_code"))
    with pytest.raises(kind) as raised:
        await built.profiles.get_profile("user-01")
    assert raised.value.status == status
    assert raised.value.code == "some_code"
    assert raised.value.service == "profiles"
    assert isinstance(raised.value, CommerceError)
    await built.aclose()


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow to connect"),
        httpx.ReadTimeout("slow to answer"),
        httpx.PoolTimeout("no connection free"),
        httpx.RemoteProtocolError("cut off"),
    ],
)
async def test_transport_errors_are_unavailable(failure: httpx.HTTPError) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    built, _ = services(fail)
    with pytest.raises(ServiceUnavailable) as raised:
        await built.catalog.get_offers(["B0ABCDEFGH"])
    assert raised.value.__cause__ is failure
    await built.aclose()


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(200, text="<html>maintenance</html>"),
        lambda request: httpx.Response(200, json={"unexpected": {}}),
        lambda request: httpx.Response(200, json={"products": {"B0ABCDEFGH": {"asin": 1}}}),
    ],
)
async def test_an_unusable_answer_is_unavailable(answer: Answer) -> None:
    built, _ = services(answer)
    with pytest.raises(ServiceUnavailable):
        await built.catalog.get_products(["B0ABCDEFGH"])
    await built.aclose()


async def test_only_the_services_own_404_means_no_such_order() -> None:
    built, _ = services(error(404, "order_not_found"))
    assert await built.orders.get_order("250-0000000-0000000", "user-01") is None
    await built.aclose()
    bare, _ = services(lambda request: httpx.Response(404, text="Not Found"))
    with pytest.raises(NotFound):
        await bare.orders.get_order("250-0000000-0000000", "user-01")
    await bare.aclose()


async def test_requests_are_shaped_as_documented() -> None:
    answers = {
        "/catalog/products": {"products": {}},
        "/catalog/search": {"hits": []},
        "/promotions/active": {"promotions": []},
        "/users/user%2F1/orders": {"orders": []},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers[request.url.raw_path.decode().split("?")[0]])

    built, recorder = services(answer)
    await built.catalog.get_products(["B0ABCDEFGH", "B0ABCDEFGH", "B0ZYXWVUTS"])
    await built.catalog.search("鬼 3巻", 4)
    at = datetime(2026, 11, 20, 12, tzinfo=timezone(timedelta(hours=9)))
    await built.promotions.active_promotions(at, ["B0ABCDEFGH"])
    await built.orders.list_orders("user/1")
    products, search, promotions, orders = recorder.requests
    assert products.url.params["asins"] == "B0ABCDEFGH,B0ZYXWVUTS"
    assert (search.url.params["q"], search.url.params["k"]) == ("鬼 3巻", "4")
    assert promotions.url.params["at"] == "2026-11-20T12:00:00+09:00"
    assert orders.url.raw_path == b"/users/user%2F1/orders"  # one segment, whatever the id
    await built.aclose()


async def test_post_bodies_are_json() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/recommendations":
            return httpx.Response(200, json={"suggestions": [], "degraded": False})
        return error(409, "not_eligible")(request)

    built, recorder = services(answer)
    await built.recommendations.recommend(RecommendationRequest(user_id="user-01", k=3))
    with pytest.raises(ServiceRejected) as refused:
        await built.returns.start_return("250-0000000-0000000", "user-01", "B0ABCDEFGH", "damaged")
    assert refused.value.code == "not_eligible"
    recommend, start = recorder.requests
    assert json.loads(recommend.content) == {
        "user_id": "user-01",
        "session_viewed": [],
        "page_asin": None,
        "k": 3,
    }
    assert json.loads(start.content)["condition"] == "damaged"
    assert start.method == "POST"
    await built.aclose()


async def test_arguments_are_checked_before_any_request() -> None:
    built, recorder = services(error(500))
    with pytest.raises(ServiceRejected):
        await built.catalog.get_products(["nope"])
    assert await built.catalog.get_offers([]) == {}
    assert await built.orders.get_order("not-an-order-id", "user-01") is None
    assert await built.promotions.active_promotions(datetime.now(tz=UTC), []) == []
    assert recorder.requests == []
    await built.aclose()


async def test_the_built_client_has_timeouts_and_the_token() -> None:
    client = commerce_http_client("http://commerce", 0.25, api_token="t0ken")
    assert client.timeout == httpx.Timeout(0.25)
    assert client.headers["Authorization"] == "Bearer t0ken"
    await client.aclose()
