"""Offline evaluation of the local recommender: leave-one-out on the demo histories.

Three protocols, each against a popularity baseline measured in the same run
on the same cases (best sellers the shopper does not own), and against chance
(``k`` out of the series a shopper could be shown):

* ``purchase_holdout``: for every shopper and every series they bought, drop
  all of that series from their history (and so from the co-occurrence and
  popularity counts), rebuild the engine, and ask for ``k`` suggestions for
  the shopper. A hit: the dropped series is among them.
* ``view_holdout``: the same for every series they browsed and did not buy.
* ``guest_session``: for every view after a shopper's third, a guest whose
  session browsed the three views before it; a hit: the view's series is
  suggested. The engine rebuilt without that shopper's history.

Run it with ``python -m connectors.commerce.evaluate``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.commerce.models import RecommendationRequest
from connectors.commerce.recommend import (
    ContentIndex,
    LocalRecommender,
    UserSignals,
    Weights,
    signals_from_store,
)
from connectors.store.loader import StoreData, load_store

SESSION_VIEWS = 3


@dataclass
class _Tally:
    cases: int = 0
    engine_hits: int = 0
    popular_hits: int = 0
    candidates: int = 0

    def add(self, target: str, engine: list[str], popular: list[str], candidates: int) -> None:
        self.cases += 1
        self.engine_hits += target in engine
        self.popular_hits += target in popular
        self.candidates += candidates

    def figures(self, k: int) -> dict[str, Any]:
        cases = self.cases or 1
        return {
            "cases": self.cases,
            "recommender_hit_rate": round(self.engine_hits / cases, 4),
            "popularity_hit_rate": round(self.popular_hits / cases, 4),
            # A uniformly random pick of k among the series the shopper could be shown.
            "chance_hit_rate": round(k * self.cases / self.candidates, 4) if self.candidates else 0,
            "recommender_hits": self.engine_hits,
            "popularity_hits": self.popular_hits,
        }


def _holdout(
    store: StoreData,
    signals: Mapping[str, UserSignals],
    content: ContentIndex,
    weights: Weights,
    k: int,
    kind: str,
) -> _Tally:
    tally = _Tally()
    for user_id, user in signals.items():
        bought = user.owned
        targets = bought if kind == "bought" else user.series - bought
        for target in sorted(targets):
            train = dict(signals)
            train[user_id] = user.without(target)
            engine = LocalRecommender(store, signals=train, content=content, weights=weights)
            suggested = engine.suggest(RecommendationRequest(user_id=user_id, k=k))
            owned = train[user_id].owned
            popular = engine.popular(k, exclude=owned)
            tally.add(
                target,
                [s.series_id for s in suggested],
                [s.series_id for s in popular],
                len(store.series_by_id) - len(owned),
            )
    return tally


def _guest_sessions(
    store: StoreData,
    signals: Mapping[str, UserSignals],
    content: ContentIndex,
    weights: Weights,
    k: int,
) -> _Tally:
    tally = _Tally()
    for user_id, user in store.users_by_id.items():
        train = {other: held for other, held in signals.items() if other != user_id}
        engine = LocalRecommender(store, signals=train, content=content, weights=weights)
        views = [view.asin for view in user.browsing_history if view.asin in store.item_by_asin]
        for position in range(SESSION_VIEWS, len(views)):
            session = tuple(views[position - SESSION_VIEWS : position])
            target = store.item_by_asin[views[position]].series_id
            seen = {store.item_by_asin[asin].series_id for asin in session}
            if target in seen:
                continue  # a guest re-opening what they are browsing is no test
            suggested = engine.suggest(RecommendationRequest(session_viewed=session, k=k))
            popular = engine.popular(k, exclude=seen)
            tally.add(
                target,
                [s.series_id for s in suggested],
                [s.series_id for s in popular],
                len(store.series_by_id) - len(seen),
            )
    return tally


def evaluate_recommender(
    store: StoreData | None = None, *, k: int = 10, weights: Weights | None = None
) -> dict[str, Any]:
    """Hit rate@k of the engine and of the popularity baseline under each protocol."""
    store = store or load_store()
    weights = weights or Weights()
    signals = signals_from_store(store)
    content = ContentIndex(store)
    return {
        "k": k,
        "shoppers": len(signals),
        "series": len(store.series_by_id),
        "purchase_holdout": _holdout(store, signals, content, weights, k, "bought").figures(k),
        "view_holdout": _holdout(store, signals, content, weights, k, "viewed").figures(k),
        "guest_session": _guest_sessions(store, signals, content, weights, k).figures(k),
    }


def main() -> None:
    print(json.dumps(evaluate_recommender(), indent=2))


if __name__ == "__main__":
    main()
