"""Origins that count their calls, a fake clock, products to cache, and a turn that reads them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from faust.types import AgentT

from connectors.cache import Offer, ProductDetails, Recommendations, StoreOrigin
from connectors.store.models import Promotion, Series
from schemas import AvroCodec, ChatTurn, FinalReply, GroundedTurn
from streams.testing import RecordingSender, walk_turn
from streams.topics import GROUNDED

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# Names one volume: the lookup answers with its paperback and Kindle editions.
VOLUME_QUESTION = "How much is Hero of the Twilight Capital volume 3?"


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def details(asin: str, title: str = "秘密の勇者 1巻") -> ProductDetails:
    return ProductDetails(
        asin=asin,
        series_id="series-001",
        format="paperback",
        volumes=(1,),
        isbn13=None,
        title_ja=title,
        title_en="The Secret Hero, Vol. 1",
        title_romaji="Himitsu no Yūsha, Vol. 1",
        release_date=date(2025, 10, 3),
        page_count=208,
        rating=4.5,
        review_count=12,
        review_ja=None,
        review_en=None,
    )


class CountingLoader:
    """An origin loader over a dict: records each batch it was asked, can block or fail.

    It reads its values when called, so a blocked load answers what was current then.
    """

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values = dict(values or {})
        self.calls: list[list[str]] = []
        self.gate: asyncio.Event | None = None
        self.error: Exception | None = None

    async def __call__(self, keys: Sequence[str]) -> dict[str, str]:
        self.calls.append(list(keys))
        answer = {key: self.values[key] for key in keys if key in self.values}  # read at the call
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return answer


class FakeCatalog:
    """A catalog origin whose prices can change between calls; counts every call."""

    def __init__(self, asins: Sequence[str]) -> None:
        self.details = {asin: details(asin) for asin in asins}
        self.prices = dict.fromkeys(asins, 700)
        self.stock: dict[str, int | None] = dict.fromkeys(asins, 5)
        self.detail_calls: list[list[str]] = []
        self.offer_calls: list[list[str]] = []
        self.series_calls: list[list[str]] = []

    async def product_details(self, asins: Sequence[str]) -> dict[str, ProductDetails]:
        self.detail_calls.append(list(asins))
        return {asin: self.details[asin] for asin in asins if asin in self.details}

    async def series(self, series_ids: Sequence[str]) -> dict[str, Series]:
        self.series_calls.append(list(series_ids))
        return {}

    async def offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        self.offer_calls.append(list(asins))
        return {
            asin: Offer(
                asin=asin,
                price_jpy=self.prices[asin],
                availability="in_stock" if self.stock[asin] else "out_of_stock",
                stock=self.stock[asin],
            )
            for asin in asins
            if asin in self.prices
        }


class ChangingStore(StoreOrigin):
    """The demo store as the catalog origin, with titles and prices a test changes; counts
    the detail loads."""

    def __init__(self) -> None:
        super().__init__()
        self.titles_en: dict[str, str] = {}
        self.prices: dict[str, int] = {}
        self.detail_calls: list[list[str]] = []

    async def product_details(self, asins: Sequence[str]) -> dict[str, ProductDetails]:
        self.detail_calls.append(list(asins))
        found = await super().product_details(asins)
        return {
            asin: found[asin].model_copy(update={"title_en": self.titles_en[asin]})
            if asin in self.titles_en
            else found[asin]
            for asin in found
        }

    async def offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        offers = await super().offers(asins)
        return {
            asin: offer.model_copy(update={"price_jpy": self.prices.get(asin, offer.price_jpy)})
            for asin, offer in offers.items()
        }


class FakeRecommender:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def recommendations(self, keys: Sequence[str]) -> dict[str, Recommendations]:
        self.calls.append(list(keys))
        return {
            key: Recommendations(key=key, asins=("B0AAAAAAA1",), generated_at=T0) for key in keys
        }


class FakePromotions:
    def __init__(self, promotions: Sequence[Promotion]) -> None:
        self.promotions = list(promotions)
        self.calls: list[tuple[datetime, datetime]] = []

    async def promotions_between(self, start: datetime, end: datetime) -> list[Promotion]:
        self.calls.append((start, end))
        return [p for p in self.promotions if p.starts_at < end and start < p.ends_at]


def promotion(promotion_id: str, starts_at: datetime, ends_at: datetime) -> Promotion:
    return Promotion(
        id=promotion_id,
        kind="sale",
        title_ja="セール",
        title_en="Sale",
        description_ja="セールです。",
        description_en="A sale.",
        starts_at=starts_at,
        ends_at=ends_at,
        coupon_code=None,
        discount_percent=10,
        points_multiplier=None,
        min_order_jpy=0,
        series_ids=(),
        genres=(),
    )


async def ask_about_the_volume(
    agents: Mapping[str, AgentT], sender: RecordingSender, codec: AvroCodec, session_id: str
) -> tuple[GroundedTurn, FinalReply]:
    """:data:`VOLUME_QUESTION` through the pipeline: its grounded turn and its final reply."""
    turn = ChatTurn(session_id=session_id, turn_id="t1", text=VOLUME_QUESTION, locale="en")
    final = await walk_turn(agents, sender, codec, turn)
    [grounded] = sender.on(GROUNDED)
    assert isinstance(grounded, GroundedTurn)
    return grounded, final
