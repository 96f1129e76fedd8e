"""The local hand-off queue, which agents work from in the bridge's console.

``RedisHandoffQueue`` keeps it in Redis, shared by every worker and bridge;
``InProcessHandoffQueue`` keeps it in the memory of one process (the bridge's,
see ``docs/handoff.md``). Both are first come, first served, idempotent on the
escalation's event id, and keep at most one open ticket per session.

Redis keys, under ``mangaassist:handoff:``::

    t:<ticket id>   HASH   escalation (JSON), session, enqueued_at, status, seq,
                           agent, claimed_at, closed_at          (expires after ticket_ttl_s)
    r:<ticket id>   LIST   the agent's replies (JSON)            (expires with the ticket)
    s:<session id>  STRING the session's open ticket id          (expires with the ticket)
    waiting         ZSET   waiting ticket ids by arrival (seq)
    claimed         ZSET   claimed ticket ids by arrival
    seq             STRING the arrival counter

Each change is one Lua script, so two agents cannot claim the same ticket and
two deliveries of an escalation cannot queue it twice. The scripts build ticket
keys from the prefix, so the queue needs one Redis (not a cluster).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import redis.asyncio as redis
from pydantic import ValidationError
from redis.exceptions import RedisError

from connectors.handoff.exceptions import (
    HandoffError,
    HandoffUnavailable,
    TicketConflict,
    TicketNotFound,
)
from connectors.handoff.models import (
    Acceptance,
    AgentReply,
    HandoffTicket,
    Placement,
    TicketStatus,
)
from connectors.memory import redis_client
from mangaassist.errors import ConfigurationError
from schemas.events import Escalation, utc_now

KEY_PREFIX = "mangaassist:handoff:"
DEFAULT_AVERAGE_HANDLE_S = 180.0
DEFAULT_TICKET_TTL_S = 86_400.0
Clock = Callable[[], datetime]


class _Queue:
    """What both queues share: placing tickets in line and answering ``accept``."""

    def __init__(self, average_handle_s: float, clock: Clock) -> None:
        if average_handle_s <= 0:
            raise ConfigurationError(f"average_handle_s must be positive, not {average_handle_s}")
        self.average_handle_s = average_handle_s
        self._clock = clock

    def _placement(self, ticket: HandoffTicket, position: int, new: bool) -> Placement:
        return Placement(ticket, position, position * self.average_handle_s, new)

    async def enqueue(self, escalation: Escalation) -> Placement:
        raise NotImplementedError

    async def accept(self, escalation: Escalation) -> Acceptance:
        placement = await self.enqueue(escalation)
        ticket = placement.ticket
        waiting = ticket.status == "waiting"
        return Acceptance(
            reference=ticket.ticket_id,
            status=ticket.status,
            new=placement.new,
            position=placement.position if waiting else None,
            eta_s=placement.eta_s if waiting else None,
        )


def _conflict(ticket: HandoffTicket, agent: str) -> TicketConflict:
    if ticket.status == "closed":
        return TicketConflict(f"ticket {ticket.ticket_id} is closed")
    return TicketConflict(f"ticket {ticket.ticket_id} is claimed by {ticket.agent}, not {agent}")


class InProcessHandoffQueue(_Queue):
    """The queue in this process's memory: lost on restart, seen by this process only.

    At most ``max_closed`` closed tickets are kept (the oldest go first).
    """

    def __init__(
        self,
        average_handle_s: float = DEFAULT_AVERAGE_HANDLE_S,
        *,
        clock: Clock = utc_now,
        max_closed: int = 10_000,
    ) -> None:
        super().__init__(average_handle_s, clock)
        self._tickets: dict[str, HandoffTicket] = {}
        self._waiting: dict[str, None] = {}  # in arrival order
        self._open_by_session: dict[str, str] = {}
        self._replies: dict[str, list[AgentReply]] = {}
        self._closed: dict[str, None] = {}
        self._max_closed = max_closed

    async def enqueue(self, escalation: Escalation) -> Placement:
        known = self._tickets.get(escalation.event_id)
        if known is None:
            open_id = self._open_by_session.get(escalation.session_id)
            known = self._tickets.get(open_id) if open_id else None
        if known is not None:
            return self._placement(known, self._position(known.ticket_id), new=False)
        ticket = HandoffTicket(escalation=escalation, enqueued_at=self._clock())
        self._tickets[ticket.ticket_id] = ticket
        self._waiting[ticket.ticket_id] = None
        self._open_by_session[ticket.session_id] = ticket.ticket_id
        return self._placement(ticket, len(self._waiting), new=True)

    def _position(self, ticket_id: str) -> int:
        return next((n for n, i in enumerate(self._waiting, start=1) if i == ticket_id), 0)

    async def waiting(self) -> list[Placement]:
        return [
            self._placement(self._tickets[ticket_id], n, new=False)
            for n, ticket_id in enumerate(self._waiting, start=1)
        ]

    async def claimed(self) -> list[HandoffTicket]:
        return [t for t in self._tickets.values() if t.status == "claimed"]

    async def get(self, ticket_id: str) -> HandoffTicket:
        try:
            return self._tickets[ticket_id]
        except KeyError:
            raise TicketNotFound(f"no ticket {ticket_id}") from None

    async def claim(self, ticket_id: str, agent: str) -> HandoffTicket:
        ticket = await self.get(ticket_id)
        if ticket.status == "claimed" and ticket.agent == agent:
            return ticket
        if ticket.status != "waiting":
            raise _conflict(ticket, agent)
        claimed = ticket.model_copy(
            update={"status": "claimed", "agent": agent, "claimed_at": self._clock()}
        )
        self._tickets[ticket_id] = claimed
        self._waiting.pop(ticket_id, None)
        return claimed

    async def close(self, ticket_id: str, agent: str) -> HandoffTicket:
        ticket = await self.get(ticket_id)
        if ticket.status == "closed":
            return ticket
        if ticket.status == "claimed" and ticket.agent != agent:
            raise _conflict(ticket, agent)
        closed = ticket.model_copy(
            update={"status": "closed", "agent": ticket.agent or agent, "closed_at": self._clock()}
        )
        self._tickets[ticket_id] = closed
        self._waiting.pop(ticket_id, None)
        if self._open_by_session.get(closed.session_id) == ticket_id:
            del self._open_by_session[closed.session_id]
        self._closed[ticket_id] = None
        while len(self._closed) > self._max_closed:
            oldest = next(iter(self._closed))
            del self._closed[oldest]
            self._tickets.pop(oldest, None)
            self._replies.pop(oldest, None)
        return closed

    async def add_reply(self, ticket_id: str, reply: AgentReply) -> None:
        await self.get(ticket_id)
        self._replies.setdefault(ticket_id, []).append(reply)

    async def replies(self, ticket_id: str) -> list[AgentReply]:
        return list(self._replies.get(ticket_id, ()))

    async def aclose(self) -> None:
        pass


# ARGV: prefix, ticket id, session id, escalation JSON, enqueued_at, ttl in ms.
# Answers {ticket id, 1} when queued now, {the known ticket id, 0} otherwise.
_ENQUEUE = r"""
local p, id, session = ARGV[1], ARGV[2], ARGV[3]
local tkey = p .. 't:' .. id
if redis.call('EXISTS', tkey) == 1 then return {id, 0} end
local skey = p .. 's:' .. session
local open = redis.call('GET', skey)
if open then
  local status = redis.call('HGET', p .. 't:' .. open, 'status')
  if status == 'waiting' or status == 'claimed' then return {open, 0} end
