"""Recent reply frames of every session, so a client that reconnects gets what it missed.

Every bridge reads every partition of ``chat.responses``, so every bridge can
keep this log for every session: a client may come back to any of them. After
a restart, the bridge re-reads the last records of each partition to refill it.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.exceptions import RequestError
from bridge.frames import Frame

# A final closes its turn: it sorts after every chunk.
_FINAL_SEQ = 1 << 30


@dataclass(frozen=True)
class ResumePoint:
    """The last reply frame a reconnecting client saw: chunk ``seq`` of ``turn_id``.

    ``seq`` -1 means none of that turn's frames (only its ack).
    """

    turn_id: str
    seq: int


def resume_point(params: Mapping[str, str]) -> ResumePoint | None:
    """``resume_turn`` and ``resume_seq`` from a connection's query, if the client sent them."""
    turn_id, seq = params.get("resume_turn"), params.get("resume_seq", "-1")
    if turn_id is None:
        return None
    if not 0 < len(turn_id) <= 64 or not seq.lstrip("-").isdigit() or int(seq) < -1:
        raise RequestError(
            "invalid_message", "resume_turn must be a turn id, resume_seq -1 or more"
        )
    return ResumePoint(turn_id, int(seq))


@dataclass(frozen=True)
class _Entry:
    turn_id: str
    seq: int
    frame: Frame


def _position(frame: Frame) -> int:
    return int(frame["seq"]) if frame["type"] == "chunk" else _FINAL_SEQ


class ReplayLog:
    def __init__(self, frames_per_session: int = 128, sessions: int = 10_000) -> None:
        self._frames_per_session = frames_per_session
        self._sessions = sessions
        self._logs: OrderedDict[str, deque[_Entry]] = OrderedDict()

    def record(self, session_id: str, frame: Frame) -> None:
        log = self._logs.get(session_id)
        if log is None:
            log = self._logs[session_id] = deque(maxlen=self._frames_per_session)
            while len(self._logs) > self._sessions:
                self._logs.popitem(last=False)
        self._logs.move_to_end(session_id)
        log.append(_Entry(str(frame["turn_id"]), _position(frame), frame))

    def after(self, session_id: str, turn_id: str, seq: int) -> list[Frame]:
        """The frames that followed chunk ``seq`` of ``turn_id`` (-1: from that turn's start).

        A turn the log does not hold yet has nothing to replay: its frames
        will arrive live.
        """
        entries = list(self._logs.get(session_id, ()))
        turn = [i for i, e in enumerate(entries) if e.turn_id == turn_id]
        if not turn:
            return []
        seen = [i for i in turn if entries[i].seq <= seq]
        start = seen[-1] + 1 if seen else turn[0]
        return [e.frame for e in entries[start:]]
