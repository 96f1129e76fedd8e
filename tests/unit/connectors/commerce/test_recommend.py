"""The local recommender, the trending cache and the fallback around any engine."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from connectors.commerce import (
    RecommendationRequest,
    ResilientRecommendations,
    ServiceUnavailable,
    Suggestion,
    TrendingCache,
)
from connectors.commerce.recommend import (
    CoOccurrence,
    Event,
    LocalRecommender,
    UserSignals,
    signals_from_store,
)
from tests.unit.connectors.commerce.helpers import Demo, FakeClock


@pytest.fixture(scope="module")
def engine(demo: Demo) -> LocalRecommender:
    return LocalRecommender(demo.store)


def owned_series(demo: Demo, user_id: str) -> set[str]:
    return set(signals_from_store(demo.store)[user_id].owned)


def test_no_shopper_is_offered_a_series_they_own(engine: LocalRecommender, demo: Demo) -> None:
    for user_id in demo.store.users_by_id:
        suggestions = engine.suggest(RecommendationRequest(user_id=user_id, k=10))
        assert len(suggestions) == 10
        assert not owned_series(demo, user_id) & {s.series_id for s in suggestions}


def test_returned_and_cancelled_items_are_not_owned(demo: Demo) -> None:
    signals = signals_from_store(demo.store)
    returned = demo.order("returned")
    asin = returned.lines[0].asin
    series_id = demo.store.item_by_asin[asin].series_id
    kept = [
        o
        for o in demo.store.orders_by_user[returned.user_id]
        if o.status not in ("cancelled", "returned", "refunded")
        and any(demo.store.item_by_asin[ln.asin].series_id == series_id for ln in o.lines)
    ]
    assert (series_id in signals[returned.user_id].owned) is bool(kept)


def test_a_shoppers_own_history_does_not_vouch_for_itself() -> None:
    t = Demo().now
    one = UserSignals((Event("A", t, "bought"), Event("B", t, "bought")))
    two = UserSignals((Event("A", t, "bought"), Event("C", t, "bought")))
    together = CoOccurrence({"one": one, "two": two})
    assert set(together.similar("A", own=one.series)) == {"C"}
    assert set(together.similar("A")) == {"B", "C"}


def test_co_purchases_say_because_you_bought(demo: Demo) -> None:
    store = demo.store
    bought = store.series_by_id["series-001"]
    # A series sharing no genre and no author with it: only co-purchases can bring it up.
    other = next(
        s
        for s in store.series_by_id.values()
        if not set(s.genres) & set(bought.genres) and s.author_id != bought.author_id
    )
    t = demo.now - timedelta(days=3)
    signals = {
        "me": UserSignals((Event(bought.id, t, "bought"),)),
        **{
            f"other-{n}": UserSignals((Event(bought.id, t, "bought"), Event(other.id, t, "bought")))
            for n in range(5)
        },
    }
    engine = LocalRecommender(store, signals=signals)
    first = engine.suggest(RecommendationRequest(user_id="me", k=3))[0]
    assert first.series_id == other.id
    assert first.reason_code == "bought_together"
    assert first.reason_en == f"Because you bought {bought.title_en}"
    assert first.reason_ja == f"『{bought.title_ja}』を購入されたため"


def test_guests_get_content_reasons_only(engine: LocalRecommender, demo: Demo) -> None:
    for user in list(demo.store.users_by_id.values())[:6]:
        session = tuple(view.asin for view in user.browsing_history[-3:])
        suggestions = engine.suggest(RecommendationRequest(session_viewed=session, k=10))
        assert {s.reason_code for s in suggestions} <= {
            "same_author",
            "similar_genre",
            "popular_now",
        }


def test_the_same_author_is_named(engine: LocalRecommender, demo: Demo) -> None:
    store = demo.store
    prolific = max(
        store.authors,
        key=lambda author: sum(s.author_id == author for s in store.series_by_id.values()),
    )
    series = next(s for s in store.series_by_id.values() if s.author_id == prolific)
    page = store.items_by_series[series.id][0].asin
    suggestions = engine.suggest(RecommendationRequest(page_asin=page, k=10))
    by_author = [s for s in suggestions if s.reason_code == "same_author"]
    assert by_author
    assert all(store.series_by_id[s.series_id].author_id == prolific for s in by_author)
    assert store.authors[prolific].name_romaji in by_author[0].reason_en


def test_kindle_readers_are_offered_kindle_editions(demo: Demo) -> None:
    t = demo.now - timedelta(days=3)
    signals = dict(signals_from_store(demo.store))
    signals["reader"] = UserSignals((Event("series-001", t, "bought"),), (), prefers_kindle=True)
    engine = LocalRecommender(demo.store, signals=signals)
    suggestions = engine.suggest(RecommendationRequest(user_id="reader", k=10))
    formats = [demo.store.item_by_asin[s.asin].format for s in suggestions]
    assert formats.count("kindle") >= 8
    assert all(demo.store.item_by_asin[s.asin].volumes == (1,) for s in suggestions)


def test_few_candidates_are_padded_with_popular_ones(engine: LocalRecommender) -> None:
    suggestions = engine.suggest(RecommendationRequest(page_asin="B0ZZZZZZZZ", k=50))
    assert len(suggestions) == 50
    assert {s.reason_code for s in suggestions} == {"popular_now"}
    assert len({s.series_id for s in suggestions}) == 50


def test_popular_is_led_by_recent_sales(engine: LocalRecommender, demo: Demo) -> None:
    top = engine.popular_series()[0]
    sold = {
        demo.store.item_by_asin[line.asin].series_id
        for order in demo.store.order_by_id.values()
        if order.status not in ("cancelled", "returned", "refunded")
        for line in order.lines
    }
    assert top in sold


# --- trending cache and fallback -------------------------------------------


def popular(*asins: str) -> list[Suggestion]:
    return [
        Suggestion(
            asin=asin,
            series_id=f"series-{asin}",
            score=1.0,
            reason_code="similar_genre",
            reason_ja="x",
            reason_en="x",
        )
        for asin in asins
    ]


def test_the_cache_serves_the_last_list_until_it_expires_then_the_baseline() -> None:
    clock = FakeClock()
    cache = TrendingCache(popular("B0BASE0001", "B0BASE0002"), ttl_s=60, clock=clock)
    assert [s.asin for s in cache.trending(5)] == ["B0BASE0001", "B0BASE0002"]
    cache.remember(popular("B0LAST0001", "B0LAST0002", "B0LAST0003"))
    assert cache.fresh
    assert [s.asin for s in cache.trending(2)] == ["B0LAST0001", "B0LAST0002"]
    # Short of k, the last list is topped up from the baseline.
    assert [s.asin for s in cache.trending(5, exclude_asins=["B0LAST0002"])] == [
        "B0LAST0001",
        "B0LAST0003",
        "B0BASE0001",
        "B0BASE0002",
    ]
    clock.advance(61)
    assert not cache.fresh
    assert [s.asin for s in cache.trending(5)] == ["B0BASE0001", "B0BASE0002"]


def test_the_cache_labels_everything_popular_now() -> None:
    cache = TrendingCache(popular("B0BASE0001"))
    assert [(s.reason_code, s.reason_en) for s in cache.trending(1)] == [
        ("popular_now", "Popular now")
    ]


def test_a_store_cache_starts_from_order_counts(demo: Demo) -> None:
    cache = TrendingCache.from_store(demo.store, size=5)
    assert [s.series_id for s in cache.trending(5)] == LocalRecommender(
        demo.store
    ).popular_series()[:5]


class Broken:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.calls = 0

    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        self.calls += 1
        raise self.exc


class Slow:
    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        await asyncio.sleep(5)
        return []


@pytest.mark.parametrize("exc", [ServiceUnavailable("down"), KeyError("bug")])
async def test_a_failing_engine_degrades_to_trending(exc: Exception) -> None:
    cache = TrendingCache(popular("B0BASE0001", "B0BASE0002", "B0BASE0003"))
    resilient = ResilientRecommendations(Broken(exc), cache)
    result = await resilient.recommend_with_status(
        RecommendationRequest(user_id="user-01", page_asin="B0BASE0002", k=2)
    )
    assert result.degraded
    assert result.error == type(exc).__name__
    assert [s.asin for s in result.suggestions] == ["B0BASE0001", "B0BASE0003"]
    assert {s.reason_code for s in result.suggestions} == {"popular_now"}
    listed = await resilient.recommend(RecommendationRequest(k=1))
    assert [s.asin for s in listed] == ["B0BASE0001"]


async def test_a_slow_engine_is_cut_off() -> None:
    resilient = ResilientRecommendations(
        Slow(), TrendingCache(popular("B0BASE0001")), timeout_s=0.05
    )
    started = asyncio.get_running_loop().time()
    result = await resilient.recommend_with_status(RecommendationRequest(k=3))
    assert asyncio.get_running_loop().time() - started < 1
    assert (result.degraded, result.error) == (True, "TimeoutError")


async def test_a_working_engine_is_not_degraded_and_refreshes_trending(
    engine: LocalRecommender,
) -> None:
    cache = TrendingCache()
    resilient = ResilientRecommendations(engine, cache)
    result = await resilient.recommend_with_status(RecommendationRequest(user_id="user-01", k=4))
    assert not result.degraded
    assert len(result.suggestions) == 4
    assert not cache.fresh  # a shopper's own list is not the popular one
    await resilient.recommend_with_status(RecommendationRequest(k=4))
    assert cache.fresh
    assert [s.asin for s in cache.trending(4)] == [s.asin for s in engine.popular(4)]


async def test_refresh_trending_reports_failure_and_keeps_the_old_list() -> None:
    cache = TrendingCache(popular("B0BASE0001"))
    assert not await ResilientRecommendations(
        Broken(ServiceUnavailable("x")), cache
    ).refresh_trending()
    assert [s.asin for s in cache.trending(3)] == ["B0BASE0001"]
