"""The protocols of the hand-off backends."""

from __future__ import annotations

from typing import Protocol

from connectors.handoff.models import Acceptance, AgentReply, HandoffTicket, Placement
from schemas.events import Escalation


class HandoffBackend(Protocol):
    """Takes escalated chats: the local queue, or Amazon Connect.

    ``accept`` is idempotent on the escalation's event id (delivery is at least
    once) and raises :class:`~connectors.handoff.exceptions.HandoffUnavailable`
    when the backend cannot be reached, ``HandoffRejected`` when it refuses.
    """

    async def accept(self, escalation: Escalation) -> Acceptance: ...

    async def aclose(self) -> None: ...


class HandoffQueue(HandoffBackend, Protocol):
    """The local queue that agents work from in the console.

    A session has at most one open (waiting or claimed) ticket: escalating it
    again answers that ticket. The line is first come, first served; a ticket's
    wait is its position × ``average_handle_s``.
    """

    average_handle_s: float

    async def enqueue(self, escalation: Escalation) -> Placement:
        """Queue ``escalation`` (or find it, or the session's open ticket) and place it."""
        ...

    async def waiting(self) -> list[Placement]:
        """The waiting tickets, next first."""
        ...

    async def claimed(self) -> list[HandoffTicket]:
        """The tickets agents are working on, oldest first."""
        ...

    async def get(self, ticket_id: str) -> HandoffTicket:
        """The ticket, or ``TicketNotFound``."""
        ...

    async def claim(self, ticket_id: str, agent: str) -> HandoffTicket:
        """Give a waiting ticket to ``agent`` (again is fine); ``TicketConflict`` if taken."""
        ...

    async def close(self, ticket_id: str, agent: str) -> HandoffTicket:
        """Close the ticket (``agent``'s, or still waiting); closing twice is fine."""
        ...

    async def add_reply(self, ticket_id: str, reply: AgentReply) -> None:
        """Keep a message the agent sent, for the console."""
        ...

    async def replies(self, ticket_id: str) -> list[AgentReply]:
        """The agent's messages on this ticket, oldest first."""
        ...
