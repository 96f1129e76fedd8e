"""Scripted clients, a fake clock and recorded sleeps for the gateway tests."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from connectors.llm import LlmDone, LlmEvent, LlmRequest, Message, TextDelta

REQUEST = LlmRequest(
    system="rules",
    messages=(Message("user", "hello"),),
    model="small-model",
    max_tokens=64,
    temperature=0.0,
)


class Stall:
    """A step that never ends: only a timeout or closing the stream gets past it."""


Step = LlmEvent | BaseException | Stall
OK: tuple[Step, ...] = (TextDelta("Hello"), TextDelta(" there."), LlmDone(5, 2, "end_turn"))


class ScriptedClient:
    """An LlmClient playing one scripted attempt per call (then OK), counting what happens."""

    def __init__(self, *attempts: Sequence[Step]) -> None:
        self.attempts: deque[Sequence[Step]] = deque(attempts)
        self.calls = 0
        self.finished = 0
        self.closed = False

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        self.calls += 1
        steps = self.attempts.popleft() if self.attempts else OK
        try:
            for step in steps:
                if isinstance(step, BaseException):
                    raise step
                if isinstance(step, Stall):
                    await asyncio.Event().wait()
                else:
                    yield step
        finally:
            self.finished += 1

    async def aclose(self) -> None:
        self.closed = True


@dataclass
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordedSleep:
    """An ``asyncio.sleep`` stand-in that returns at once and remembers each delay."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
