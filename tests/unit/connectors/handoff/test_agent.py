"""The hand-off agent (streams/handoff_agent.py): chat.escalations → the queue, the shopper told."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from faust.types import AgentT

from connectors.handoff import (
    Acceptance,
    HandoffRejected,
    HandoffUnavailable,
    InProcessHandoffQueue,
)
from schemas import DeadLetter, Escalation, FinalReply, default_codec
from streams.app import create_app
from streams.handoff_agent import (
    HANDOFF_AGENT,
    HandoffRunner,
    notice_text,
    register_handoff,
)
from streams.settings import KafkaSettings
from streams.stage import IncomingMessage
from streams.testing import RecordingSender, put
from streams.topics import DEADLETTER, ESCALATIONS, RESPONSES, TopicSpec
from tests.unit.connectors.handoff.helpers import escalation

CODEC = default_codec()


@contextlib.asynccontextmanager
async def handoff_agent(
    queue: InProcessHandoffQueue, *, with_pipeline: bool = False
) -> AsyncIterator[tuple[AgentT[Any], RecordingSender]]:
    """The agent on an app that never starts (as ``streams.testing.pipeline_under_test``)."""
    app = create_app("pipeline", KafkaSettings(app_id="test-handoff"))
    sender = RecordingSender(CODEC)
    if with_pipeline:
        from streams.pipeline import register_pipeline

        register_pipeline(app, KafkaSettings(), CODEC, sender)
    agents = register_handoff(app, KafkaSettings(), CODEC, queue, sender)
    app.finalize()
    app.flow_control.resume()
    try:
        yield agents[HANDOFF_AGENT], sender
    finally:
        consumer = app._consumer
        if consumer is not None:
            consumer._thread.thread_loop.close()


def notices(sender: RecordingSender) -> list[FinalReply]:
    return [event for event in sender.on(RESPONSES) if isinstance(event, FinalReply)]


async def test_an_escalation_is_queued_and_the_shopper_told_the_wait() -> None:
    queue = InProcessHandoffQueue(180)
    await queue.enqueue(escalation("someone-else"))
    async with handoff_agent(queue) as (agent, sender):
        await put(agent, CODEC, escalation(reason="negative_sentiment"))
    [placed, *_] = [p for p in await queue.waiting() if p.ticket.session_id == "s-1"]
    assert (placed.position, placed.eta_s) == (2, 360.0)
    [notice] = notices(sender)
    assert notice.text == (
        "担当者におつなぎします。お待ちいただく時間の目安は約6分です（2番目にご案内します）。"
    )
    assert (notice.session_id, notice.status, notice.path, notice.intent) == (
        "s-1",
        "ok",
        "template",
        "escalation",
    )
    assert notice.turn_id not in ("", "turn-s-1")  # a turn of its own
    assert notice.chunk_count == 0
    assert sender.sent[0].key == b"s-1"


async def test_a_redelivered_escalation_is_queued_once_and_told_the_same() -> None:
    queue = InProcessHandoffQueue(180)
    async with handoff_agent(queue) as (agent, sender):
        await put(agent, CODEC, escalation())
        await put(agent, CODEC, escalation())
    assert len(await queue.waiting()) == 1
    first, second = notices(sender)
    # The same ids: the bridge drops the repeat.
    assert (first.event_id, first.turn_id, first.text) == (
        second.event_id,
        second.turn_id,
        second.text,
    )
    assert first.text == "お待ちいただく時間の目安は約3分です（1番目にご案内します）。"


async def test_the_agent_runs_beside_the_pipeline_on_one_app() -> None:
    queue = InProcessHandoffQueue(60)
    async with handoff_agent(queue, with_pipeline=True) as (agent, sender):
        await put(agent, CODEC, escalation(locale="en", reason="repeated_failure"))
    [notice] = notices(sender)
    assert notice.text == (
        "Let me connect you with a member of our support team. "
        "The wait is about 1 minute (you are number 1 in line)."
    )


def test_register_handoff_leaves_an_in_process_queue_to_the_bridge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("BACKEND", "REDIS_URL"):
        monkeypatch.delenv(f"MANGAASSIST_HANDOFF_{name}", raising=False)
    app = create_app("pipeline", KafkaSettings(app_id="test-handoff-default"))
    assert register_handoff(app, KafkaSettings(), CODEC) == {}


@pytest.mark.parametrize(
    ("acceptance", "locale", "reason", "text"),
    [
        (
            Acceptance("esc-s-1", "waiting", True, 1, 180.0),
            "ja",
            "shopper_request",
            "お待ちいただく時間の目安は約3分です（1番目にご案内します）。",
        ),
        (
            Acceptance("esc-s-1", "waiting", True, 3, 540.0),
            "en",
            "guardrail_blocks",
            "Let me connect you with a member of our support team. "
            "The wait is about 9 minutes (you are number 3 in line).",
        ),
        (
            Acceptance("esc-earlier", "waiting", False, 2, 360.0),
            "ja",
            "negative_sentiment",
            "担当者におつなぎするまで、もうしばらくお待ちください。"
            "お待ちいただく時間の目安は約6分です（2番目にご案内します）。",
        ),
        (
            Acceptance("contact-1", "waiting", True),
            "ja",
            "repeated_failure",
            "担当者におつなぎします。まもなく担当者がご対応します。このままお待ちください。",
        ),
        (Acceptance("esc-earlier", "claimed", False), "ja", "shopper_request", None),
    ],
)
def test_what_the_shopper_is_told(
    acceptance: Acceptance, locale: str, reason: str, text: str | None
) -> None:
    assert notice_text(escalation(locale=locale, reason=reason), acceptance) == text


class Flaky:
    """A backend down for its first ``failures`` calls."""

    def __init__(self, failures: int, error: Exception | None = None) -> None:
        self.failures = failures
        self.calls = 0
        self.error = error or HandoffUnavailable("Redis is down")
        self.queue = InProcessHandoffQueue(180)

    async def accept(self, escalation: Escalation) -> Acceptance:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return await self.queue.accept(escalation)

    async def aclose(self) -> None:
        pass


class Recorder:
    def __init__(self) -> None:
        self.emitted: list[tuple[TopicSpec, Any]] = []

    async def __call__(self, spec: TopicSpec, event: Any) -> None:
        self.emitted.append((spec, event))


def message(value: bytes | None) -> IncomingMessage:
    return IncomingMessage(ESCALATIONS.name, 0, 7, b"s-1", value, {"turn_id": b"turn-s-1"})


async def test_a_backend_that_comes_back_is_tried_again() -> None:
    backend, emit = Flaky(failures=2), Recorder()
    runner = HandoffRunner(backend, CODEC, emit, backoff_s=0)
    await runner(message(CODEC.encode(escalation())))
    assert backend.calls == 3
    assert [spec for spec, _ in emit.emitted] == [RESPONSES]
    assert (runner.processed, runner.dead_lettered) == (1, 0)


@pytest.mark.parametrize(
    ("backend", "calls"),
    [(Flaky(failures=9), 3), (Flaky(failures=9, error=HandoffRejected("bad flow id")), 1)],
)
async def test_a_failed_hand_off_is_dead_lettered_and_the_shopper_told(
    backend: Flaky, calls: int
) -> None:
    emit = Recorder()
    runner = HandoffRunner(backend, CODEC, emit, backoff_s=0)
    await runner(message(CODEC.encode(escalation(locale="en"))))
    assert backend.calls == calls
    (letter_spec, letter), (notice_spec, notice) = emit.emitted
    assert (letter_spec, notice_spec) == (DEADLETTER, RESPONSES)
    assert isinstance(letter, DeadLetter)
    assert (letter.stage, letter.session_id, letter.source_offset) == ("handoff", "s-1", 7)
    assert notice.text.startswith("Sorry, I can't reach our support team right now.")
    assert (runner.processed, runner.dead_lettered) == (0, 1)


async def test_an_undecodable_record_is_dead_lettered_quietly() -> None:
    emit = Recorder()
    runner = HandoffRunner(Flaky(0), CODEC, emit)
    await runner(message(b"\x00garbage"))
    await runner(message(None))
    assert [spec for spec, _ in emit.emitted] == [DEADLETTER, DEADLETTER]
    assert runner.handled == 2
