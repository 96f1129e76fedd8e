"""One grounded answer from a turn: route, build the prompt, use the cache, stream, cost.

The generation stage calls::

    answer = generate_answer(gateway, AnswerRequest.from_turn(turn, memory_turns))
    async for text in answer:  # pieces of the answer as they stream
        ...
    answer.usage, answer.sources, answer.text, answer.cached, answer.stop_reason

``generate_answer`` raises nothing itself; iterating raises
:class:`~connectors.llm.exceptions.LlmError` when no answer can be had (before
any text for :class:`LlmCircuitOpen`, :class:`LlmRejected` and exhausted
retries; after some text when the stream breaks mid-way).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass

from connectors.llm.cache import CachedAnswer
from connectors.llm.gateway import LlmGateway
from connectors.llm.models import END_TURN, LlmDone, TextDelta, Usage
from connectors.llm.prompt import PastTurn, build_prompt, cited_refs, read_prompt
from connectors.llm.routing import assess_complexity
from schemas.events import ContextItem, GroundedTurn, Locale


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    """What an answer is made from; ``user_id`` set makes it personal (never cached)."""

    question: str
    locale: Locale
    intent: str = "faq"
    context: tuple[ContextItem, ...] = ()
    memory: tuple[PastTurn, ...] = ()
    user_id: str | None = None

    @classmethod
    def from_turn(cls, turn: GroundedTurn, memory: Sequence[PastTurn] = ()) -> AnswerRequest:
        """The request for a grounded turn; ``memory``: earlier turns, oldest first."""
        return cls(
            question=turn.text,
            locale=turn.locale,
            intent=turn.intent,
            context=turn.context,
            memory=tuple(memory),
            user_id=turn.user_id,
        )


class AnswerStream:
    """The answer's text pieces as an async iterator; its outcome once iteration has ended.

    ``choice`` and ``prompt`` are known from the start. After the last piece:
    ``text`` (all pieces joined), ``usage`` (tokens and cost; zero tokens and
    cost for a cache hit), ``sources`` (``ref_id`` of each context block the
    answer cites as ``[n]``), ``stop_reason`` and ``cached``. Call ``aclose``
    when stopping before the end.
    """

    def __init__(self, gateway: LlmGateway, request: AnswerRequest) -> None:
        settings = gateway.settings
        self.request = request
        self.choice = gateway.choose_model(
            request.intent, assess_complexity(request.question, request.context)
        )
        self.prompt = build_prompt(
            request.question,
            request.locale,
            request.memory,
            request.context,
            settings.prompt_budget_tokens,
            model=self.choice.model,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
        )
        self.text = ""
        self.usage: Usage | None = None
        self.sources: tuple[str, ...] = ()
        self.stop_reason: str | None = None
        self.cached = False
        self._gateway = gateway
        self._pieces = self._run()

    def __aiter__(self) -> AnswerStream:
        return self

    async def __anext__(self) -> str:
        return await anext(self._pieces)

    async def aclose(self) -> None:
        await self._pieces.aclose()

    async def _run(self) -> AsyncGenerator[str, None]:
        gateway, model = self._gateway, self.choice.model
        cache = gateway.cache
        if cache is not None:
            hit = await cache.get(self.request, model)
            if hit is not None:
                self.text, self.sources, self.cached = hit.text, hit.sources, True
                self.stop_reason = END_TURN
                self.usage = Usage(model, 0, 0, 0.0)
                yield hit.text
                return
        pieces: list[str] = []
        done: LlmDone | None = None
        async with aclosing(gateway.stream(self.prompt)) as events:
            async for event in events:
                if isinstance(event, TextDelta):
                    pieces.append(event.text)
                    yield event.text
                else:
                    done = event
        if done is None:  # the gateway ends every stream with LlmDone or raises
            return
        self.text = "".join(pieces)
        self.sources = cited_refs(self.text, read_prompt(self.prompt))
        self.stop_reason = done.stop_reason
        self.usage = gateway.usage(model, done.input_tokens, done.output_tokens)
        if cache is not None and done.stop_reason == END_TURN:
            await cache.put(self.request, model, CachedAnswer(self.text, self.sources))


def generate_answer(gateway: LlmGateway, request: AnswerRequest) -> AnswerStream:
    """The answer to ``request``; iterate it for text, then read ``usage`` and ``sources``."""
    return AnswerStream(gateway, request)
