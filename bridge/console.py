"""The agent console: people pick up escalated chats from the local hand-off queue.

Served by the bridge when ``MANGAASSIST_HANDOFF_CONSOLE_TOKEN`` is set (and the
hand-off backend is ``local``); otherwise none of these routes exist (404)::

    GET  /handoff                         the console page: a sign-in form, then the queue
    GET  /handoff/api/tickets             waiting tickets (position, wait) and claimed ones
    GET  /handoff/api/tickets/{id}        a ticket, its session's recent turns, the replies
    POST /handoff/api/tickets/{id}/claim  {"agent": "aiko"}
    POST /handoff/api/tickets/{id}/reply  {"agent": "aiko", "text": "…"}
    POST /handoff/api/tickets/{id}/close  {"agent": "aiko"}

Every ``/handoff/api`` call needs ``Authorization: Bearer <console token>``; the
page's sign-in form asks for the token and the agent's name and sends them that
way (the token stays in the tab's sessionStorage). A reply is published to
``chat.responses`` as a :class:`FinalReply` with path ``human`` and a turn id of
its own, keyed by the session, so it reaches the shopper's open widget through
whichever bridge holds the socket (``docs/protocol.md``, "Messages from a support
agent"). Claiming tells the shopper that a person joined.

Recent turns come from the conversation memory; with the in-process memory (the
worker's, not this process's) the console has only the escalation's summary.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from agents import templates
from agents.guard.pii import mask_pii
from bridge.kafka import EventPublisher
from connectors.handoff import (
    AgentReply,
    HandoffError,
    HandoffQueue,
    HandoffSettings,
    HandoffTicket,
    HandoffUnavailable,
    Placement,
    TicketConflict,
    TicketNotFound,
    local_queue_from_settings,
)
from connectors.memory import (
    ConversationMemory,
    MemorySettings,
    MemoryUnavailable,
    RememberedTurn,
    memory_from_settings,
)
from mangaassist.errors import ConfigurationError
from schemas import AvroCodec, FinalReply, default_codec
from schemas.events import derive_id, new_id, utc_now
from streams.exceptions import StreamsError
from streams.handoff_agent import EscalationFeed, HandoffRunner
from streams.settings import KafkaSettings
from streams.topics import RESPONSES

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MIN_TOKEN_CHARS = 16
MAX_BODY_BYTES = 16_384
MAX_REPLY_CHARS = 2000
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# C0 controls but tab and newlines, DEL, C1 controls and lone surrogates, as in chat messages.
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
B = TypeVar("B", bound=BaseModel)
T = TypeVar("T")


class AgentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    agent: str = Field(min_length=1, max_length=64)


class ReplyRequest(AgentRequest):
    text: str = Field(min_length=1, max_length=MAX_REPLY_CHARS)


class ConsoleError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class HandoffConsole:
    """The console's routes over a :class:`HandoffQueue`, publishing through the bridge."""

    def __init__(
        self,
        token: str,
        queue: HandoffQueue,
        publisher: EventPublisher,
        memory: ConversationMemory | None = None,
        feed: EscalationFeed | None = None,
    ) -> None:
        if len(token) < MIN_TOKEN_CHARS:
            raise ConfigurationError(
                f"MANGAASSIST_HANDOFF_CONSOLE_TOKEN must be at least {MIN_TOKEN_CHARS} characters"
            )
        self._token = token.encode()
        self.queue = queue
        self._publisher = publisher
        self._memory = memory
        self._feed = feed

    async def start(self) -> None:
        if self._feed is not None:
            await self._feed.start()

    async def stop(self) -> None:
        if self._feed is not None:
            await self._feed.stop()
        await self.queue.aclose()
        if self._memory is not None:
            await self._memory.aclose()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/handoff", self.page, methods=["GET"]),
            Route("/handoff/api/tickets", self._api(self.tickets), methods=["GET"]),
            Route("/handoff/api/tickets/{ticket_id}", self._api(self.ticket), methods=["GET"]),
            Route(
                "/handoff/api/tickets/{ticket_id}/claim", self._api(self.claim), methods=["POST"]
            ),
            Route(
                "/handoff/api/tickets/{ticket_id}/reply", self._api(self.reply), methods=["POST"]
            ),
            Route(
                "/handoff/api/tickets/{ticket_id}/close", self._api(self.close), methods=["POST"]
            ),
        ]

    async def page(self, request: Request) -> Response:
        return FileResponse(STATIC_DIR / "console.html", headers=PAGE_HEADERS)

    def _api(self, endpoint: Any) -> Any:
        async def answer(request: Request) -> Response:
            try:
                self._authorize(request)
                body: dict[str, Any] = await endpoint(request)
                return JSONResponse(body, headers={"Cache-Control": "no-store"})
            except ConsoleError as exc:
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                error = {"error": {"code": exc.code, "message": exc.message}}
                return JSONResponse(error, status_code=exc.status, headers=headers)

        return answer

    def _authorize(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ConsoleError(401, "unauthorized", "missing bearer token")
        if not hmac.compare_digest(token.strip().encode(), self._token):
            raise ConsoleError(401, "unauthorized", "wrong console token")

    async def tickets(self, request: Request) -> dict[str, Any]:
        waiting = await _queue_call(self.queue.waiting())
        claimed = await _queue_call(self.queue.claimed())
        return {
            "average_handle_s": self.queue.average_handle_s,
            "waiting": [_ticket_json(p.ticket, p) for p in waiting],
            "claimed": [_ticket_json(ticket) for ticket in claimed],
        }

    async def ticket(self, request: Request) -> dict[str, Any]:
        ticket = await self._get(request)
        replies = await _queue_call(self.queue.replies(ticket.ticket_id))
        turns, memory = await self._turns(ticket.session_id)
        return {
            "ticket": _ticket_json(ticket),
            "turns": [_turn_json(turn) for turn in turns],
            "memory": memory,
            "replies": [
                {"turn_id": r.turn_id, "agent": r.agent, "text": r.text, "at": _iso(r.at)}
                for r in replies
            ],
        }

    async def claim(self, request: Request) -> dict[str, Any]:
        agent = (await _body(request, AgentRequest)).agent
        before = await self._get(request)
        ticket = await _queue_call(self.queue.claim(before.ticket_id, agent))
        if before.status == "waiting":
            escalation = ticket.escalation
            joined = FinalReply(
                event_id=derive_id(ticket.ticket_id, "handoff-joined"),
                session_id=ticket.session_id,
                turn_id=derive_id(ticket.ticket_id, "handoff-joined-turn"),
                status="ok",
                text=templates.HANDOFF_JOINED.render(escalation.locale),
                chunk_count=0,
                path="human",
                received_ts=utc_now(),
            )
            await self._publish(joined)
        return {"ticket": _ticket_json(ticket)}

    async def reply(self, request: Request) -> dict[str, Any]:
        body = await _body(request, ReplyRequest)
        if _FORBIDDEN_CHARS.search(body.text):
            raise ConsoleError(422, "invalid_message", "text: control characters are not allowed")
        ticket = await self._get(request)
        if ticket.status != "claimed" or ticket.agent != body.agent:
            raise ConsoleError(
                409, "conflict", f"claim ticket {ticket.ticket_id} before replying to it"
            )
        at = utc_now()
        message = FinalReply(
            event_id=new_id(),
            session_id=ticket.session_id,
            turn_id=new_id(),
            status="ok",
            text=body.text,
            chunk_count=0,
            path="human",
            received_ts=at,
        )
        await self._publish(message)
        reply = AgentReply(turn_id=message.turn_id, agent=body.agent, text=body.text, at=at)
        await _queue_call(self.queue.add_reply(ticket.ticket_id, reply))
        return {"turn_id": message.turn_id, "event_id": message.event_id}

    async def close(self, request: Request) -> dict[str, Any]:
        agent = (await _body(request, AgentRequest)).agent
        ticket = await _queue_call(self.queue.close(request.path_params["ticket_id"], agent))
        return {"ticket": _ticket_json(ticket)}

    async def _get(self, request: Request) -> HandoffTicket:
        return await _queue_call(self.queue.get(request.path_params["ticket_id"]))

    async def _turns(self, session_id: str) -> tuple[tuple[RememberedTurn, ...], str]:
        if self._memory is None:
            return (), "none"
        try:
            return (await self._memory.load(session_id)).turns, "ok"
        except MemoryUnavailable as exc:
            logger.warning("console: memory unavailable for %s: %s", session_id, exc)
            return (), "unavailable"

    async def _publish(self, reply: FinalReply) -> None:
        try:
            await self._publisher.publish(RESPONSES, reply)
        except StreamsError as exc:
            raise ConsoleError(503, "unavailable", "the chat service is unavailable") from exc


async def _queue_call(call: Awaitable[T]) -> T:
    try:
        return await call
    except TicketNotFound as exc:
        raise ConsoleError(404, "not_found", str(exc)) from exc
    except TicketConflict as exc:
        raise ConsoleError(409, "conflict", str(exc)) from exc
    except HandoffUnavailable as exc:
        raise ConsoleError(503, "unavailable", str(exc)) from exc
    except HandoffError as exc:
        logger.exception("console: the hand-off queue failed")
        raise ConsoleError(500, "internal", "the hand-off queue failed") from exc


async def _body(request: Request, model: type[B]) -> B:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ConsoleError(413, "frame_too_large", f"bodies are limited to {MAX_BODY_BYTES} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ConsoleError(413, "frame_too_large", f"bodies are limited to {MAX_BODY_BYTES} bytes")
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ConsoleError(422, "invalid_message", f"{where}: {first['msg']}") from exc


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat().replace("+00:00", "Z"))


def _masked(text: str) -> str:
    return mask_pii(text)[0]


def _ticket_json(ticket: HandoffTicket, placement: Placement | None = None) -> dict[str, Any]:
    escalation = ticket.escalation
    return {
        "ticket_id": ticket.ticket_id,
        "session_id": ticket.session_id,
        "status": ticket.status,
        "agent": ticket.agent,
        "enqueued_at": _iso(ticket.enqueued_at),
        "claimed_at": _iso(ticket.claimed_at),
        "closed_at": _iso(ticket.closed_at),
        "position": placement.position if placement else None,
        "wait_s": placement.eta_s if placement else None,
        "escalation": {
            "turn_id": escalation.turn_id,
            "escalated_at": _iso(escalation.ts),
            "user_id": escalation.user_id,
            "locale": escalation.locale,
            "reason": escalation.reason,
            "summary": escalation.summary,
            "conversation": escalation.conversation,
            "intents": list(escalation.intents),
            "product_ids": list(escalation.product_ids),
            "order_ids": list(escalation.order_ids),
            "sentiment": escalation.sentiment,
        },
    }


def _turn_json(turn: RememberedTurn) -> dict[str, Any]:
    return {
        "turn_id": turn.turn_id,
        "at": _iso(turn.at),
        "intent": turn.intent,
        "user_text": _masked(turn.user_text),
        "reply_text": _masked(turn.reply_text),
        "shown": [{"kind": s.kind, "id": s.id, "title": s.title} for s in turn.shown],
    }


def console_from_settings(
    settings: HandoffSettings,
    kafka: KafkaSettings,
    publisher: EventPublisher,
    *,
    codec: AvroCodec | None = None,
) -> HandoffConsole | None:
    """The console the settings ask for, or None (no token, or the connect backend).

    With the in-process queue the console also reads ``chat.escalations`` into it
    (see :class:`~streams.handoff_agent.EscalationFeed`).
    """
    if settings.console_token is None:
        return None
    if settings.backend != "local":
        logger.warning("the agent console serves the local hand-off queue only; it is off")
        return None
    queue = local_queue_from_settings(settings)
    feed = None
    if settings.redis_url is None:
        runner = HandoffRunner(queue, codec or default_codec(), publisher.publish)
        feed = EscalationFeed(kafka, runner)
    memory = memory_from_settings(MemorySettings())
    return HandoffConsole(settings.console_token.get_secret_value(), queue, publisher, memory, feed)
