"""The local recommendation engine over the demo store, and the trending fallback.

Everything is scored at series level; each suggestion is then the series' entry
item (volume 1, in the shopper's usual format, in stock if possible).

* **Signed-in shoppers**: their history seeds the scores. Series that appear
  together in shoppers' histories (bought or browsed; a co-occurrence cosine
  over every demo shopper) score as "because you bought/viewed X"; content
  similarity (shared genres, same author, same demographic) as "similar genre
  to X" / "same author as X"; favourite genres and popularity add a little.
  Series they already own are never suggested.
* **Guests**: the product page and what this session browsed seed content
  similarity only.
* Too few candidates: padded with "popular now".

:class:`ResilientRecommendations` wraps any engine: when it raises (or takes
too long) the shopper gets the trending list from a :class:`TrendingCache`,
and the result is marked ``degraded``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from connectors.commerce.base import RecommendationService
from connectors.commerce.local import Clock, demo_clock
from connectors.commerce.models import (
    ReasonCode,
    RecommendationRequest,
    RecommendationResult,
    Suggestion,
)
from connectors.store.loader import StoreData
from connectors.store.models import Item, OrderStatus

logger = logging.getLogger(__name__)

KEPT_STATUSES: frozenset[OrderStatus] = frozenset(
    {"pending", "paid", "shipped", "out_for_delivery", "delivered"}
)
POPULARITY_HALF_LIFE_DAYS = 90.0
POPULAR_NOW = ("今人気の作品", "Popular now")


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts; a seed's contribution is its weight times the similarity."""

    co_occurrence: float = 1.0
    content: float = 0.5
    favorite_genre: float = 0.3
    popularity: float = 0.15
    bought_seed: float = 1.0
    viewed_seed: float = 0.5
    session_seed: float = 0.8
    page_seed: float = 1.0
    # The n-th newest seed (from 0) counts 1 / (1 + rank_decay * n).
    rank_decay: float = 0.15


@dataclass(frozen=True, slots=True)
class Event:
    series_id: str
    at: datetime
    kind: Literal["bought", "viewed"]
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class UserSignals:
    """What the engine knows of one shopper: kept purchases and views, oldest first."""

    events: tuple[Event, ...]
    favorite_genres: tuple[str, ...] = ()
    prefers_kindle: bool = False

    @property
    def owned(self) -> frozenset[str]:
        return frozenset(event.series_id for event in self.events if event.kind == "bought")

    @property
    def series(self) -> frozenset[str]:
        return frozenset(event.series_id for event in self.events)

    def without(self, series_id: str) -> UserSignals:
        """These signals with every event of ``series_id`` left out."""
        kept = tuple(event for event in self.events if event.series_id != series_id)
        return UserSignals(kept, self.favorite_genres, self.prefers_kindle)


def signals_from_store(store: StoreData) -> dict[str, UserSignals]:
    """Every demo shopper's kept purchases (not cancelled, returned or refunded) and views."""
    signals: dict[str, UserSignals] = {}
    for user in store.users_by_id.values():
        events: list[Event] = []
        formats: Counter[bool] = Counter()
        for order in store.orders_by_user.get(user.id, ()):
            if order.status not in KEPT_STATUSES:
                continue
            for line in order.lines:
                item = store.item_by_asin.get(line.asin)
                if item is not None:
                    events.append(Event(item.series_id, order.placed_at, "bought", line.quantity))
                    formats[item.format == "kindle"] += line.quantity
        for view in user.browsing_history:
            item = store.item_by_asin.get(view.asin)
            if item is not None:
                events.append(Event(item.series_id, view.viewed_at, "viewed"))
        events.sort(key=lambda event: event.at)
        signals[user.id] = UserSignals(
            tuple(events), user.favorite_genres, formats[True] > formats[False]
        )
    return signals


@dataclass(frozen=True, slots=True)
class _Similar:
    score: float
    same_author: bool
    shared_genre: str | None


