"""Turns to remember, and the harness the contract suite runs each backend through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone

from connectors.memory import ConversationMemory, RememberedTurn, ShownItem
from schemas.events import Entity

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
JST = timezone(timedelta(hours=9))


def make_turn(number: int, *, shown: int = 0, turn_id: str | None = None) -> RememberedTurn:
    """Turn ``number`` of a chat, a minute after the one before, showing ``shown`` products."""
    return RememberedTurn(
        turn_id=turn_id or f"t{number}",
        at=T0 + timedelta(minutes=number),
        locale="ja" if number % 2 else "en",
        user_text=f"message {number}",
        intent="recommendation" if shown else "smalltalk",
        reply_text=f"reply {number}",
        shown=tuple(
            ShownItem(kind="product", id=f"B0{number:04d}{i:04d}", title=f"Volume {i}")
            for i in range(shown)
        ),
    )


def rich_turn() -> RememberedTurn:
    """A turn using every field, Japanese text and a non-UTC offset included."""
    return RememberedTurn(
        turn_id="turn-ja-1",
        at=datetime(2025, 3, 1, 21, 30, 15, 123456, tzinfo=JST),
        locale="ja",
        user_text="注文 250-1234567-7654321 はいつ届きますか？\t改行も\nあります",
        intent="order_status",
        entities=(
            Entity(kind="order_id", value="250-1234567-7654321"),
            Entity(kind="volume", value="3"),
        ),
        reply_text="ご注文は明日届く予定です。「ワンピース」第3巻もおすすめです。",
        shown=(
            ShownItem(kind="order", id="250-1234567-7654321", title="ご注文（2点）"),
            ShownItem(kind="product", id="B0ABCDEFGH", title="ワンピース 3"),
        ),
    )


def ids(turns: tuple[RememberedTurn, ...]) -> list[str]:
    return [turn.turn_id for turn in turns]


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Backend:
    """Builds memories of one backend, closes them afterwards, and lets time pass for them."""

    def __init__(
        self,
        name: str,
        build: Callable[[int, float], ConversationMemory],
        elapse: Callable[[float], Awaitable[None]],
    ) -> None:
        self.name = name
        self._build = build
        self._elapse = elapse
        self._opened: list[ConversationMemory] = []

    def make(self, max_turns: int = 3, ttl_s: float = 60.0) -> ConversationMemory:
        memory = self._build(max_turns, ttl_s)
        self._opened.append(memory)
        return memory

    async def elapse(self, seconds: float) -> None:
        await self._elapse(seconds)

    async def aclose(self) -> None:
        for memory in self._opened:
            await memory.aclose()
