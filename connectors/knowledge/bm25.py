"""Okapi BM25 over a fixed collection, with every posting's weight precomputed.

Scoring a query is then one addition per posting of its terms into a flat
list, which keeps 10,000 passages inside a few milliseconds in plain Python.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence

K1 = 1.2
B = 0.75

# A term's postings: the positions holding it and, in step, its weight in each.
_Postings = tuple[tuple[int, ...], tuple[float, ...]]


class Bm25Index:
    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self._size = len(documents)
        average_length = sum(map(len, documents)) / self._size if self._size else 0.0
        frequencies: dict[str, list[tuple[int, int]]] = {}
        for position, terms in enumerate(documents):
            for term, tf in Counter(terms).items():
                frequencies.setdefault(term, []).append((position, tf))
        self._postings: dict[str, _Postings] = {}
        for term, hits in frequencies.items():
            idf = math.log(1.0 + (self._size - len(hits) + 0.5) / (len(hits) + 0.5))
            norms = (
                k1 * (1 - b + b * len(documents[position]) / average_length) for position, _ in hits
            )
            weights = tuple(
                idf * tf * (k1 + 1) / (tf + norm) for (_, tf), norm in zip(hits, norms, strict=True)
            )
            self._postings[term] = (tuple(position for position, _ in hits), weights)

    def scores(self, query: Iterable[str]) -> dict[int, float]:
        """Positions of the documents holding any query term, with their BM25 scores."""
        totals, matched = self._accumulate(query)
        return {position: totals[position] for position in sorted(matched)}

    def ranking(self, query: Iterable[str], depth: int) -> list[int]:
        """The ``depth`` best positions for ``query``, best first (ties: lower position)."""
        totals, matched = self._accumulate(query)
        return heapq.nlargest(depth, sorted(matched), key=totals.__getitem__)

    def _accumulate(self, query: Iterable[str]) -> tuple[list[float], set[int]]:
        totals = [0.0] * self._size
        matched: set[int] = set()
        for term in set(query):
            postings = self._postings.get(term)
            if postings is not None:
                positions, weights = postings
                matched.update(positions)
                for position, weight in zip(positions, weights, strict=True):
                    totals[position] += weight
        return totals, matched