class ContentIndex:
    """Content similarity between series: shared genres, same author, same demographic."""

    GENRES = 0.6
    AUTHOR = 0.25
    DEMOGRAPHIC = 0.15

    def __init__(self, store: StoreData) -> None:
        self._store = store
        self._series = tuple(store.series_by_id)
        self._cache: dict[str, dict[str, _Similar]] = {}

    def neighbours(self, series_id: str) -> dict[str, _Similar]:
        """Every other series sharing a genre or the author with ``series_id``."""
        cached = self._cache.get(series_id)
        if cached is not None:
            return cached
        series = self._store.series_by_id[series_id]
        genres = set(series.genres)
        found: dict[str, _Similar] = {}
        for other_id in self._series:
            if other_id == series_id:
                continue
            other = self._store.series_by_id[other_id]
            shared = genres.intersection(other.genres)
            same_author = other.author_id == series.author_id
            if not shared and not same_author:
                continue
            jaccard = len(shared) / len(genres.union(other.genres))
            score = (
                self.GENRES * jaccard
                + self.AUTHOR * same_author
                + self.DEMOGRAPHIC * (other.demographic == series.demographic)
            )
            first_shared = next((g for g in other.genres if g in shared), None)
            found[other_id] = _Similar(score, same_author, first_shared)
        self._cache[series_id] = found
        return found


class CoOccurrence:
    """How often two series appear together in shoppers' histories (bought or browsed).

    The similarity is a shrunk cosine, ``|A ∩ B| / (sqrt(|A| |B|) + shrink)``,
    where ``|A|`` counts the shoppers with series A. Asked for one shopper, it
    leaves that shopper out of every count: their own history must not vouch
    for itself ("because you bought X" means other shoppers bought both).
    """

    def __init__(self, signals: Mapping[str, UserSignals], shrink: float = 3.0) -> None:
        self._shrink = shrink
        self._shoppers: Counter[str] = Counter()
        together: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for user in signals.values():
            seen = sorted(user.series)
            self._shoppers.update(seen)
            for position, first in enumerate(seen):
                for second in seen[position + 1 :]:
                    together[first][second] += 1
                    together[second][first] += 1
        self._together = dict(together)

    def similar(self, series_id: str, own: frozenset[str] = frozenset()) -> dict[str, float]:
        """Series seen with ``series_id``, leaving out the shopper whose series are ``own``."""
        mine = series_id in own
        found: dict[str, float] = {}
        for other, count in self._together.get(series_id, {}).items():
            both = mine and other in own
            others = count - both
            if others <= 0:
                continue
            with_first = self._shoppers[series_id] - mine
            with_second = self._shoppers[other] - (other in own)
            found[other] = others / (math.sqrt(with_first * with_second) + self._shrink)
        return found


def popularity(
    store: StoreData, signals: Mapping[str, UserSignals], now: datetime
) -> dict[str, float]:
    """Each series' recent sales (copies, halved every 90 days), normalised to at most 1.

    Series nobody bought rank by their catalog review counts, well below any sale.
    """
    sales: Counter[str] = Counter()
    for user in signals.values():
        for event in user.events:
            if event.kind == "bought":
                age_days = max(0.0, (now - event.at).total_seconds() / 86_400)
                sales[event.series_id] += event.quantity * 0.5 ** (
                    age_days / POPULARITY_HALF_LIFE_DAYS
                )
    reviews = {
        series_id: sum(item.review_count for item in items)
        for series_id, items in store.items_by_series.items()
    }
    most_reviews = max(reviews.values(), default=0) or 1
    raw = {
        series_id: sales[series_id] + 0.01 * reviews.get(series_id, 0) / most_reviews
        for series_id in store.series_by_id
    }
    top = max(raw.values(), default=0.0) or 1.0
    return {series_id: value / top for series_id, value in raw.items()}


@dataclass(slots=True)
class _Score:
    """A candidate's total, and the single contribution that weighed most: its reason."""

    total: float = 0.0
    best: float = -1.0
    code: ReasonCode = "popular_now"
    seed: str = ""
    genre: str = ""

    def add(self, value: float, code: ReasonCode, seed: str = "", genre: str = "") -> None:
        if value <= 0:
            return
        self.total += value
        if value > self.best:
            self.best, self.code, self.seed, self.genre = value, code, seed, genre