end
local seq = redis.call('INCR', p .. 'seq')
redis.call('HSET', tkey, 'escalation', ARGV[4], 'session', session, 'enqueued_at', ARGV[5],
  'status', 'waiting', 'seq', seq)
redis.call('PEXPIRE', tkey, ARGV[6])
redis.call('ZADD', p .. 'waiting', seq, id)
redis.call('SET', skey, id, 'PX', ARGV[6])
return {id, 1}
"""

# ARGV: prefix, ticket id, agent, claimed_at. Answers "ok", "missing" or the blocking status.
_CLAIM = r"""
local p, id, agent = ARGV[1], ARGV[2], ARGV[3]
local tkey = p .. 't:' .. id
local status = redis.call('HGET', tkey, 'status')
if not status then return 'missing' end
if status == 'waiting' then
  redis.call('HSET', tkey, 'status', 'claimed', 'agent', agent, 'claimed_at', ARGV[4])
  redis.call('ZREM', p .. 'waiting', id)
  redis.call('ZADD', p .. 'claimed', redis.call('HGET', tkey, 'seq'), id)
  return 'ok'
end
if status == 'claimed' and redis.call('HGET', tkey, 'agent') == agent then return 'ok' end
return status
"""

# ARGV: prefix, ticket id, agent, closed_at, ttl in ms. Answers "ok", "missing" or "claimed".
_CLOSE = r"""
local p, id, agent = ARGV[1], ARGV[2], ARGV[3]
local tkey = p .. 't:' .. id
local status = redis.call('HGET', tkey, 'status')
if not status then return 'missing' end
if status == 'closed' then return 'ok' end
local owner = redis.call('HGET', tkey, 'agent')
if status == 'claimed' and owner ~= agent then return 'claimed' end
if not owner then redis.call('HSET', tkey, 'agent', agent) end
redis.call('HSET', tkey, 'status', 'closed', 'closed_at', ARGV[4])
redis.call('ZREM', p .. 'waiting', id)
redis.call('ZREM', p .. 'claimed', id)
local skey = p .. 's:' .. redis.call('HGET', tkey, 'session')
if redis.call('GET', skey) == id then redis.call('DEL', skey) end
redis.call('PEXPIRE', tkey, ARGV[5])
redis.call('PEXPIRE', p .. 'r:' .. id, ARGV[5])
return 'ok'
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisHandoffQueue(_Queue):
    """The queue in Redis; every change is one atomic script call."""

    def __init__(
        self,
        client: redis.Redis,
        average_handle_s: float = DEFAULT_AVERAGE_HANDLE_S,
        *,
        ticket_ttl_s: float = DEFAULT_TICKET_TTL_S,
        key_prefix: str = KEY_PREFIX,
        clock: Clock = utc_now,
        owns_client: bool = False,
    ) -> None:
        """``owns_client``: ``aclose`` closes ``client`` too."""
        super().__init__(average_handle_s, clock)
        if ticket_ttl_s <= 0:
            raise ConfigurationError(f"ticket_ttl_s must be positive, not {ticket_ttl_s}")
        self._client = client
        self._ttl_ms = max(1, round(ticket_ttl_s * 1000))
        self._prefix = key_prefix
        self._owns_client = owns_client
        self._enqueue: Any = client.register_script(_ENQUEUE)
        self._claim: Any = client.register_script(_CLAIM)
        self._close: Any = client.register_script(_CLOSE)

    @classmethod
    def from_url(
        cls,
        url: str,
        average_handle_s: float = DEFAULT_AVERAGE_HANDLE_S,
        *,
        ticket_ttl_s: float = DEFAULT_TICKET_TTL_S,
        timeout_s: float = 2.0,
        key_prefix: str = KEY_PREFIX,
    ) -> RedisHandoffQueue:
        """A queue with a fail-fast client of its own."""
        return cls(
            redis_client(url, timeout_s),
            average_handle_s,
            ticket_ttl_s=ticket_ttl_s,
            key_prefix=key_prefix,
            owns_client=True,
        )

    def _key(self, kind: str, name: str = "") -> str:
        return f"{self._prefix}{kind}{name}"

    async def _call(self, what: str, call: Any) -> Any:
        try:
            return await call
        except (RedisError, OSError) as exc:
            raise HandoffUnavailable(f"Redis did not {what}: {exc}") from exc

    async def enqueue(self, escalation: Escalation) -> Placement:
        queued_id, new = await self._call(
            "queue the hand-off",
            self._enqueue(
                args=[
                    self._prefix,
                    escalation.event_id,
                    escalation.session_id,
                    escalation.model_dump_json(),
                    self._clock().isoformat(),
                    self._ttl_ms,
                ]
            ),
        )
        ticket_id = _text(queued_id)
        ticket = await self.get(ticket_id)
        position = 0
        if ticket.status == "waiting":
            rank = await self._call(
                "place the ticket", self._client.zrank(self._key("waiting"), ticket_id)
            )
            position = 0 if rank is None else int(rank) + 1
        return self._placement(ticket, position, new=bool(new))

    async def _tickets(self, index: str) -> list[HandoffTicket]:
        ids = [
            _text(i)
            for i in await self._call("list tickets", self._client.zrange(self._key(index), 0, -1))
        ]
        if not ids:
            return []
        pipe = self._client.pipeline(transaction=False)
        for ticket_id in ids:
            pipe.hgetall(self._key("t:", ticket_id))
        hashes = await self._call("read tickets", pipe.execute())
        tickets = [
            self._ticket(ticket_id, fields) for ticket_id, fields in zip(ids, hashes, strict=True)
        ]
        gone = [ticket_id for ticket_id, ticket in zip(ids, tickets, strict=True) if ticket is None]
        if gone:  # expired while in line
            await self._call("drop expired tickets", self._client.zrem(self._key(index), *gone))
        return [ticket for ticket in tickets if ticket is not None]

    async def waiting(self) -> list[Placement]:
        tickets = await self._tickets("waiting")
        return [self._placement(ticket, n, new=False) for n, ticket in enumerate(tickets, start=1)]

    async def claimed(self) -> list[HandoffTicket]:
        return await self._tickets("claimed")

    def _ticket(self, ticket_id: str, raw: Mapping[Any, Any]) -> HandoffTicket | None:
        if not raw:
            return None
        fields = {_text(k): _text(v) for k, v in raw.items()}
        try:
            return HandoffTicket(
                escalation=Escalation.model_validate_json(fields["escalation"]),
                enqueued_at=datetime.fromisoformat(fields["enqueued_at"]),
                status=_status(fields["status"]),
                agent=fields.get("agent"),
                claimed_at=_when(fields.get("claimed_at")),
                closed_at=_when(fields.get("closed_at")),
            )
        except (KeyError, ValueError, ValidationError) as exc:
            raise HandoffError(f"ticket {ticket_id} in Redis is malformed: {exc}") from exc

    async def get(self, ticket_id: str) -> HandoffTicket:
        raw = await self._call("read the ticket", self._client.hgetall(self._key("t:", ticket_id)))
        ticket = self._ticket(ticket_id, raw)
        if ticket is None:
            raise TicketNotFound(f"no ticket {ticket_id}")
        return ticket

    async def claim(self, ticket_id: str, agent: str) -> HandoffTicket:
        outcome = await self._call(
            "claim the ticket",
            self._claim(args=[self._prefix, ticket_id, agent, self._clock().isoformat()]),
        )
        return await self._after(ticket_id, agent, _text(outcome))

    async def close(self, ticket_id: str, agent: str) -> HandoffTicket:
        outcome = await self._call(
            "close the ticket",
            self._close(
                args=[self._prefix, ticket_id, agent, self._clock().isoformat(), self._ttl_ms]
            ),
        )
        return await self._after(ticket_id, agent, _text(outcome))

    async def _after(self, ticket_id: str, agent: str, outcome: str) -> HandoffTicket:
        if outcome == "missing":
            raise TicketNotFound(f"no ticket {ticket_id}")
        ticket = await self.get(ticket_id)
        if outcome != "ok":
            raise _conflict(ticket, agent)
        return ticket

    async def add_reply(self, ticket_id: str, reply: AgentReply) -> None:
        key = self._key("r:", ticket_id)
        pipe = self._client.pipeline(transaction=True)
        pipe.rpush(key, reply.model_dump_json())
        pipe.pexpire(key, self._ttl_ms)
        await self._call("keep the reply", pipe.execute())

    async def replies(self, ticket_id: str) -> list[AgentReply]:
        raw = await self._call(
            "read the replies", self._client.lrange(self._key("r:", ticket_id), 0, -1)
        )
        return [AgentReply.model_validate_json(_text(item)) for item in raw]

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


_STATUSES: dict[str, TicketStatus] = {
    "waiting": "waiting",
    "claimed": "claimed",
    "closed": "closed",
}


def _status(value: str) -> TicketStatus:
    try:
        return _STATUSES[value]
    except KeyError:
        raise ValueError(f"unknown status {value!r}") from None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
