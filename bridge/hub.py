"""Routes replies to the connections of their session, and only theirs.

The hub is synchronous and never blocks: each connection owns a bounded
:class:`Subscription` (an outbox) that its own task drains, so one slow client
cannot hold up the relay of everybody else's replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bridge.frames import Frame, error_frame, reply_frame
from bridge.kafka import ReplyEvent
from bridge.replay import ReplayLog, ResumePoint
from schemas import FinalReply

logger = logging.getLogger(__name__)

K = TypeVar("K", str, tuple[str, str])


class Subscription:
    """The outbox of one connection (a WebSocket or an SSE stream)."""

    def __init__(self, session_id: str, max_frames: int) -> None:
        self.session_id = session_id
        self.overflowed = False
        self._closed = False
        self._queue: asyncio.Queue[Frame | None] = asyncio.Queue(max_frames)

    def offer(self, frame: Frame) -> bool:
        """Queue a frame; False (and the subscription ends) if the client fell too far behind."""
        if self._closed:
            return False
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.overflowed = self._closed = True
            return False
        return True

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if not self._queue.full():
                self._queue.put_nowait(None)

    async def next_frame(self) -> Frame | None:
        """The next frame, or None once the subscription has ended."""
        if self.overflowed or (self._closed and self._queue.empty()):
            return None
        return await self._queue.get()

    async def __aiter__(self) -> AsyncIterator[Frame]:
        while (frame := await self.next_frame()) is not None:
            yield frame


class _RecentSet(Generic[K]):
    """The last ``maxsize`` keys added, oldest forgotten first."""

    def __init__(self, maxsize: int) -> None:
        self._keys: OrderedDict[K, None] = OrderedDict()
        self._maxsize = maxsize

    def add(self, key: K) -> bool:
        """Add the key; False if it was already there."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return False
        self._keys[key] = None
        if len(self._keys) > self._maxsize:
            self._keys.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._keys


@dataclass
class _Turn:
    # Frames that arrived before the turn was acked; None once it has been.
    held: list[Frame] | None = field(default_factory=list)
    finished: bool = False
    timer: asyncio.TimerHandle | None = None


@dataclass
class _Session:
    subscribers: set[Subscription]
    turns: dict[str, _Turn]
    backlog: deque[Frame]

    @property
    def idle(self) -> bool:
        return not self.subscribers and not self.turns