@dataclass(frozen=True, slots=True)
class _Seed:
    series_id: str
    weight: float
    kind: Literal["bought", "viewed"]


class LocalRecommender:
    """The engine over the demo data (see the module's docstring); implements the protocol."""

    def __init__(
        self,
        store: StoreData,
        *,
        signals: Mapping[str, UserSignals] | None = None,
        content: ContentIndex | None = None,
        clock: Clock | None = None,
        weights: Weights | None = None,
    ) -> None:
        self._store = store
        self._signals = signals if signals is not None else signals_from_store(store)
        self._content = content or ContentIndex(store)
        self._weights = weights or Weights()
        self._co_occurrence = CoOccurrence(self._signals)
        now = (clock or demo_clock(store))()
        self._popularity = popularity(store, self._signals, now)
        self._popular_order = sorted(
            store.series_by_id, key=lambda series_id: (-self._popularity[series_id], series_id)
        )

    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        return self.suggest(request)

    def suggest(self, request: RecommendationRequest) -> list[Suggestion]:
        user = self._signals.get(request.user_id) if request.user_id is not None else None
        context = self._context_seeds(request)
        excluded = {seed.series_id for seed in context}
        if user is not None:
            excluded |= user.owned
            seeds = self._merge(context + self._history_seeds(user))
        else:
            seeds = self._merge(context)
        scores = self._score(seeds, user, excluded)
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1].total, pair[0]))
        chosen = [
            self._suggestion(series_id, score, user) for series_id, score in ranked[: request.k]
        ]
        if len(chosen) < request.k:
            taken = excluded | {suggestion.series_id for suggestion in chosen}
            chosen += self.popular(request.k - len(chosen), exclude=taken, user=user)
        return chosen

    def popular(
        self,
        k: int,
        *,
        exclude: Iterable[str] = (),
        user: UserSignals | None = None,
    ) -> list[Suggestion]:
        """The ``k`` best-selling series lately, as "popular now" suggestions."""
        skipped = set(exclude)
        found: list[Suggestion] = []
        for series_id in self._popular_order:
            if len(found) == k:
                break
            if series_id in skipped:
                continue
            score = self._weights.popularity * self._popularity[series_id]
            item = self._entry_item(series_id, user is not None and user.prefers_kindle)
            if item is not None:
                found.append(_suggestion(item, score, "popular_now", *POPULAR_NOW))
        return found

    def popular_series(self) -> list[str]:
        return list(self._popular_order)

    def _history_seeds(self, user: UserSignals) -> list[_Seed]:
        weights = self._weights
        return [
            _Seed(
                event.series_id,
                weights.bought_seed if event.kind == "bought" else weights.viewed_seed,
                event.kind,
            )
            for event in reversed(user.events)
        ]

    def _context_seeds(self, request: RecommendationRequest) -> list[_Seed]:
        weights = self._weights
        seeds: list[_Seed] = []
        if request.page_asin is not None:
            item = self._store.item_by_asin.get(request.page_asin)
            if item is not None:
                seeds.append(_Seed(item.series_id, weights.page_seed, "viewed"))
        for asin in reversed(request.session_viewed):
            item = self._store.item_by_asin.get(asin)
            if item is not None:
                seeds.append(_Seed(item.series_id, weights.session_seed, "viewed"))
        return seeds

    def _merge(self, seeds: Sequence[_Seed]) -> list[_Seed]:
        """One seed per series, newest first: its strongest weight, decayed by its rank."""
        strongest: dict[str, _Seed] = {}  # keeps each series where it first appeared
        for seed in seeds:
            held = strongest.get(seed.series_id)
            if held is None or seed.weight > held.weight:
                strongest[seed.series_id] = seed
        decay = self._weights.rank_decay
        return [
            _Seed(seed.series_id, seed.weight / (1 + decay * rank), seed.kind)
            for rank, seed in enumerate(strongest.values())
        ]

    def _score(
        self, seeds: Sequence[_Seed], user: UserSignals | None, excluded: set[str]
    ) -> dict[str, _Score]:
        weights = self._weights
        scores: defaultdict[str, _Score] = defaultdict(_Score)
        for seed in seeds:
            if user is not None:
                together: ReasonCode = (
                    "bought_together" if seed.kind == "bought" else "viewed_together"
                )
                similar_series = self._co_occurrence.similar(seed.series_id, user.series)
                for other, cosine in similar_series.items():
                    value = seed.weight * weights.co_occurrence * cosine
                    scores[other].add(value, together, seed.series_id)
            for other, similar in self._content.neighbours(seed.series_id).items():
                code: ReasonCode = "same_author" if similar.same_author else "similar_genre"
                value = seed.weight * weights.content * similar.score
                scores[other].add(value, code, seed.series_id, similar.shared_genre or "")
        if user is not None and user.favorite_genres:
            favorites = set(user.favorite_genres)
            for series_id, series in self._store.series_by_id.items():
                shared = [genre for genre in series.genres if genre in favorites]
                if shared:
                    share = len(shared) / len(series.genres)
                    value = weights.favorite_genre * share
                    scores[series_id].add(value, "favorite_genre", genre=shared[0])
        for series_id in list(scores):
            if series_id in excluded:
                del scores[series_id]
            else:
                scores[series_id].add(
                    weights.popularity * self._popularity[series_id], "popular_now"
                )
        return scores

    def _suggestion(self, series_id: str, score: _Score, user: UserSignals | None) -> Suggestion:
        item = self._entry_item(series_id, user is not None and user.prefers_kindle)
        if item is None:  # a series always has items in the demo data
            raise LookupError(f"series {series_id} has no items")
        ja, en = self._reason_text(score)
        return _suggestion(item, score.total, score.code, ja, en)

    def _reason_text(self, score: _Score) -> tuple[str, str]:
        store = self._store
        code = score.code
        if code == "favorite_genre":
            genre = store.genres[score.genre]
            return (
                f"お好きなジャンル（{genre.name_ja}）の作品",
                f"In your favourite genre: {genre.name_en}",
            )
        if code not in ("bought_together", "viewed_together", "same_author", "similar_genre"):
            return POPULAR_NOW
        seed = store.series_by_id[score.seed]
        if code == "bought_together":
            return f"『{seed.title_ja}』を購入されたため", f"Because you bought {seed.title_en}"
        if code == "viewed_together":
            return f"『{seed.title_ja}』をご覧になったため", f"Because you viewed {seed.title_en}"
        if code == "same_author":
            author = store.authors[seed.author_id]
            return (
                f"『{seed.title_ja}』と同じ作者（{author.name_ja}）の作品",
                f"By the same author as {seed.title_en} ({author.name_romaji})",
            )
        genre = store.genres[score.genre]
        return (
            f"『{seed.title_ja}』と同じジャンル（{genre.name_ja}）",
            f"Similar genre to {seed.title_en} ({genre.name_en})",
        )

    def _entry_item(self, series_id: str, prefers_kindle: bool) -> Item | None:
        """Volume 1 in the preferred format if it can be bought now, else another format."""
        items = self._store.items_by_series.get(series_id, ())
        firsts = [item for item in items if item.volumes == (1,)]
        formats = ("kindle", "paperback") if prefers_kindle else ("paperback", "kindle")
        for wanted in formats:
            for item in firsts:
                if item.format == wanted and item.availability != "out_of_stock":
                    return item
        return firsts[0] if firsts else (items[0] if items else None)


