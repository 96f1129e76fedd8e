"""What the assistant remembers of a chat: its last turns and what each reply showed."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.events import Entity, Locale


class ShownItem(BaseModel):
    """A product or order a reply showed; its index in ``shown`` is the ordinal the shopper sees."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["product", "order"]
    id: str
    title: str


class RememberedTurn(BaseModel):
    """One exchange: what the shopper said, how it was understood, what the reply showed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turn_id: str = Field(min_length=1)
    at: AwareDatetime
    locale: Locale
    user_text: str
    intent: str
    entities: tuple[Entity, ...] = ()
    reply_text: str
    shown: tuple[ShownItem, ...] = ()


class Conversation(BaseModel):
    """The remembered turns of one session, oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    session_id: str
    turns: tuple[RememberedTurn, ...] = ()

    def last_turn(self) -> RememberedTurn | None:
        return self.turns[-1] if self.turns else None

    def last_shown(self) -> tuple[ShownItem, ...]:
        """The items of the most recent turn that showed any ("the second one" is index 1)."""
        return next((turn.shown for turn in reversed(self.turns) if turn.shown), ())

    def with_turn(self, turn: RememberedTurn, max_turns: int) -> Conversation:
        """This conversation with ``turn`` added, or ``self`` itself when nothing changes.

        Turns stay ordered by ``at`` (a tie keeps arrival order) and only the
        newest ``max_turns`` are kept. A turn already held is not added again,
        and a redelivered turn older than every turn held by a full
        conversation (one trimmed before) falls off at once.
        """
        if any(held.turn_id == turn.turn_id for held in self.turns):
            return self
        position = next(
            (i for i, held in enumerate(self.turns) if held.at > turn.at), len(self.turns)
        )
        if len(self.turns) - position >= max_turns:
            return self
        turns = (*self.turns[:position], turn, *self.turns[position:])
        return self.model_copy(update={"turns": turns[-max_turns:]})