class SessionHub:
    """Session id → subscriptions, pending turns and a backlog of undelivered frames.

    A session is known here while it has a subscriber, a pending turn or a
    backlog; replies of other sessions (served by other bridges) are ignored.
    Upstream delivery is at-least-once, so replies are de-duplicated by event id.
    Every acked turn ends with exactly one ``final`` or one ``timeout`` error frame.
    """

    def __init__(
        self,
        reply_timeout_s: float,
        *,
        max_frames_per_subscriber: int = 256,
        backlog_frames: int = 64,
        backlog_sessions: int = 1024,
        remembered_ids: int = 10_000,
    ) -> None:
        self._reply_timeout_s = reply_timeout_s
        self._max_frames = max_frames_per_subscriber
        self._backlog_frames = backlog_frames
        self._backlog_sessions = backlog_sessions
        self._sessions: dict[str, _Session] = {}
        self._backlog_only: OrderedDict[str, None] = OrderedDict()
        self._seen: _RecentSet[str] = _RecentSet(remembered_ids)
        # Turns closed by a final or a timeout.
        self._ended: _RecentSet[tuple[str, str]] = _RecentSet(remembered_ids)
        self.replay = ReplayLog()

    def subscribe(
        self, session_id: str, greeting: Frame | None = None, resume: ResumePoint | None = None
    ) -> Subscription:
        """A new subscription: the greeting, then what was missed, then live frames.

        What was missed is the replay log's frames after ``resume`` when the
        client names the last chunk it saw, else the frames held for the
        session while it had no subscriber.
        """
        subscription = Subscription(session_id, self._max_frames)
        if greeting is not None:
            subscription.offer(greeting)
        session = self._session(session_id)
        missed = list(session.backlog)
        session.backlog.clear()
        if resume is not None:
            missed = self.replay.after(session_id, resume.turn_id, resume.seq)
        for frame in missed:
            subscription.offer(frame)
        session.subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.close()
        session = self._sessions.get(subscription.session_id)
        if session is not None:
            session.subscribers.discard(subscription)
            self._tidy(subscription.session_id, session)

    def begin_turn(self, session_id: str, turn_id: str) -> None:
        """Call before publishing a turn: replies are held until :meth:`confirm_turn`."""
        self._session(session_id).turns[turn_id] = _Turn()

    def confirm_turn(self, session_id: str, turn_id: str) -> None:
        """The turn is published and acked: release held replies and start the reply timer."""
        session = self._sessions.get(session_id)
        turn = session.turns.get(turn_id) if session else None
        if session is None or turn is None or turn.held is None:
            return
        held, turn.held = turn.held, None
        for frame in held:
            self._deliver(session, frame)
        if turn.finished:
            self._finish(session_id, session, turn_id)
        else:
            turn.timer = asyncio.get_running_loop().call_later(
                self._reply_timeout_s, self._expire, session_id, turn_id
            )
        self._tidy(session_id, session)

    def abandon_turn(self, session_id: str, turn_id: str) -> None:
        """Publishing failed: forget the turn."""
        session = self._sessions.get(session_id)
        if session is not None and turn_id in session.turns:
            self._finish(session_id, session, turn_id)
            self._tidy(session_id, session)

    def dispatch(self, event: ReplyEvent) -> None:
        if not self._seen.add(event.event_id):
            return
        if (event.session_id, event.turn_id) in self._ended:
            # A second final (say, an error reply racing the real one) or a late reply.
            logger.info("dropping a reply to ended turn %s", event.turn_id)
            return
        frame = reply_frame(event)
        is_final = isinstance(event, FinalReply)
        # Every session's replies are logged: its client may come back to this bridge.
        self.replay.record(event.session_id, frame)
        session = self._sessions.get(event.session_id)
        if session is None:
            if is_final:
                self._ended.add((event.session_id, event.turn_id))
            return
        turn = session.turns.get(event.turn_id)
        if turn is not None and turn.held is not None:
            if turn.finished:
                return
            turn.held.append(frame)
            turn.finished = turn.finished or is_final
            return
        if turn is not None and is_final:
            self._finish(event.session_id, session, event.turn_id)
        self._deliver(session, frame)
        self._tidy(event.session_id, session)

    def close(self) -> None:
        for session in self._sessions.values():
            for turn in session.turns.values():
                if turn.timer is not None:
                    turn.timer.cancel()
            for subscription in session.subscribers:
                subscription.close()
        self._sessions.clear()
        self._backlog_only.clear()

    def _session(self, session_id: str) -> _Session:
        self._backlog_only.pop(session_id, None)
        session = self._sessions.get(session_id)
        if session is None:
            session = _Session(set(), {}, deque(maxlen=self._backlog_frames))
            self._sessions[session_id] = session
        return session

    def _deliver(self, session: _Session, frame: Frame) -> None:
        if not session.subscribers:
            session.backlog.append(frame)
            return
        for subscription in list(session.subscribers):
            if not subscription.offer(frame):
                logger.warning(
                    "session %s: a client fell behind; dropping it", subscription.session_id
                )
                session.subscribers.discard(subscription)

    def _finish(self, session_id: str, session: _Session, turn_id: str) -> None:
        self._ended.add((session_id, turn_id))
        turn = session.turns.pop(turn_id)
        if turn.timer is not None:
            turn.timer.cancel()

    def _expire(self, session_id: str, turn_id: str) -> None:
        session = self._sessions.get(session_id)
        if session is None or session.turns.pop(turn_id, None) is None:
            return
        self._ended.add((session_id, turn_id))
        message = f"no reply within {self._reply_timeout_s:g} s"
        self._deliver(session, error_frame("timeout", message, turn_id=turn_id))
        self._tidy(session_id, session)

    def _tidy(self, session_id: str, session: _Session) -> None:
        """Forget idle sessions; keep those with a backlog, up to ``backlog_sessions``."""
        if not session.idle:
            return
        if not session.backlog:
            del self._sessions[session_id]
            return
        self._backlog_only[session_id] = None
        self._backlog_only.move_to_end(session_id)
        while len(self._backlog_only) > self._backlog_sessions:
            oldest, _ = self._backlog_only.popitem(last=False)
            del self._sessions[oldest]