def _suggestion(item: Item, score: float, code: ReasonCode, ja: str, en: str) -> Suggestion:
    return Suggestion(
        asin=item.asin,
        series_id=item.series_id,
        score=round(score, 4),
        reason_code=code,
        reason_ja=ja,
        reason_en=en,
    )


class TrendingCache:
    """The trending list for when recommendations fail.

    ``baseline`` (computed once, e.g. from order counts at start) never
    expires; a list handed to :meth:`remember` (the last successful popular
    list) is served instead for ``ttl_s``.
    """

    def __init__(
        self,
        baseline: Sequence[Suggestion] = (),
        *,
        ttl_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._baseline = tuple(_as_popular(baseline))
        self._ttl_s = ttl_s
        self._clock = clock
        self._latest: tuple[Suggestion, ...] = ()
        self._expires_at = 0.0

    @classmethod
    def from_store(
        cls,
        store: StoreData,
        *,
        size: int = 20,
        ttl_s: float = 600.0,
        store_clock: Clock | None = None,
    ) -> TrendingCache:
        """A cache whose baseline is the store's best sellers (order counts at ``store_clock``)."""
        return cls(LocalRecommender(store, clock=store_clock).popular(size), ttl_s=ttl_s)

    @property
    def fresh(self) -> bool:
        return bool(self._latest) and self._clock() < self._expires_at

    def remember(self, suggestions: Sequence[Suggestion]) -> None:
        if suggestions:
            self._latest = tuple(_as_popular(suggestions))
            self._expires_at = self._clock() + self._ttl_s

    def trending(self, k: int, *, exclude_asins: Iterable[str] = ()) -> list[Suggestion]:
        """At most ``k`` trending suggestions, leaving out the items in ``exclude_asins``.

        The last list while it is fresh, topped up from the baseline when it is short.
        """
        skipped = set(exclude_asins)
        series: set[str] = set()
        found: list[Suggestion] = []
        for suggestion in (*(self._latest if self.fresh else ()), *self._baseline):
            if len(found) == k:
                break
            if suggestion.asin in skipped or suggestion.series_id in series:
                continue
            series.add(suggestion.series_id)
            found.append(suggestion)
        return found


def _as_popular(suggestions: Iterable[Suggestion]) -> Iterable[Suggestion]:
    ja, en = POPULAR_NOW
    for suggestion in suggestions:
        yield suggestion.model_copy(
            update={"reason_code": "popular_now", "reason_ja": ja, "reason_en": en}
        )


def is_popular_request(request: RecommendationRequest) -> bool:
    """A guest with no context: what any engine answers with its popular list."""
    return request.user_id is None and not request.session_viewed and request.page_asin is None


class ResilientRecommendations:
    """Any engine, with the trending list when it raises or exceeds ``timeout_s``."""

    def __init__(
        self,
        engine: RecommendationService,
        trending: TrendingCache,
        *,
        timeout_s: float | None = None,
        trending_size: int = 20,
    ) -> None:
        self._engine = engine
        self._trending = trending
        self._timeout_s = timeout_s
        self._trending_size = trending_size

    @property
    def engine(self) -> RecommendationService:
        return self._engine

    @property
    def trending_cache(self) -> TrendingCache:
        return self._trending

    async def recommend(self, request: RecommendationRequest) -> list[Suggestion]:
        return list((await self.recommend_with_status(request)).suggestions)

    async def recommend_with_status(self, request: RecommendationRequest) -> RecommendationResult:
        try:
            async with asyncio.timeout(self._timeout_s):
                suggestions = await self._engine.recommend(request)
        except Exception as exc:  # any failure of a non-essential engine: degrade, never fail
            logger.warning("recommendations degraded to trending: %r", exc)
            looked_at = [*request.session_viewed, request.page_asin or ""]
            trending = self._trending.trending(request.k, exclude_asins=looked_at)
            return RecommendationResult(
                suggestions=tuple(trending), degraded=True, error=type(exc).__name__
            )
        if is_popular_request(request):
            self._trending.remember(suggestions)
        return RecommendationResult(suggestions=tuple(suggestions[: request.k]))

    async def refresh_trending(self) -> bool:
        """Ask the engine for its popular list and cache it; False when it failed."""
        try:
            async with asyncio.timeout(self._timeout_s):
                popular = await self._engine.recommend(RecommendationRequest(k=self._trending_size))
        except Exception as exc:  # same reasoning as above
            logger.warning("could not refresh the trending list: %r", exc)
            return False
        self._trending.remember(popular)
        return bool(popular)
