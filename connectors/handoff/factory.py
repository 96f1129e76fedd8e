"""Choosing the hand-off backend from the settings."""

from __future__ import annotations

from connectors.handoff.base import HandoffBackend, HandoffQueue
from connectors.handoff.connect import ConnectHandoff
from connectors.handoff.local import InProcessHandoffQueue, RedisHandoffQueue
from connectors.handoff.settings import HandoffSettings


def local_queue_from_settings(settings: HandoffSettings) -> HandoffQueue:
    """The local queue: in Redis when ``redis_url`` is set, else in this process."""
    if settings.redis_url is not None:
        return RedisHandoffQueue.from_url(
            settings.redis_url.get_secret_value(),
            settings.average_handle_s,
            ticket_ttl_s=settings.ticket_ttl_s,
            timeout_s=settings.timeout_s,
        )
    return InProcessHandoffQueue(settings.average_handle_s)


def handoff_from_settings(settings: HandoffSettings) -> HandoffBackend:
    """The configured backend; nothing is contacted until the first hand-off."""
    if settings.backend == "connect":
        return ConnectHandoff.from_settings(settings)
    return local_queue_from_settings(settings)


def shared_backend(settings: HandoffSettings) -> bool:
    """Whether a worker can hand off into the backend for the console to see.

    An in-process queue lives in the bridge that serves the console, which then
    reads ``chat.escalations`` itself; workers leave it alone.
    """
    return settings.backend == "connect" or settings.redis_url is not None
