"""Answers kept in Redis, so the same question over the same context is answered once.

The key is ``<prefix><sha256 of the normalised question>:<sha256 of the
context>:<sha256 of model and locale>``, where the question is NFKC-folded,
lowercased, with punctuation and whitespace folded (spaces next to Japanese
characters dropped), and the context hash covers each item's source, id and
text, in order. Two rules hold on both ``get`` and ``put``:

* a **personal** request (the shopper is signed in, or the context holds an
  order) is never looked up nor stored;
* an answer that states a **price** (¥, 円, yen or JPY next to an amount) is
  never stored, and one found in the cache is treated as a miss: prices change.

Redis failing is a miss (``get``) or a skipped write (``put``), never an error;
the first failure is logged as a warning, the next ones at debug level until
Redis answers again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

from connectors.redis_client import fail_fast_redis
from mangaassist.errors import ConfigurationError
from schemas.events import ContextItem, Locale

logger = logging.getLogger(__name__)

KEY_PREFIX = "mangaassist:llm:answer:"
ORDER_SOURCE = "orders"

_JAPANESE = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SEPARATORS_RE = re.compile(r"[\s\u3000]+")
_SPACE_BY_JAPANESE_RE = re.compile(f"(?<=[{_JAPANESE}]) | (?=[{_JAPANESE}])")
_KANJI_NUMBER = "〇一二三四五六七八九十百千万億"
# After NFKC and lowercasing: ￥ is ¥, ３ is 3.
_PRICE_RE = re.compile(
    rf"(?:¥|(?<![a-z])jpy)\s*[\d{_KANJI_NUMBER}]"
    rf"|[\d{_KANJI_NUMBER}][\d,.{_KANJI_NUMBER}]*\s*k?\s*(?:円|えん|(?:yen|jpy)(?![a-z]))"
)


class CacheableRequest(Protocol):
    """What the cache needs to know of a request (an ``AnswerRequest`` is one)."""

    @property
    def question(self) -> str: ...

    @property
    def locale(self) -> Locale: ...

    @property
    def context(self) -> Sequence[ContextItem]: ...

    @property
    def user_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    text: str
    sources: tuple[str, ...] = ()


def normalize_question(question: str) -> str:
    """NFKC, lowercase, punctuation and whitespace runs folded to one space, trimmed;
    no space is kept next to Japanese characters (「返品 方法」 is 「返品方法」)."""
    folded = unicodedata.normalize("NFKC", question).lower()
    spaced = "".join(" " if unicodedata.category(char).startswith("P") else char for char in folded)
    collapsed = _SEPARATORS_RE.sub(" ", spaced).strip()
    return _SPACE_BY_JAPANESE_RE.sub("", collapsed)


def contains_price(text: str) -> bool:
    """True when ``text`` states an amount of yen: "¥1,200", "1200 yen", 「千五百円」."""
    return _PRICE_RE.search(unicodedata.normalize("NFKC", text).lower()) is not None


def is_personal(request: CacheableRequest) -> bool:
    """A signed-in shopper's request, or one whose context holds an order."""
    return request.user_id is not None or any(
        item.source == ORDER_SOURCE for item in request.context
    )


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        encoded = part.encode()
        hasher.update(len(encoded).to_bytes(8, "big"))  # length-prefixed: no ambiguous joins
        hasher.update(encoded)
    return hasher.hexdigest()


def cache_key(
    question: str, context: Sequence[ContextItem], model: str, locale: Locale, prefix: str = ""
) -> str:
    question_hash = _digest(normalize_question(question))
    context_hash = _digest(*(f"{item.source}\x1f{item.ref_id}\x1f{item.text}" for item in context))
    return f"{prefix}{question_hash}:{context_hash}:{_digest(model, locale)}"


def cache_redis_client(url: str, timeout_s: float = 0.2) -> redis.Redis:
    """A client that fails fast: an answer never waits long on its cache."""
    return fail_fast_redis(url, timeout_s)


class AnswerCache:
    """Non-personal, price-free answers in Redis for ``ttl_s``."""

    def __init__(
        self,
        client: redis.Redis,
        ttl_s: int,
        *,
        key_prefix: str = KEY_PREFIX,
        owns_client: bool = False,
    ) -> None:
        if ttl_s < 1:
            raise ConfigurationError(f"ttl_s must be at least 1, not {ttl_s}")
        self._client = client
        self._ttl_s = ttl_s
        self._prefix = key_prefix
        self._owns_client = owns_client
        self._failing = False

    def key(self, request: CacheableRequest, model: str) -> str:
        return cache_key(request.question, request.context, model, request.locale, self._prefix)

    async def get(self, request: CacheableRequest, model: str) -> CachedAnswer | None:
        """The cached answer, or None: a miss, a personal request, a price, or Redis failing."""
        if is_personal(request):
            return None
        try:
            raw = await self._client.get(self.key(request, model))
        except (RedisError, OSError) as exc:
            self._failed("read", exc)
            return None
        self._recovered()
        if raw is None:
            return None
        try:
            value: Any = json.loads(raw)
            answer = CachedAnswer(str(value["text"]), tuple(str(s) for s in value["sources"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("unreadable entry in the answer cache; ignored")
            return None
        if contains_price(answer.text):
            return None
        return answer

    async def put(self, request: CacheableRequest, model: str, answer: CachedAnswer) -> bool:
        """Store ``answer`` unless personal or priced; True when it was stored."""
        if is_personal(request) or contains_price(answer.text):
            return False
        value = json.dumps({"text": answer.text, "sources": list(answer.sources)})
        try:
            await self._client.set(self.key(request, model), value, ex=self._ttl_s)
        except (RedisError, OSError) as exc:
            self._failed("write", exc)
            return False
        self._recovered()
        return True

    def _failed(self, operation: str, exc: BaseException) -> None:
        if self._failing:
            logger.debug("answer cache %s failed again: %s", operation, exc)
            return
        self._failing = True
        logger.warning(
            "answer cache unavailable (%s failed: %s); answering uncached", operation, exc
        )

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            logger.info("answer cache available again")

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
