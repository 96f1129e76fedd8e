"""The hand-off agent: ``chat.escalations`` → the hand-off backend, and the shopper told the wait.

For each :class:`Escalation` the backend ``accept``\\ s it (idempotently on the
event id; a backend that is down is tried :data:`ATTEMPTS` times), then a short
follow-up reply goes to ``chat.responses`` for the session: a person is joining,
and (local queue) the wait, queue position × the average handle time:
「担当者におつなぎします。お待ちいただく時間の目安は約3分です（1番目にご案内します）。」.
The follow-up is a ``FinalReply`` of a turn of its own (ids derived from the
escalation's, so a redelivery repeats them and the bridge drops the repeat),
intent ``escalation``, path ``template``. The wait is only known once queued,
which is why the follow-up comes from here and not from the generation stage.

If the hand-off fails for good, the escalation goes to ``chat.deadletter`` and the
shopper is told that no person can be reached now.

Two hosts run the same :class:`HandoffRunner`:

* the pipeline worker, through :func:`register_handoff` (a faust agent), when the
  backend is shared: Amazon Connect, or the local queue in Redis;
* the bridge that serves the agent console, through :class:`EscalationFeed`, when
  the local queue is in-process: the queue must live where the console is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from faust.types import AgentT

from agents import templates
from connectors.handoff import (
    Acceptance,
    HandoffBackend,
    HandoffSettings,
    HandoffUnavailable,
    handoff_from_settings,
    shared_backend,
    wait_minutes,
)
from schemas import AvroCodec, Escalation, Event, FinalReply
from schemas.events import Locale, derive_id
from schemas.exceptions import DecodeError
from streams.app import raw_topic
from streams.exceptions import BrokerError
from streams.settings import KafkaSettings
from streams.stage import IncomingMessage, Sender, dead_letter, wire_runner
from streams.topics import DEADLETTER, ESCALATIONS, RESPONSES, TopicSpec, topic_name

log = logging.getLogger(__name__)

HANDOFF_AGENT = "handoff"
ATTEMPTS = 3
BACKOFF_S = 0.2
Emit = Callable[[TopicSpec, Event], Awaitable[None]]


def wait_phrase(locale: Locale, eta_s: float) -> str:
    """「約3分」 / "about 3 minutes"."""
    minutes = wait_minutes(eta_s)
    if locale == "ja":
        return f"約{minutes}分"
    return "about 1 minute" if minutes == 1 else f"about {minutes} minutes"


def notice_text(escalation: Escalation, acceptance: Acceptance) -> str | None:
    """What the shopper is told once the hand-off is taken; None when a person is already there.

    An escalation the shopper asked for was answered with 「担当者におつなぎします」
    already, so its follow-up only gives the wait; any other one says it first.
    """
    if acceptance.status != "waiting":
        return None
    locale = escalation.locale
    # The same escalation again (a redelivery) says what it said the first time.
    first = acceptance.new or acceptance.reference == escalation.event_id
    if not first:
        lead = templates.HANDOFF_STILL_WAITING.render(locale)
    elif escalation.reason == "shopper_request":
        lead = ""
    else:
        lead = templates.HANDOFF_OFFER.render(locale)
    if acceptance.eta_s is None or acceptance.position is None:
        wait = templates.HANDOFF_SOON.render(locale)
    else:
        wait = templates.HANDOFF_WAIT.render(
            locale, wait=wait_phrase(locale, acceptance.eta_s), position=str(acceptance.position)
        )
    return templates.join_sentences(locale, lead, wait)


def follow_up(escalation: Escalation, text: str, label: str) -> FinalReply:
    """A reply to the session outside any turn the shopper started (ids derive from ``label``)."""
    return FinalReply(
        event_id=derive_id(escalation.event_id, f"{label}-reply"),
        session_id=escalation.session_id,
        turn_id=derive_id(escalation.event_id, f"{label}-turn"),
        status="ok",
        text=text,
        chunk_count=0,
        intent="escalation",
        path="template",
        received_ts=escalation.ts,
    )


class HandoffRunner:
    """Hands off one ``chat.escalations`` record and emits what the shopper is told.

    Like :class:`~streams.stage.StageRunner`, nothing stops it: an undecodable
    record or a failed hand-off is dead-lettered (without the stage runner's
    error reply: the shopper's turn was already answered).
    """

    def __init__(
        self,
        backend: HandoffBackend,
        codec: AvroCodec,
        emit: Emit,
        *,
        attempts: int = ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        name: str = HANDOFF_AGENT,
    ) -> None:
        self.name = name
        self._backend = backend
        self._codec = codec
        self._emit = emit
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self.processed = 0
        self.dead_lettered = 0

    @property
    def handled(self) -> int:
        """Records this runner has finished with (``streams.testing.put`` waits on it)."""
        return self.processed + self.dead_lettered

    async def __call__(self, message: IncomingMessage) -> None:
        try:
            escalation = self._codec.decode_as(message.value, Escalation)
        except DecodeError as exc:
            await self._dead_letter(message, exc, None)
            return
        try:
            acceptance = await self.hand_off(escalation)
        except Exception as exc:  # the shopper was promised a person: say it failed
            log.exception("hand-off of %s failed", escalation.event_id)
            await self._dead_letter(message, exc, escalation)
            text = templates.HANDOFF_UNAVAILABLE.render(escalation.locale)
            await self._emit(RESPONSES, follow_up(escalation, text, "handoff-unavailable"))
            return
        notice = notice_text(escalation, acceptance)
        if notice:
            await self._emit(RESPONSES, follow_up(escalation, notice, "handoff"))
        self.processed += 1

    async def hand_off(self, escalation: Escalation) -> Acceptance:
        """``backend.accept``, tried again while the backend is unavailable."""
        for attempt in range(1, self._attempts + 1):
            try:
                return await self._backend.accept(escalation)
            except HandoffUnavailable as exc:
                if attempt == self._attempts:
                    raise
                log.warning("hand-off of %s, attempt %d: %s", escalation.event_id, attempt, exc)
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _dead_letter(
        self, message: IncomingMessage, exc: Exception, event: Escalation | None
    ) -> None:
        self.dead_lettered += 1
        await self._emit(DEADLETTER, dead_letter(self.name, message, exc, event))


def register_handoff(
    app: faust.App,
    kafka: KafkaSettings,
    codec: AvroCodec,
    queue: HandoffBackend | None = None,
    sender: Sender | None = None,
) -> dict[str, AgentT[Any]]:
    """Declare the hand-off agent on ``app``; returns it by name (or nothing, see below).

    ``queue`` is the backend to hand off into; by default the one
    :class:`HandoffSettings` names. With the default in-process local queue
    nothing is registered: that queue lives in the bridge that serves the
    console, which reads ``chat.escalations`` itself (:class:`EscalationFeed`).
    ``sender`` defaults to the app's producer; tests pass a recording one.
    """
    owned = queue is None
    if queue is None:
        settings = HandoffSettings()
        if not shared_backend(settings):
            log.info("hand-off queue in-process: the bridge's console reads chat.escalations")
            return {}
        queue = handoff_from_settings(settings)
    backend = queue
    if sender is None:
        outputs = {spec: raw_topic(app, spec, kafka) for spec in (RESPONSES, DEADLETTER)}

        async def send(
            spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]
        ) -> None:
            await outputs[spec].send(key=key, value=value, headers=dict(headers))

        sender = Sender(codec, send)
    runner = HandoffRunner(backend, codec, sender.send)

    wired = wire_runner(app, raw_topic(app, ESCALATIONS, kafka), HANDOFF_AGENT, runner)
    if owned:

        async def close_backend(app: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
            await backend.aclose()

        app.on_before_shutdown.connect(close_backend)
    return {HANDOFF_AGENT: wired}


class EscalationFeed:
    """``chat.escalations`` for a bridge that keeps the in-process queue.

    Like the bridge's reply source it reads every partition without a consumer
    group, from the end at start: escalations made while it was down are not
    queued (the in-process queue was lost with it anyway). Two such bridges would
    each queue every escalation; use the Redis queue to run more than one.
    """

    def __init__(
        self,
        kafka: KafkaSettings,
        runner: HandoffRunner,
        *,
        assignment_timeout_s: float = 30.0,
    ) -> None:
        self._kafka = kafka
        self._runner = runner
        self._assignment_timeout_s = assignment_timeout_s
        self._consumer: Any = None
        self._task: asyncio.Task[None] | None = None

    @property
    def topic(self) -> str:
        return topic_name(ESCALATIONS, self._kafka.topic_prefix)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap_servers,
            client_id="mangaassist-bridge-handoff",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            fetch_max_wait_ms=self._kafka.fetch_max_wait_ms,
        )
        consumer.subscribe([self.topic])
        try:
            await consumer.start()
            async with asyncio.timeout(self._assignment_timeout_s):
                while not consumer.assignment():  # noqa: ASYNC110 - aiokafka has no public wait
                    await asyncio.sleep(0.05)
            partitions = sorted(consumer.assignment())
            await consumer.seek_to_end(*partitions)
            for partition in partitions:  # resolve "the end" now, before anything is produced
                await consumer.position(partition)
        except (KafkaError, TimeoutError) as exc:
            await consumer.stop()
            raise BrokerError(f"cannot start reading {self.topic}: {exc}") from exc
        self._consumer = consumer
        self._task = asyncio.create_task(self._run(), name="bridge-handoff-feed")

    async def _run(self) -> None:
        try:
            async for record in self._consumer:
                await self._runner(
                    IncomingMessage(
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        key=record.key,
                        value=record.value,
                        headers={str(k): bytes(v or b"") for k, v in (record.headers or ())},
                    )
                )
        except Exception:
            log.exception("the hand-off feed stopped; escalations are no longer queued")
            raise

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()
