"""AnswerCache on the real Redis (127.0.0.1:6379, or MANGAASSIST_TEST_REDIS_URL)."""

from __future__ import annotations

import json
import logging

import pytest
import redis.asyncio as redis

from connectors.kafka import free_loopback_port
from connectors.llm import (
    AnswerCache,
    AnswerRequest,
    CachedAnswer,
    LlmDone,
    LlmGateway,
    LlmSettings,
    LocalGroundedClient,
    TextDelta,
    generate_answer,
)
from connectors.llm.cache import cache_redis_client
from connectors.llm.settings import LOCAL_MODEL
from schemas.events import ContextItem
from tests.unit.connectors.llm.helpers import ScriptedClient

FAQ = ContextItem(
    source="faq",
    ref_id="returns",
    title="Returns",
    text="Unopened items can be returned within 30 days of delivery.",
    score=0.9,
)
ORDER = ContextItem(source="orders", ref_id="250-1", title="250-1", text="Shipped.", score=1.0)
ANSWER = CachedAnswer("Unopened items can be returned within 30 days. [1]", ("returns",))
PUBLIC = AnswerRequest("Can I return a book?", "en", "faq", (FAQ,))


@pytest.fixture
def cache(redis_client: redis.Redis, key_prefix: str) -> AnswerCache:
    return AnswerCache(redis_client, 600, key_prefix=key_prefix)


async def keys(client: redis.Redis, prefix: str) -> list[bytes]:
    return [key async for key in client.scan_iter(match=f"{prefix}*")]


async def test_put_then_get_with_a_ttl(
    cache: AnswerCache, redis_client: redis.Redis, key_prefix: str
) -> None:
    assert await cache.get(PUBLIC, "m") is None
    assert await cache.put(PUBLIC, "m", ANSWER)
    assert await cache.get(PUBLIC, "m") == ANSWER
    (key,) = await keys(redis_client, key_prefix)
    assert key.decode() == cache.key(PUBLIC, "m")
    assert 590 <= await redis_client.ttl(key) <= 600


async def test_the_same_question_in_another_form_hits(cache: AnswerCache) -> None:
    await cache.put(PUBLIC, "m", ANSWER)
    again = AnswerRequest("  can I RETURN a book ", "en", "faq", (FAQ,))
    assert await cache.get(again, "m") == ANSWER


async def test_other_context_model_or_locale_miss(cache: AnswerCache) -> None:
    await cache.put(PUBLIC, "m", ANSWER)
    changed = FAQ.model_copy(update={"text": "Items can be returned within 14 days."})
    assert await cache.get(AnswerRequest(PUBLIC.question, "en", "faq", (changed,)), "m") is None
    assert await cache.get(PUBLIC, "other-model") is None
    assert await cache.get(AnswerRequest(PUBLIC.question, "ja", "faq", (FAQ,)), "m") is None


@pytest.mark.parametrize(
    "personal",
    [
        AnswerRequest("Can I return a book?", "en", "faq", (FAQ,), user_id="u-1"),
        AnswerRequest("Can I return a book?", "en", "faq", (FAQ, ORDER)),
    ],
)
async def test_personal_requests_are_never_stored_nor_served(
    cache: AnswerCache,
    redis_client: redis.Redis,
    key_prefix: str,
    personal: AnswerRequest,
) -> None:
    assert not await cache.put(personal, "m", ANSWER)
    assert await keys(redis_client, key_prefix) == []
    # Even an entry planted under its key is not served.
    await redis_client.set(cache.key(personal, "m"), json.dumps({"text": "x", "sources": []}))
    assert await cache.get(personal, "m") is None


@pytest.mark.parametrize("text", ["Frieren 1 is ¥594. [1]", "フリーレン1巻は594円です。[1]"])
async def test_answers_with_prices_are_never_stored_nor_served(
    cache: AnswerCache, redis_client: redis.Redis, key_prefix: str, text: str
) -> None:
    assert not await cache.put(PUBLIC, "m", CachedAnswer(text))
    assert await keys(redis_client, key_prefix) == []
    await redis_client.set(cache.key(PUBLIC, "m"), json.dumps({"text": text, "sources": []}))
    assert await cache.get(PUBLIC, "m") is None


async def test_an_unreadable_entry_is_a_miss(
    cache: AnswerCache, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    await redis_client.set(cache.key(PUBLIC, "m"), b"{broken")
    with caplog.at_level(logging.WARNING, logger="connectors.llm.cache"):
        assert await cache.get(PUBLIC, "m") is None
    assert "unreadable" in caplog.text


async def test_redis_down_is_a_miss_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    client = cache_redis_client(f"redis://127.0.0.1:{free_loopback_port()}/0", timeout_s=0.2)
    down = AnswerCache(client, 600, owns_client=True)
    with caplog.at_level(logging.DEBUG, logger="connectors.llm.cache"):
        for _ in range(3):
            assert await down.get(PUBLIC, "m") is None
            assert not await down.put(PUBLIC, "m", ANSWER)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "answering uncached" in warnings[0].getMessage()
    await down.aclose()


async def test_an_answer_is_generated_once_then_served_from_the_cache(
    redis_client: redis.Redis, key_prefix: str
) -> None:
    class Counting(LocalGroundedClient):
        calls = 0

        def stream(self, request):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return super().stream(request)

    cache = AnswerCache(redis_client, 600, key_prefix=key_prefix)
    gateway = LlmGateway(Counting(), LlmSettings(), cache=cache)
    first = generate_answer(gateway, PUBLIC)
    text = "".join([piece async for piece in first])
    assert (first.cached, Counting.calls) == (False, 1)
    second = generate_answer(gateway, AnswerRequest("can i return a book", "en", "faq", (FAQ,)))
    assert [piece async for piece in second] == [text]
    assert (second.cached, second.sources, Counting.calls) == (True, ("returns",), 1)
    assert second.usage is not None
    assert (second.usage.model, second.usage.output_tokens, second.usage.cost_usd) == (
        LOCAL_MODEL,
        0,
        0.0,
    )
    signed_in = AnswerRequest(PUBLIC.question, "en", "faq", (FAQ,), user_id="u-1")
    third = generate_answer(gateway, signed_in)
    assert "".join([piece async for piece in third]) == text
    assert (third.cached, Counting.calls) == (False, 2)


async def test_truncated_answers_are_not_cached(redis_client: redis.Redis, key_prefix: str) -> None:
    client = ScriptedClient([TextDelta("Half"), LlmDone(1, 1, "max_tokens")])
    cache = AnswerCache(redis_client, 600, key_prefix=key_prefix)
    gateway = LlmGateway(client, LlmSettings(), cache=cache)
    answer = generate_answer(gateway, PUBLIC)
    assert [piece async for piece in answer] == ["Half"]
    assert answer.stop_reason == "max_tokens"
    assert await keys(redis_client, key_prefix) == []
