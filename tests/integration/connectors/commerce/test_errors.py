"""Over real HTTP: what the clients raise when the service is down, slow, sick or refuses."""

from __future__ import annotations

import time

import httpx
import pytest

from connectors.commerce import (
    NotFound,
    RecommendationRequest,
    ServiceRejected,
    ServiceUnavailable,
    TrendingCache,
    http_services,
)
from connectors.commerce.http_clients import commerce_http_client
from connectors.kafka import free_loopback_port
from tests.integration.connectors.commerce.conftest import SLOW_S, TOKEN
from tests.unit.connectors.commerce.helpers import Demo


async def test_connection_refused_is_unavailable_at_once() -> None:
    url = f"http://127.0.0.1:{free_loopback_port()}"  # nothing listens there
    async with commerce_http_client(url, 2.0) as client:
        services = http_services(client)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable) as raised:
            await services.catalog.get_offers(["B0ABCDEFGH"])
        assert time.monotonic() - started < 1.0
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


async def test_a_slow_endpoint_times_out_as_unavailable(faulty: httpx.AsyncClient) -> None:
    services = http_services(faulty)  # 0.2 s timeouts
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        await services.catalog.get_offers(["B0ABCDEFGH"])
    assert time.monotonic() - started < SLOW_S * 0.8
    assert isinstance(raised.value.__cause__, httpx.TimeoutException)


async def test_a_500_is_unavailable(faulty: httpx.AsyncClient) -> None:
    with pytest.raises(ServiceUnavailable) as raised:
        await http_services(faulty).catalog.get_products(["B0ABCDEFGH"])
    assert (raised.value.status, raised.value.code) == (500, "internal")


async def test_a_bare_404_is_not_found_not_a_missing_order(faulty: httpx.AsyncClient) -> None:
    with pytest.raises(NotFound):
        await http_services(faulty).orders.get_order("250-0000000-0000000", "user-01")


async def test_an_html_page_instead_of_json_is_unavailable(faulty: httpx.AsyncClient) -> None:
    with pytest.raises(ServiceUnavailable):
        await http_services(faulty).orders.list_orders("user-01")


async def test_recommendations_down_degrade_to_the_trending_cache(
    faulty: httpx.AsyncClient, demo: Demo
) -> None:
    services = http_services(faulty, trending=TrendingCache.from_store(demo.store))
    result = await services.recommendations.recommend_with_status(
        RecommendationRequest(user_id="user-01", k=4)
    )
    assert (result.degraded, result.error) == (True, "ServiceUnavailable")
    assert len(result.suggestions) == 4
    assert {s.reason_code for s in result.suggestions} == {"popular_now"}


async def test_the_real_server_answers_404_and_400_as_the_clients_expect(
    commerce_url: str, demo: Demo
) -> None:
    async with commerce_http_client(commerce_url, 5.0) as client:
        services = http_services(client)
        with pytest.raises(NotFound) as missing:
            await services.profiles.get_profile("nobody")
        assert (missing.value.status, missing.value.code) == (404, "user_not_found")
        with pytest.raises(ServiceRejected) as refused:
            await services.catalog.search("kenshi", 0)  # the client leaves k to the server
        assert (refused.value.status, refused.value.code) == (400, "bad_k")
        pick = demo.old_physical()
        with pytest.raises(ServiceRejected) as not_allowed:
            await services.returns.start_return(pick.order.id, pick.user_id, pick.asin)
        assert (not_allowed.value.status, not_allowed.value.code) == (409, "not_eligible")


async def test_a_token_the_server_wants_is_sent(guarded_url: str) -> None:
    async with commerce_http_client(guarded_url, 5.0, api_token=TOKEN) as client:
        profile = await http_services(client).profiles.get_profile("user-01")
        assert profile.user_id == "user-01"
    async with commerce_http_client(guarded_url, 5.0) as client:
        with pytest.raises(ServiceRejected) as refused:
            await http_services(client).profiles.get_profile("user-01")
        assert refused.value.status == 401
