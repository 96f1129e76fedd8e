"""Catalog search over the synthetic store: titles, romaji, authors, genres, volumes.

Each series is one document holding its titles (Japanese, English, romaji),
author, publisher, genres and demographic. A query is cut into the same grams
(see :mod:`connectors.store.folding`) and a series scores the idf-weighted
share of the query's grams it holds, so a typo or a stray particle costs a
little instead of everything. A volume ("vol 3", "3巻", "第3巻") or a format
("kindle", "特装版") in the query turns series hits into the matching items.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from connectors.store.folding import Grams, grams
from connectors.store.loader import StoreData, load_store
from connectors.store.models import Item, ItemFormat, Series
from connectors.store.query import CatalogQuery, parse_query

# Whole-word grams only nudge the score: a typo should not cost a whole word.
WORD_WEIGHT = 0.25
# Hits must reach this score, and this share of the best hit's score.
MIN_SCORE = 0.3
MIN_SHARE_OF_BEST = 0.6
_FORMAT_ORDER: dict[ItemFormat, int] = {
    "paperback": 0,
    "kindle": 1,
    "special_edition": 2,
    "box_set": 3,
}


@dataclass(frozen=True, slots=True)
class CatalogHit:
    """A matching series, or one item of it when the query named a volume or format."""

    series: Series
    item: Item | None
    score: float
    why: str


@dataclass(frozen=True, slots=True)
class _Field:
    label: str
    text: str
    grams: frozenset[str]


class CatalogSearch:
    def __init__(self, store: StoreData) -> None:
        self._store = store
        self._series = tuple(store.series_by_id.values())
        self._fields = tuple(self._series_fields(series) for series in self._series)
        postings: dict[str, list[int]] = {}
        for position, fields in enumerate(self._fields):
            for gram in frozenset().union(*(field.grams for field in fields)):
                postings.setdefault(gram, []).append(position)
        self._postings = {gram: tuple(positions) for gram, positions in postings.items()}
        count = len(self._series)
        self._weights = {gram: _idf(count, len(p)) for gram, p in postings.items()}
        # A gram no series holds (often a typo) weighs as much as the rarest one.
        self._unseen_weight = _idf(count, 1)
        self._by_identifier = {item.asin: item for item in store.item_by_asin.values()}
        self._by_identifier.update(
            (item.isbn13, item) for item in store.item_by_asin.values() if item.isbn13
        )

    @classmethod
    def bundled(cls) -> CatalogSearch:
        """A search over :func:`load_store`, built once per process."""
        return _bundled_search()

    def search(self, query: str, k: int = 10) -> list[CatalogHit]:
        """The ``k`` best hits for ``query``, best first."""
        if k <= 0:
            return []
        identified = self._by_identifier.get(re.sub(r"[\s-]", "", query).upper())
        if identified is not None:
            series = self._store.series_by_id[identified.series_id]
            return [CatalogHit(series, identified, 1.0, "exact ASIN or ISBN")]
        parsed = parse_query(query)
        query_grams = grams(parsed.text)
        wanted = query_grams.pieces | query_grams.words
        ranked = self._rank_series(query_grams)
        if parsed.volume is not None or parsed.format is not None:
            items = list(self._item_hits(ranked, parsed, wanted, k))
            if items:
                return items
        return [
            CatalogHit(self._series[position], None, score, self._why(position, wanted, parsed))
            for position, score in ranked[:k]
        ]

    def _rank_series(self, query: Grams) -> list[tuple[int, float]]:
        weighted = [(gram, self._weights.get(gram, self._unseen_weight)) for gram in query.pieces]
        weighted += [
            (gram, WORD_WEIGHT * self._weights.get(gram, self._unseen_weight))
            for gram in query.words
        ]
        total = sum(weight for _, weight in weighted)
        if not total:
            return []
        scores: dict[int, float] = {}
        for gram, weight in weighted:
            for position in self._postings.get(gram, ()):
                scores[position] = scores.get(position, 0.0) + weight
        if not scores:
            return []
        floor = max(MIN_SCORE * total, MIN_SHARE_OF_BEST * max(scores.values()))
        ranked = [(pos, score / total) for pos, score in scores.items() if score >= floor]
        return sorted(ranked, key=lambda hit: (-hit[1], hit[0]))

    def _item_hits(
        self,
        ranked: list[tuple[int, float]],
        parsed: CatalogQuery,
        wanted: frozenset[str],
        k: int,
    ) -> Iterable[CatalogHit]:
        found = 0
        for position, score in ranked:
            series = self._series[position]
            for item in self._matching_items(series, parsed):
                why = self._why(position, wanted, parsed, item)
                yield CatalogHit(series, item, score, why)
                found += 1
                if found == k:
                    return

    def _matching_items(self, series: Series, parsed: CatalogQuery) -> list[Item]:
        items = [
            item
            for item in self._store.items_by_series[series.id]
            if (parsed.format is None or item.format == parsed.format)
            and (
                parsed.volume is None
                # "Vol. 3" means the volume itself; a box set only when asked for one.
                or (parsed.volume in item.volumes and (item.format != "box_set" or parsed.format))
            )
        ]
        return sorted(items, key=lambda item: (_FORMAT_ORDER[item.format], item.volumes[0]))

    def _why(
        self, position: int, wanted: frozenset[str], parsed: CatalogQuery, item: Item | None = None
    ) -> str:
        overlaps = sorted(
            ((len(field.grams & wanted), field) for field in self._fields[position]),
            key=lambda overlap: -overlap[0],
        )
        # The best field, and the next one if it matched nearly as much (author + genre).
        best = [field for count, field in overlaps[:2] if count and count >= overlaps[0][0] / 2]
        reasons = [f"{field.label}: {field.text}" for field in best]
        if item is not None and parsed.volume is not None:
            reasons.append(f"volume {parsed.volume}")
        if item is not None and parsed.format is not None:
            reasons.append(f"format {parsed.format}")
        return "; ".join(reasons)

    def _series_fields(self, series: Series) -> tuple[_Field, ...]:
        store = self._store
        author = store.authors[series.author_id]
        publisher = store.publishers[series.publisher_id]
        demographic = store.demographics[series.demographic]
        labelled = [
            ("title", series.title_ja),
            ("English title", series.title_en),
            ("romaji title", series.title_romaji),
            ("author", f"{author.name_ja} ({author.name_romaji})"),
            ("publisher", f"{publisher.name_ja} ({publisher.name_en})"),
            ("demographic", f"{demographic.name_ja} ({demographic.name_en})"),
        ]
        for genre_id in series.genres:
            genre = store.genres[genre_id]
            labelled.append(("genre", f"{genre.name_ja} ({genre.name_en})"))
        return tuple(
            _Field(label, text, frozenset().union(*grams(text))) for label, text in labelled
        )


def _idf(documents: int, containing: int) -> float:
    return math.log(1 + documents / containing)


@cache
def _bundled_search() -> CatalogSearch:
    return CatalogSearch(load_store())


def hit_to_dict(hit: CatalogHit, store: StoreData) -> dict[str, Any]:
    """A hit as JSON-able fields; a series hit has no asin, format or price."""
    author = store.authors[hit.series.author_id]
    titled: Series | Item = hit.item if hit.item is not None else hit.series
    return {
        "kind": "item" if hit.item is not None else "series",
        "series_id": hit.series.id,
        "asin": hit.item.asin if hit.item else None,
        "title_ja": titled.title_ja,
        "title_en": titled.title_en,
        "romaji": titled.title_romaji,
        "author": f"{author.name_ja} ({author.name_romaji})",
        "format": hit.item.format if hit.item else None,
        "price_jpy": hit.item.price_jpy if hit.item else None,
        "score": round(hit.score, 4),
        "why": hit.why,
    }


def search_catalog_main(query: str, k: int) -> list[dict[str, Any]]:
    """The ``k`` best catalog hits for ``query`` as JSON-able dicts, for the command line."""
    return [hit_to_dict(hit, load_store()) for hit in CatalogSearch.bundled().search(query, k)]
