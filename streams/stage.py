"""Runs one pipeline stage on one Kafka message, with the dead-letter path.

A stage is a plain function from an input event to the events it emits. The
runner decodes, calls it, encodes and sends; a message that cannot be decoded
or processed goes to ``chat.deadletter`` with its error, and the shopper gets
an explicit error reply. Nothing stops the agent.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import faust
from faust.types import AgentT, EventT

from agents.fallback import error_reply
from schemas import AvroCodec, DeadLetter, Event
from schemas.events import Locale, derive_id, utc_now
from schemas.exceptions import DecodeError
from streams.topics import DEADLETTER, RESPONSES, TURN_ID_HEADER, TopicSpec

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Emitted = Iterable[tuple[TopicSpec, Event]]


@dataclass(frozen=True)
class IncomingMessage:
    """The parts of a Kafka record a stage needs, independent of faust."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Mapping[str, bytes]

    @classmethod
    def from_faust(cls, event: EventT[bytes]) -> IncomingMessage:
        message = event.message
        raw = message.headers or {}
        items = raw.items() if isinstance(raw, Mapping) else raw
        return cls(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            headers={str(k): bytes(v or b"") for k, v in items},
        )


class Sender:
    """Sends encoded events to topics; wraps whatever producer the worker has."""

    def __init__(
        self,
        codec: AvroCodec,
        send: Callable[[TopicSpec, bytes, bytes, Mapping[str, bytes]], Any],
    ) -> None:
        self._codec = codec
        self._send = send

    async def send(self, spec: TopicSpec, event: Event) -> None:
        headers = {TURN_ID_HEADER: event.turn_id.encode()}
        await self._send(spec, event.session_id.encode(), self._codec.encode(event), headers)


class StageRunner(Generic[E]):
    def __init__(
        self,
        name: str,
        input_types: tuple[type[E], ...],
        handler: Callable[[E], Emitted | Awaitable[Emitted]],
        codec: AvroCodec,
        sender: Sender,
    ) -> None:
        self.name = name
        self._input_types = input_types
        self._handler = handler
        self._codec = codec
        self._sender = sender
        self.processed = 0
        self.dead_lettered = 0

    @property
    def handled(self) -> int:
        """Messages this runner has finished with, processed or dead-lettered."""
        return self.processed + self.dead_lettered

    async def __call__(self, message: IncomingMessage) -> None:
        try:
            event = self._codec.decode(message.value)
            if not isinstance(event, self._input_types):
                raise DecodeError(f"{self.name} does not take {type(event).__name__}")
        except DecodeError as exc:
            await self._dead_letter(message, exc, None)
            return
        try:
            result = self._handler(event)
            emitted = list(await result if inspect.isawaitable(result) else result)
        except Exception as exc:  # a bug in one stage must not stop the agent
            log.exception("stage %s failed on %s/%s", self.name, event.session_id, event.turn_id)
            await self._dead_letter(message, exc, event)
            return
        for spec, out in emitted:
            await self._sender.send(spec, out)
        self.processed += 1

    async def _dead_letter(
        self, message: IncomingMessage, exc: Exception, event: Event | None
    ) -> None:
        self.dead_lettered += 1
        letter = dead_letter(self.name, message, exc, event)
        await self._sender.send(DEADLETTER, letter)
        turn_id = letter.turn_id
        session_id = letter.session_id
        parent_id = _parent_id(message, event)
        if turn_id:
            locale: Locale = getattr(event, "locale", "ja")
            received_ts: datetime = getattr(event, "received_ts", None) or (
                event.ts if event else utc_now()
            )
            reply = error_reply(
                session_id=session_id,
                turn_id=turn_id,
                received_ts=received_ts,
                error_code="pipeline_error",
                locale=locale,
                parent_event_id=parent_id,
            )
            await self._sender.send(RESPONSES, reply)


def dead_letter(
    stage: str, message: IncomingMessage, exc: Exception, event: Event | None = None
) -> DeadLetter:
    """The dead-letter event for a message ``stage`` could not decode or process."""
    log.warning(
        "dead-lettering %s[%d]@%d in stage %s: %s",
        message.topic,
        message.partition,
        message.offset,
        stage,
        exc,
    )
    return DeadLetter(
        event_id=derive_id(_parent_id(message, event), f"deadletter-{stage}"),
        session_id=_session_id(message, event),
        turn_id=event.turn_id if event else message.headers.get(TURN_ID_HEADER, b"").decode(),
        stage=stage,
        source_topic=message.topic,
        source_partition=message.partition,
        source_offset=message.offset,
        error_type=type(exc).__name__,
        error_message=str(exc)[:2000],
        payload=message.value or b"",
    )


def _parent_id(message: IncomingMessage, event: Event | None) -> str:
    return event.event_id if event else f"{message.topic}/{message.partition}/{message.offset}"


def _session_id(message: IncomingMessage, event: Event | None) -> str:
    if event is not None:
        return event.session_id
    if message.key:
        return message.key.decode("utf-8", errors="replace")[:128]
    return "unknown"


def wire_runner(
    app: faust.App,
    topic: faust.TopicT,
    name: str,
    runner: Callable[[IncomingMessage], Awaitable[object]],
) -> AgentT[Any]:
    """A faust agent named ``name`` on ``topic`` that hands every event to ``runner``."""

    async def agent(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            await runner(IncomingMessage.from_faust(event))

    wired = app.agent(topic, name=name)(agent)
    # streams.testing.put waits on the runner: faust's test_context() returns as soon as
    # the agent has taken an event, before a stage that awaits I/O has finished with it.
    wired.stage_runner = runner  # type: ignore[attr-defined]
    return wired
