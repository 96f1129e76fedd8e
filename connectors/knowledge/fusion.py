"""Reciprocal rank fusion: combine rankings by position, whatever their score scales."""

from __future__ import annotations

from collections.abc import Sequence

# The usual constant (Cormack et al., 2009): damps the head so one ranking cannot dominate.
RRF_K = 60


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Each item's fused score in [0, 1]: 1 when it is first in every ranking."""
    if not rankings:
        return {}
    ceiling = len(rankings) / (k + 1)
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank) / ceiling
    return fused
