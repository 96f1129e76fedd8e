"""The guard's vocabulary: directions, categories, findings and verdicts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from connectors.store.ids import ASIN_PATTERN, ORDER_ID_PATTERN

Direction = Literal["input", "output"]
Category = Literal[
    "pii", "prompt_injection", "toxicity", "competitor", "grounding", "length", "format"
]
FindingAction = Literal["mask", "block", "correct"]
VerdictAction = Literal["allow", "mask", "block"]

CATEGORIES: tuple[Category, ...] = get_args(Category)
_ASIN_RE = re.compile(ASIN_PATTERN.strip("^$"))
_ORDER_RE = re.compile(ORDER_ID_PATTERN.strip("^$"))
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)


@dataclass(frozen=True)
class Finding:
    """What one stage found and did. ``detail`` never quotes the offending text."""

    category: Category
    action: FindingAction
    detail: str


@dataclass(frozen=True)
class Verdict:
    """The guard's answer for one text.

    ``text`` is what may be shown or passed on: the input itself ("allow"), the
    input with personal data masked and replies corrected ("mask"), or a
    bilingual replacement message ("block").
    """

    action: VerdictAction
    categories: tuple[Category, ...]
    text: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class GroundingContext:
    """The products and orders a turn is about; a reply's facts are checked against them."""

    asins: tuple[str, ...] = ()
    series_ids: tuple[str, ...] = ()
    order_ids: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.asins or self.series_ids or self.order_ids)

    @classmethod
    def from_refs(cls, refs: Iterable[str]) -> GroundingContext:
        """The context of a turn's source ids (``ContextItem.ref_id``, ``FinalReply.sources``).

        ASINs ("B0…"), series ids ("series-…") and order ids ("250-…-…") are
        sorted into their fields; FAQ and knowledge-base ids are left out.
        """
        asins: list[str] = []
        series: list[str] = []
        orders: list[str] = []
        for ref in refs:
            if _ASIN_RE.fullmatch(ref):
                asins.append(ref)
            elif ref.startswith("series-"):
                series.append(ref)
            elif _ORDER_RE.fullmatch(ref):
                orders.append(ref)
        return cls(tuple(asins), tuple(series), tuple(orders))


@dataclass(frozen=True)
class SafePiece:
    """A piece of a streamed reply that may be released now.

    ``replaced`` is true when the piece stands in for text that failed a check
    (a removal notice or the fallback reply); ``categories`` says why.
    """

    text: str
    replaced: bool
    categories: tuple[Category, ...] = ()


def sorted_categories(categories: Iterable[Category]) -> tuple[Category, ...]:
    """``categories`` once each, in the order of :data:`CATEGORIES`."""
    found = set(categories)
    return tuple(category for category in CATEGORIES if category in found)


def verdict_action(findings: tuple[Finding, ...]) -> VerdictAction:
    if any(finding.action == "block" for finding in findings):
        return "block"
    return "mask" if findings else "allow"
