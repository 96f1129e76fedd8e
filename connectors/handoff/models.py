"""Tickets of the local hand-off queue, and what a backend answers when it takes a hand-off."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from schemas.events import Escalation

TicketStatus = Literal["waiting", "claimed", "closed"]


class AgentReply(BaseModel):
    """A message an agent sent into the chat (a ``FinalReply`` with path "human")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    turn_id: str = Field(min_length=1)
    agent: str
    text: str
    at: AwareDatetime


class HandoffTicket(BaseModel):
    """One escalated chat in the local queue; its id is the escalation's event id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    escalation: Escalation
    enqueued_at: AwareDatetime
    status: TicketStatus = "waiting"
    agent: str | None = None
    claimed_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None

    @property
    def ticket_id(self) -> str:
        return self.escalation.event_id

    @property
    def session_id(self) -> str:
        return self.escalation.session_id


@dataclass(frozen=True)
class Placement:
    """A ticket and its place in line."""

    ticket: HandoffTicket
    position: int  # 1 is next; 0 once claimed or closed
    eta_s: float  # position × the average handle time
    new: bool  # queued by this call (False: the same event again, or the session's open ticket)


@dataclass(frozen=True)
class Acceptance:
    """What a backend says when it takes a hand-off.

    ``reference`` is the ticket id (local) or the contact id (Amazon Connect);
    ``position`` and ``eta_s`` are None when the backend cannot tell.
    """

    reference: str
    status: TicketStatus
    new: bool
    position: int | None = None
    eta_s: float | None = None


def wait_minutes(eta_s: float) -> int:
    """The wait to announce, in whole minutes: rounded up, at least one."""
    return max(1, math.ceil(eta_s / 60))
