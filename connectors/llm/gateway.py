"""The one door to the language model: timeouts, retries, a circuit breaker, routing, costs.

Each attempt must produce its first text within ``first_token_timeout_s`` and
finish within ``total_timeout_s`` (both from the attempt's start). A retryable
failure (:class:`LlmUnavailable`: connection, 5xx, throttling, timeout) is
retried up to ``max_retries`` times with exponential backoff and full jitter,
``random() * min(backoff_max_s, backoff_base_s * 2 ** (retry - 1))``, but only
while no text has been passed on: text already streamed is never repeated, so
a failure after the first delta is raised to the caller. :class:`LlmRejected`
is never retried. Every attempt goes through the :class:`CircuitBreaker`, and
no retry is made once a failure has opened it.
"""

from __future__ import annotations

import asyncio
import logging
import random as random_module
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

from connectors.llm.base import LlmClient
from connectors.llm.breaker import CircuitBreaker
from connectors.llm.cache import AnswerCache
from connectors.llm.costs import usage_cost
from connectors.llm.exceptions import LlmRejected, LlmUnavailable
from connectors.llm.models import LlmDone, LlmEvent, LlmRequest, TextDelta, Usage
from connectors.llm.routing import Complexity, ModelChoice, choose_model
from connectors.llm.settings import LlmSettings

logger = logging.getLogger(__name__)


class _Timeout(LlmUnavailable):
    """An attempt ran out of time."""


async def _close(events: AsyncIterator[LlmEvent]) -> None:
    aclose: Callable[[], Awaitable[Any]] | None = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


async def _next_event(events: AsyncIterator[LlmEvent], deadline: float, what: str) -> LlmEvent:
    try:
        async with asyncio.timeout_at(deadline):
            return await anext(events)
    except TimeoutError as exc:
        raise _Timeout(f"LLM timed out waiting for {what}") from exc
    except StopAsyncIteration as exc:
        raise LlmUnavailable("LLM stream ended without its final event") from exc


class LlmGateway:
    """Wraps the ``primary`` client; is itself an :class:`~connectors.llm.base.LlmClient`.

    ``cache`` (an :class:`~connectors.llm.cache.AnswerCache` or None) is held
    for :func:`~connectors.llm.answer.generate_answer`; ``stream`` never uses it.
    ``sleep``, ``random`` and ``clock`` are injectable for tests.
    """

    def __init__(
        self,
        primary: LlmClient,
        settings: LlmSettings,
        *,
        cache: AnswerCache | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random_module.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.settings = settings
        self.cache = cache
        self.breaker = CircuitBreaker(
            settings.breaker_failure_threshold, settings.breaker_cooldown_s, clock=clock
        )
        self._sleep = sleep
        self._random = random

    def choose_model(self, intent: str, complexity: Complexity) -> ModelChoice:
        return choose_model(intent, complexity, self.settings)

    def usage(self, model: str, input_tokens: int, output_tokens: int) -> Usage:
        return usage_cost(self.settings.prices, model, input_tokens, output_tokens)

    def backoff_s(self, retry: int) -> float:
        """The pause before retry number ``retry`` (1 for the first)."""
        settings = self.settings
        cap = min(settings.backoff_max_s, settings.backoff_base_s * 2.0 ** (retry - 1))
        return self._random() * cap

    async def stream(self, request: LlmRequest) -> AsyncGenerator[LlmEvent, None]:
        retry = 0
        while True:
            trial = self.breaker.acquire()
            outcome = streamed = False
            delay = 0.0
            events: AsyncIterator[LlmEvent] | None = None
            try:
                events = self.primary.stream(request)
                async with aclosing(self._attempt(events)) as attempt:
                    async for event in attempt:
                        if isinstance(event, LlmDone):
                            self.breaker.record_success(trial)
                            outcome = True
                            yield event
                            return
                        streamed = True
                        yield event
            except LlmUnavailable as exc:
                self.breaker.record_failure(trial)
                outcome = True
                if streamed or retry >= self.settings.max_retries or self.breaker.state == "open":
                    raise
                retry += 1
                delay = self.backoff_s(retry)
                logger.info("LLM attempt failed (%s); retry %d in %.2f s", exc, retry, delay)
            except LlmRejected:
                self.breaker.record_success(trial)  # the provider answered: it is up
                outcome = True
                raise
            finally:
                if events is not None:
                    await _close(events)
                if not outcome:
                    self.breaker.abandon(trial)
            await self._sleep(delay)

    async def _attempt(self, events: AsyncIterator[LlmEvent]) -> AsyncGenerator[LlmEvent, None]:
        """The attempt's events under its timeouts; empty deltas dropped."""
        settings = self.settings
        loop = asyncio.get_running_loop()
        started = loop.time()
        end = started + settings.total_timeout_s
        first = started + settings.first_token_timeout_s
        got_text = False
        while True:
            if got_text:
                event = await _next_event(events, end, "the end of the answer")
            else:
                event = await _next_event(events, min(first, end), "the first token")
            if isinstance(event, TextDelta):
                if not event.text:
                    continue
                got_text = True
            yield event
            if isinstance(event, LlmDone):
                return

    async def aclose(self) -> None:
        """Close the primary client and the cache."""
        await self.primary.aclose()
        if self.cache is not None:
            await self.cache.aclose()
