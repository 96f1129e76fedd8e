"""Recommendations from Amazon Personalize (production), mapped to :class:`Suggestion`.

Personalize's item ids are ASINs. It answers ids and scores only, so each
answer is hydrated through the :class:`CatalogService` (series, titles):
items the catalog does not know are dropped, and a series shows once.

* A signed-in shopper: ``GetRecommendations`` on the user-personalization
  campaign (``userId``, ``numResults``, ``context``, the optional filter, e.g.
  one excluding purchased items).
* A guest on a product page, or who browsed this session, with a
  similar-items campaign configured: ``GetRecommendations`` with ``itemId``.
* Any other guest: the user campaign for an unseen user id, which Personalize
  answers with its cold-start (popular) items, labelled "popular now".

:meth:`PersonalizeRecommendations.rank` re-orders given candidates for a
shopper with ``GetPersonalizedRanking`` (a personalized-ranking campaign).

boto3 is synchronous, so calls run in a worker thread. There is no local
server for Personalize (moto does not implement personalize-runtime), so the
tests stub the client with botocore's ``Stubber``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws import aws_client
from connectors.commerce.base import CatalogService
from connectors.commerce.exceptions import (
    CommerceError,
    NotFound,
    ServiceRejected,
    ServiceUnavailable,
)
from connectors.commerce.models import (
    MAX_ASINS,
    Product,
    ReasonCode,
    RecommendationRequest,
    Suggestion,
)
from connectors.commerce.recommend import POPULAR_NOW
from mangaassist.errors import ConfigurationError

SERVICE = "recommendations"
GUEST_USER_ID = "guest"
FOR_YOU = ("あなたへのおすすめ", "Recommended for you")
_TRANSIENT_CODES = frozenset(
    {"ThrottlingException", "ServiceUnavailableException", "InternalServerException"}
)


def personalize_client(
    region: str,
    *,
    endpoint_url: str | None = None,
    timeout_s: float = 0.5,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """A ``personalize-runtime`` client that fails fast: one attempt, ``timeout_s`` timeouts."""
    return aws_client(
        "personalize-runtime",
        region,
        endpoint_url=endpoint_url,
        timeout_s=timeout_s,
        attempts=1,
        credentials=credentials,
    )


def _wrapped(exc: ClientError | BotoCoreError, operation: str) -> CommerceError:
    if isinstance(exc, BotoCoreError):
        return ServiceUnavailable(f"Personalize {operation} failed: {exc}", service=SERVICE)
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) or None
    message = f"Personalize {operation} answered {code}: {error.get('Message', '')}"
    if code == "ResourceNotFoundException":
        return NotFound(message, service=SERVICE, status=status, code=code)
    if code in _TRANSIENT_CODES or status is None or status >= 500 or status in (408, 429):
        return ServiceUnavailable(message, service=SERVICE, status=status, code=code)
    return ServiceRejected(message, service=SERVICE, status=status, code=code)


class PersonalizeRecommendations:
    """A :class:`RecommendationService` over Personalize campaigns (see the module's docstring)."""

    def __init__(
        self,
        client: Any,
        campaign_arn: str,
        catalog: CatalogService,
        *,
        similar_items_campaign_arn: str | None = None,
        ranking_campaign_arn: str | None = None,
        filter_arn: str | None = None,
        context: Mapping[str, str] | None = None,
    ) -> None:
        """``context``: contextual metadata sent with each shopper's request (e.g. a channel)."""
        if not campaign_arn:
            raise ConfigurationError("the Personalize campaign ARN is not set")
        self._client = client
        self._campaign_arn = campaign_arn
        self._catalog = catalog
        self._similar_arn = similar_items_campaign_arn
        self._ranking_arn = ranking_campaign_arn
        self._filter_arn = filter_arn
        self._context = dict(context or {})

    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        looked_at = [*request.session_viewed, *([request.page_asin] if request.page_asin else [])]
        # Over-fetch: the catalog may not know some ids, and a series shows once.
        params: dict[str, Any] = {"numResults": min(2 * request.k, MAX_ASINS)}
        anchor = looked_at[-1] if looked_at else None
        if request.user_id is not None:
            params |= {"campaignArn": self._campaign_arn, "userId": request.user_id}
            if self._context:
                params["context"] = dict(self._context)
            if self._filter_arn:
                params["filterArn"] = self._filter_arn
            code: ReasonCode = "personalized"
        elif anchor is not None and self._similar_arn:
            params |= {"campaignArn": self._similar_arn, "itemId": anchor}
            code = "similar_item"
        else:
            params |= {"campaignArn": self._campaign_arn, "userId": GUEST_USER_ID}
            code = "popular_now"
        response = await self._call("get_recommendations", params)
        ranked = [
            (str(entry["itemId"]), float(entry.get("score", 0.0)))
            for entry in response.get("itemList", [])
            if entry.get("itemId") not in looked_at
        ]
        anchor_title = None
        if code == "similar_item" and anchor is not None:
            anchor_title = (await self._catalog.get_products([anchor])).get(anchor)
        return (await self._hydrate(ranked, code, anchor_title))[: request.k]

    async def rank(self, user_id: str, asins: Sequence[str]) -> list[Suggestion]:
        """``asins`` in the order Personalize predicts ``user_id`` prefers them."""
        if not self._ranking_arn:
            raise ConfigurationError("the Personalize ranking campaign ARN is not set")
        if not asins:
            return []
        params: dict[str, Any] = {
            "campaignArn": self._ranking_arn,
            "userId": user_id,
            "inputList": list(asins),
        }
        if self._context:
            params["context"] = dict(self._context)
        response = await self._call("get_personalized_ranking", params)
        ranked = [
            (str(entry["itemId"]), float(entry.get("score", 0.0)))
            for entry in response.get("personalizedRanking", [])
        ]
        return await self._hydrate(ranked, "personalized", None, one_per_series=False)

    async def aclose(self) -> None:
        await asyncio.to_thread(self._client.close)

    async def _call(self, operation: str, params: dict[str, Any]) -> Any:
        try:
            return await asyncio.to_thread(getattr(self._client, operation), **params)
        except (ClientError, BotoCoreError) as exc:
            raise _wrapped(exc, operation) from exc

    async def _hydrate(
        self,
        ranked: Sequence[tuple[str, float]],
        code: ReasonCode,
        anchor: Product | None,
        *,
        one_per_series: bool = True,
    ) -> list[Suggestion]:
        if not ranked:
            return []
        products = await self._catalog.get_products([asin for asin, _ in ranked][:MAX_ASINS])
        if code == "similar_item" and anchor is not None:
            ja, en = f"『{anchor.title_ja}』に似た作品", f"Similar to {anchor.title_en}"
        elif code == "popular_now":
            ja, en = POPULAR_NOW
        else:
            ja, en = FOR_YOU
        seen: set[str] = set()
        found: list[Suggestion] = []
        for asin, score in ranked:
            product = products.get(asin)
            if product is None or (one_per_series and product.series_id in seen):
                continue
            seen.add(product.series_id)
            found.append(
                Suggestion(
                    asin=asin,
                    series_id=product.series_id,
                    score=round(score, 6),
                    reason_code=code,
                    reason_ja=ja,
                    reason_en=en,
                )
            )
        return found
