"""Retrieval stage: ground a turn in the store's bundled FAQ."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Sequence
from functools import cache
from importlib.resources import files
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from agents.entities import first_entity
from agents.exceptions import StageError
from agents.references import REFERENCE
from agents.text import tokenize
from connectors.commerce import fallbacks
from connectors.commerce.context import Recommended
from connectors.commerce.exceptions import CommerceError
from connectors.knowledge.exceptions import KnowledgeBaseError
from schemas.events import ContextItem, Entity, GroundedTurn, Locale, UnderstoodTurn, derive_id

log = logging.getLogger(__name__)
T = TypeVar("T")
# Context that is no answer but a message about a service that is down.
NOTICE_SOURCE = "notice"
GROUNDED_INTENTS = frozenset(
    {
        "faq",
        "return_request",
        "order_tracking",
        "checkout_help",
        "promotion",
        "product_question",
    }
)
# Answered from the catalog when one is given; the FAQ is the fallback.
PRODUCT_INTENTS = frozenset({"product_question", "product_discovery", "recommendation"})
# A query token found in an entry's title or keywords counts fully, one found
# only in its body counts half: bodies mention many topics in passing.
BODY_WEIGHT = 0.5
# Below this share of the query's tokens a hit is usually a coincidence, like
# "pages" in a question about a book's page count meeting the missing-pages
# entry; the intent's template serves the shopper better than a wrong answer.
MIN_CONTEXT_SCORE = 0.4


class FaqEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_ja: str
    title_en: str
    text_ja: str
    text_en: str
    keywords_ja: tuple[str, ...]
    keywords_en: tuple[str, ...]


class FaqFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    synthetic: bool
    note: str
    entries: tuple[FaqEntry, ...]


# token -> (entry position, weight) for every entry whose fields hold the token.
_Postings = dict[str, tuple[tuple[int, float], ...]]


def _postings(entries: tuple[FaqEntry, ...], locale: Locale) -> _Postings:
    postings: dict[str, list[tuple[int, float]]] = {}
    for position, entry in enumerate(entries):
        title, text, keywords = _fields(entry, locale)
        heading = tokenize(" ".join((title, *keywords)))
        for token in heading | tokenize(text):
            weight = 1.0 if token in heading else BODY_WEIGHT
            postings.setdefault(token, []).append((position, weight))
    return {token: tuple(hits) for token, hits in postings.items()}


def _fields(entry: FaqEntry, locale: Locale) -> tuple[str, str, tuple[str, ...]]:
    if locale == "ja":
        return entry.title_ja, entry.text_ja, entry.keywords_ja
    return entry.title_en, entry.text_en, entry.keywords_en


_OTHER: dict[Locale, Locale] = {"ja": "en", "en": "ja"}


class FaqIndex:
    """The FAQ, with an inverted index per language built once, at load."""

    def __init__(self, entries: tuple[FaqEntry, ...]) -> None:
        self._entries = entries
        self._postings: dict[Locale, _Postings] = {
            locale: _postings(entries, locale) for locale in _OTHER
        }

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def from_json(cls, raw: str | bytes) -> FaqIndex:
        try:
            return cls(FaqFile.model_validate_json(raw).entries)
        except ValidationError as exc:
            raise StageError(f"the FAQ data is malformed: {exc}") from exc

    @classmethod
    def bundled(cls) -> FaqIndex:
        """The FAQ shipped in ``agents/data/faq.json``, loaded once per process."""
        return _bundled_index()

    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        """The ``k`` best entries for ``text``, best first, all with a score above 0.

        The score is the share of the query's tokens an entry holds. Matches
        against the entries' ``locale`` fields, and against the other
        language's when those find nothing. Title and text always come in
        ``locale``, the language the shopper will be answered in.
        """
        query = tokenize(text)
        if not query or k <= 0:
            return []
        for fields in (locale, _OTHER[locale]):
            postings = self._postings[fields]
            totals: dict[int, float] = {}
            for token in query:
                for position, weight in postings.get(token, ()):
                    totals[position] = totals.get(position, 0.0) + weight
            if totals:
                best = sorted(totals.items(), key=lambda hit: (-hit[1], hit[0]))[:k]
                return [self._item(pos, locale, total / len(query)) for pos, total in best]
        return []

    def _item(self, position: int, locale: Locale, score: float) -> ContextItem:
        entry = self._entries[position]
        title, text, _ = _fields(entry, locale)
        return ContextItem(
            source="faq", ref_id=entry.id, title=title, text=text, score=round(score, 4)
        )


@cache
def _bundled_index() -> FaqIndex:
    # "agents.data", not "agents": it still resolves where an editable install made
    # before agents/__init__.py existed maps "agents" to a namespace package.
    return FaqIndex.from_json(files("agents.data").joinpath("faq.json").read_bytes())


class Retriever(Protocol):
    """Anything that finds context for a question: the FAQ, the knowledge base, the catalog."""

    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]: ...


class CatalogSource(Protocol):
    """Catalog search, local (in-process) or through the catalog service."""

    def search(
        self, text: str, locale: Locale, k: int = 3
    ) -> list[ContextItem] | Awaitable[list[ContextItem]]: ...


class OrderSource(Protocol):
    """A signed-in shopper's orders, by id; None for an unknown id or someone else's order."""

    def find(
        self, order_id: str, user_id: str, locale: Locale
    ) -> ContextItem | Awaitable[ContextItem | None] | None: ...


class ProductLookup(Protocol):
    """Products by the ids a reference resolved to ("the second one" is an ASIN by now)."""

    def lookup(
        self, entities: Sequence[Entity], locale: Locale
    ) -> list[ContextItem] | Awaitable[list[ContextItem]]: ...


class RecommendationSource(Protocol):
    """Suggestions for a shopper or a guest session, as grounded lines that say why."""

    async def recommend(
        self, user_id: str | None, shown: Sequence[str], locale: Locale
    ) -> Recommended: ...


async def ground(
    turn: UnderstoodTurn,
    index: Retriever,
    catalog: CatalogSource | None = None,
    orders: OrderSource | None = None,
    products: ProductLookup | None = None,
    recommendations: RecommendationSource | None = None,
    shown: Sequence[str] = (),
) -> GroundedTurn:
    """The retrieval stage: attach the order, catalog items or help passages the turn needs.

    Orders are personal: they are looked up only for a signed-in shopper. A
    turn that refers back to shown products gets exactly those products.
    ``shown``: the products this session has seen, which guide recommendations.
    A service that is down leaves a notice as context (the seeds' degraded
    modes) and is named in ``degraded``.
    """
    context: tuple[ContextItem, ...] = ()
    degraded: list[str] = []
    order_id = first_entity(turn.entities, "order_id")
    refers_back = first_entity(turn.entities, REFERENCE) is not None
    try:
        if orders is not None and order_id and turn.user_id and turn.intent == "order_tracking":
            found = await _resolved(orders.find(order_id, turn.user_id, turn.locale))
            context = (found,) if found else ()
        elif products is not None and (refers_back or _names_a_product(turn)):
            context = tuple(await _resolved(products.lookup(turn.entities, turn.locale)))
            if not context and not refers_back and catalog is not None:
                context = tuple(await _resolved(catalog.search(turn.text, turn.locale)))
        elif recommendations is not None and turn.intent == "recommendation":
            recommended = await recommendations.recommend(turn.user_id, shown, turn.locale)
            context = recommended.items
            if recommended.degraded:
                degraded.append("recommendations")
                if not context:
                    context = (_unavailable_notice("recommendations", turn, None),)
        elif catalog is not None and turn.intent in PRODUCT_INTENTS:
            context = tuple(await _resolved(catalog.search(turn.text, turn.locale)))
    except CommerceError as exc:
        log.warning("%s unavailable for turn %s: %s", exc.service, turn.turn_id, exc)
        degraded.append(exc.service)
        context = (_unavailable_notice(exc.service, turn, order_id),)
    if not context and turn.intent in GROUNDED_INTENTS:
        try:
            hits = index.search(turn.text, turn.locale)
        except KnowledgeBaseError as exc:
            log.warning("knowledge base unavailable for turn %s: %s", turn.turn_id, exc)
            degraded.append("knowledge_base")
            hits = []
        context = tuple(item for item in hits if item.score >= MIN_CONTEXT_SCORE)
    return GroundedTurn(
        event_id=derive_id(turn.event_id, "retrieval"),
        session_id=turn.session_id,
        turn_id=turn.turn_id,
        user_id=turn.user_id,
        locale=turn.locale,
        text=turn.text,
        intent=turn.intent,
        confidence=turn.confidence,
        entities=turn.entities,
        context=context,
        received_ts=turn.received_ts,
        context_lost=turn.context_lost,
        degraded=tuple(degraded),
    )


def _names_a_product(turn: UnderstoodTurn) -> bool:
    # A title the entity extractor matched in the catalog is a surer lookup than a
    # text search, whose score a long Japanese question dilutes.
    named = {entity.kind for entity in turn.entities} & {"asin", "series"}
    return bool(named) and turn.intent in ("product_question", "product_discovery")


async def _resolved(value: T | Awaitable[T]) -> T:
    # Local sources answer at once; service-backed ones are awaited.
    if inspect.isawaitable(value):
        return await value
    return value


def _unavailable_notice(service: str, turn: UnderstoodTurn, order_id: str | None) -> ContextItem:
    """The degraded-mode reply for ``service``: a search link, the order-tracking page, ..."""
    if service == "orders":
        notice = fallbacks.orders_unavailable(order_id)
    elif service == "recommendations":
        notice = fallbacks.recommendations_unavailable(())
    else:
        notice = fallbacks.catalog_unavailable(turn.text[:100])
    return ContextItem(
        source=NOTICE_SOURCE,
        ref_id=service,
        title=service,
        text=notice.render(turn.locale),
        score=0.0,
    )
