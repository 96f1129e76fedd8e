"""Handing a chat to a person: the local queue (Redis or in-process) or Amazon Connect.

``HandoffBackend.accept`` takes an :class:`~schemas.events.Escalation`,
idempotently on its event id. ``HandoffQueue`` (the local backend) also lets
agents list, claim and close tickets from the bridge's console
(``bridge/console.py``). See ``docs/handoff.md``.
"""

from connectors.handoff.base import HandoffBackend, HandoffQueue
from connectors.handoff.connect import ConnectHandoff, connect_client, contact_attributes
from connectors.handoff.exceptions import (
    HandoffError,
    HandoffRejected,
    HandoffUnavailable,
    TicketConflict,
    TicketNotFound,
)
from connectors.handoff.factory import (
    handoff_from_settings,
    local_queue_from_settings,
    shared_backend,
)
from connectors.handoff.local import InProcessHandoffQueue, RedisHandoffQueue
from connectors.handoff.models import (
    Acceptance,
    AgentReply,
    HandoffTicket,
    Placement,
    TicketStatus,
    wait_minutes,
)
from connectors.handoff.settings import HandoffSettings

__all__ = [
    "Acceptance",
    "AgentReply",
    "ConnectHandoff",
    "HandoffBackend",
    "HandoffError",
    "HandoffQueue",
    "HandoffRejected",
    "HandoffSettings",
    "HandoffTicket",
    "HandoffUnavailable",
    "InProcessHandoffQueue",
    "Placement",
    "RedisHandoffQueue",
    "TicketConflict",
    "TicketNotFound",
    "TicketStatus",
    "connect_client",
    "contact_attributes",
    "handoff_from_settings",
    "local_queue_from_settings",
    "shared_backend",
    "wait_minutes",
]
