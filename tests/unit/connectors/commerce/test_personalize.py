"""Amazon Personalize, with botocore's Stubber: no Personalize server can run locally.

The Stubber checks each call's parameters against the botocore model and
against what the test expects, and answers with a response the model accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from connectors.commerce import (
    NotFound,
    RecommendationRequest,
    ResilientRecommendations,
    ServiceRejected,
    ServiceUnavailable,
    TrendingCache,
)
from connectors.commerce.local import LocalCatalogService
from connectors.commerce.personalize import PersonalizeRecommendations, personalize_client
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.commerce.helpers import Demo

ARN = "arn:aws:personalize:ap-northeast-1:123456789012:campaign/manga-user"
SIMILAR_ARN = "arn:aws:personalize:ap-northeast-1:123456789012:campaign/manga-similar"
RANKING_ARN = "arn:aws:personalize:ap-northeast-1:123456789012:campaign/manga-ranking"
FILTER_ARN = "arn:aws:personalize:ap-northeast-1:123456789012:filter/not-purchased"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One client for the module (building one loads botocore's models); each test stubs it."""
    made = personalize_client("ap-northeast-1", credentials=CREDENTIALS)
    yield made
    made.close()


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def engine(client: Any, demo: Demo, **options: Any) -> PersonalizeRecommendations:
    return PersonalizeRecommendations(client, ARN, LocalCatalogService(demo.store), **options)


def items(*asins: str) -> list[dict[str, Any]]:
    return [{"itemId": asin, "score": round(1 - n / 100, 4)} for n, asin in enumerate(asins)]


def two_of_a_series(demo: Demo) -> tuple[str, str]:
    first, second = demo.store.items_by_series["series-002"][:2]
    return first.asin, second.asin


async def test_a_shopper_gets_the_user_campaign_hydrated_through_the_catalog(
    client: Any, stubber: Stubber, demo: Demo
) -> None:
    same_a, same_b = two_of_a_series(demo)
    other = demo.store.items_by_series["series-003"][0].asin
    stubber.add_response(
        "get_recommendations",
        {"itemList": items("B0ZZZZZZZZ", same_a, same_b, other), "recommendationId": "r-1"},
        {
            "campaignArn": ARN,
            "userId": "user-01",
            "numResults": 6,
            "context": {"CHANNEL": "chat"},
            "filterArn": FILTER_ARN,
        },
    )
    personalize = engine(client, demo, filter_arn=FILTER_ARN, context={"CHANNEL": "chat"})
    suggestions = await personalize.recommend(RecommendationRequest(user_id="user-01", k=3))
    # The unknown id is dropped, and the series shows once.
    assert [(s.asin, s.series_id) for s in suggestions] == [
        (same_a, "series-002"),
        (other, "series-003"),
    ]
    assert suggestions[0].score == 0.99
    assert {(s.reason_code, s.reason_en) for s in suggestions} == {
        ("personalized", "Recommended for you")
    }


async def test_a_guest_on_a_page_gets_similar_items(
    client: Any, stubber: Stubber, demo: Demo
) -> None:
    page = demo.store.items_by_series["series-001"][0]
    similar = demo.store.items_by_series["series-004"][0].asin
    stubber.add_response(
        "get_recommendations",
        {"itemList": items(page.asin, similar)},
        {"campaignArn": SIMILAR_ARN, "itemId": page.asin, "numResults": 4},
    )
    personalize = engine(client, demo, similar_items_campaign_arn=SIMILAR_ARN)
    suggestions = await personalize.recommend(RecommendationRequest(page_asin=page.asin, k=2))
    assert [s.asin for s in suggestions] == [similar]  # never the page itself
    series = demo.store.series_by_id["series-001"]
    assert suggestions[0].reason_code == "similar_item"
    assert suggestions[0].reason_en == f"Similar to {page.title_en}"
    assert series.title_ja in suggestions[0].reason_ja


async def test_a_guest_without_a_similar_items_campaign_gets_cold_start_items(
    client: Any, stubber: Stubber, demo: Demo
) -> None:
    asin = demo.store.items_by_series["series-005"][0].asin
    stubber.add_response(
        "get_recommendations",
        {"itemList": items(asin)},
        {"campaignArn": ARN, "userId": "guest", "numResults": 2},
    )
    suggestions = await engine(client, demo).recommend(RecommendationRequest(k=1))
    assert [(s.asin, s.reason_code) for s in suggestions] == [(asin, "popular_now")]


async def test_rank_orders_candidates_for_a_shopper(
    client: Any, stubber: Stubber, demo: Demo
) -> None:
    first, second = two_of_a_series(demo)
    stubber.add_response(
        "get_personalized_ranking",
        {"personalizedRanking": items(second, first)},
        {"campaignArn": RANKING_ARN, "userId": "user-02", "inputList": [first, second]},
    )
    personalize = engine(client, demo, ranking_campaign_arn=RANKING_ARN)
    ranked = await personalize.rank("user-02", [first, second])
    assert [s.asin for s in ranked] == [second, first]


async def test_rank_needs_its_campaign(client: Any, demo: Demo) -> None:
    with pytest.raises(ConfigurationError):
        await engine(client, demo).rank("user-02", ["B0ZZZZZZZZ"])


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ResourceNotFoundException", 404, NotFound),
        ("InvalidInputException", 400, ServiceRejected),
        ("ThrottlingException", 400, ServiceUnavailable),
        ("InternalFailure", 500, ServiceUnavailable),
    ],
)
async def test_personalize_errors_are_mapped(
    client: Any, stubber: Stubber, demo: Demo, code: str, status: int, kind: type[Exception]
) -> None:
    stubber.add_client_error("get_recommendations", code, "no", http_status_code=status)
    with pytest.raises(kind) as raised:
        await engine(client, demo).recommend(RecommendationRequest(user_id="user-01"))
    assert raised.value.__cause__ is not None


class Unreachable:
    def get_recommendations(self, **params: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://personalize-runtime.invalid")

    def close(self) -> None:
        pass


async def test_an_unreachable_endpoint_is_unavailable_and_degrades_to_trending(
    demo: Demo,
) -> None:
    personalize = PersonalizeRecommendations(Unreachable(), ARN, LocalCatalogService(demo.store))
    with pytest.raises(ServiceUnavailable):
        await personalize.recommend(RecommendationRequest(user_id="user-01"))
    resilient = ResilientRecommendations(personalize, TrendingCache.from_store(demo.store))
    result = await resilient.recommend_with_status(RecommendationRequest(user_id="user-01", k=3))
    assert result.degraded
    assert len(result.suggestions) == 3
    await personalize.aclose()


def test_a_campaign_is_required(demo: Demo) -> None:
    with pytest.raises(ConfigurationError):
        PersonalizeRecommendations(Unreachable(), "", LocalCatalogService(demo.store))


def test_the_client_fails_fast() -> None:
    client = personalize_client("ap-northeast-1", timeout_s=0.3, credentials=CREDENTIALS)
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.3, 0.3)
    assert config.retries["total_max_attempts"] == 1
    client.close()
