"""The gateway over scripted clients: timeouts are real but tiny, sleeps and clocks are fake."""

from __future__ import annotations

import time
from typing import Any

import pytest

from connectors.llm import (
    LlmCircuitOpen,
    LlmDone,
    LlmError,
    LlmGateway,
    LlmRejected,
    LlmSettings,
    LlmUnavailable,
    TextDelta,
)
from tests.unit.connectors.llm.helpers import (
    REQUEST,
    FakeClock,
    RecordedSleep,
    ScriptedClient,
    Stall,
)


def make(client: ScriptedClient, **overrides: Any) -> tuple[LlmGateway, RecordedSleep, FakeClock]:
    values: dict[str, Any] = {
        "max_retries": 2,
        "backoff_base_s": 0.2,
        "backoff_max_s": 2.0,
        "first_token_timeout_s": 5.0,
        "total_timeout_s": 30.0,
        "breaker_failure_threshold": 5,
        "breaker_cooldown_s": 30.0,
    }
    values.update(overrides)
    sleep, clock = RecordedSleep(), FakeClock()
    gateway = LlmGateway(
        client, LlmSettings(**values), sleep=sleep, random=lambda: 0.5, clock=clock
    )
    return gateway, sleep, clock


async def collect(gateway: LlmGateway) -> list[Any]:
    return [event async for event in gateway.stream(REQUEST)]


async def drain_text(gateway: LlmGateway, seen: list[str]) -> None:
    """Stream into ``seen`` (text only), so what came before an error can be checked."""
    async for event in gateway.stream(REQUEST):
        if isinstance(event, TextDelta):
            seen.append(event.text)


async def test_passes_the_stream_through() -> None:
    client = ScriptedClient()
    gateway, sleep, _ = make(client)
    assert await collect(gateway) == [
        TextDelta("Hello"),
        TextDelta(" there."),
        LlmDone(5, 2, "end_turn"),
    ]
    assert (client.calls, client.finished, sleep.delays) == (1, 1, [])
    assert gateway.breaker.state == "closed"


async def test_retries_before_the_first_delta_with_exponential_backoff() -> None:
    client = ScriptedClient([LlmUnavailable("503")], [TextDelta(""), LlmUnavailable("reset")])
    gateway, sleep, _ = make(client)
    events = await collect(gateway)
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Hello", " there."]
    assert client.calls == 3
    assert sleep.delays == [0.5 * 0.2, 0.5 * 0.4]  # random() * base * 2**(retry-1)
    assert client.finished == 3  # every abandoned attempt was closed


async def test_gives_up_after_max_retries() -> None:
    client = ScriptedClient(*[[LlmUnavailable(f"down {n}")] for n in range(3)])
    gateway, sleep, _ = make(client)
    with pytest.raises(LlmUnavailable, match="down 2"):
        await collect(gateway)
    assert (client.calls, len(sleep.delays)) == (3, 2)


async def test_never_retries_once_text_has_been_streamed() -> None:
    client = ScriptedClient([TextDelta("Half an ans"), LlmUnavailable("connection reset")])
    gateway, sleep, _ = make(client)
    seen: list[str] = []
    with pytest.raises(LlmUnavailable, match="connection reset"):
        await drain_text(gateway, seen)
    assert seen == ["Half an ans"]
    assert (client.calls, sleep.delays) == (1, [])


async def test_a_rejection_is_not_retried_and_does_not_trip_the_breaker() -> None:
    client = ScriptedClient([LlmRejected("400 bad request")])
    gateway, sleep, _ = make(client, breaker_failure_threshold=1)
    with pytest.raises(LlmRejected):
        await collect(gateway)
    assert (client.calls, sleep.delays, gateway.breaker.state) == (1, [], "closed")


async def test_other_errors_pass_through_untouched() -> None:
    client = ScriptedClient([LlmError("odd")])
    gateway, _, _ = make(client)
    with pytest.raises(LlmError, match="odd"):
        await collect(gateway)
    assert client.calls == 1


def test_backoff_is_capped_and_jittered() -> None:
    gateway, _, _ = make(ScriptedClient(), backoff_base_s=0.5, backoff_max_s=1.5)
    assert [gateway.backoff_s(n) for n in (1, 2, 3, 4)] == [0.25, 0.5, 0.75, 0.75]


async def test_first_token_timeout_is_retried() -> None:
    client = ScriptedClient([Stall()])
    gateway, sleep, _ = make(client, first_token_timeout_s=0.05, total_timeout_s=1.0)
    started = time.monotonic()
    events = await collect(gateway)
    assert events[-1] == LlmDone(5, 2, "end_turn")
    assert client.calls == 2
    assert client.finished == 2  # the stalled attempt was closed
    assert len(sleep.delays) == 1
    assert time.monotonic() - started < 0.5


async def test_total_timeout_after_text_fails_without_retry() -> None:
    client = ScriptedClient([TextDelta("Once"), Stall()])
    gateway, sleep, _ = make(client, first_token_timeout_s=0.05, total_timeout_s=0.1)
    seen: list[str] = []
    with pytest.raises(LlmUnavailable, match="end of the answer"):
        await drain_text(gateway, seen)
    assert (seen, client.calls, sleep.delays) == (["Once"], 1, [])


async def test_a_stream_without_its_final_event_is_unavailable() -> None:
    client = ScriptedClient([TextDelta("cut")])
    gateway, _, _ = make(client)
    with pytest.raises(LlmUnavailable, match="without its final event"):
        await collect(gateway)


async def test_the_breaker_opens_and_then_fails_fast_without_calling() -> None:
    client = ScriptedClient(*[[LlmUnavailable("down")] for _ in range(3)])
    gateway, _, clock = make(client, max_retries=0, breaker_failure_threshold=3)
    for _ in range(3):
        with pytest.raises(LlmUnavailable):
            await collect(gateway)
    with pytest.raises(LlmCircuitOpen):
        await collect(gateway)
    assert client.calls == 3
    clock.advance(30)
    assert len(await collect(gateway)) == 3  # the trial succeeds
    assert gateway.breaker.state == "closed"


async def test_retries_stop_when_the_breaker_opens() -> None:
    client = ScriptedClient(*[[LlmUnavailable("down")] for _ in range(5)])
    gateway, sleep, _ = make(client, max_retries=4, breaker_failure_threshold=2)
    with pytest.raises(LlmUnavailable, match="down"):
        await collect(gateway)
    assert (client.calls, len(sleep.delays)) == (2, 1)
    with pytest.raises(LlmCircuitOpen) as caught:
        await collect(gateway)
    assert isinstance(caught.value, LlmUnavailable)  # callers catching LlmUnavailable see it
    assert client.calls == 2


async def test_only_one_trial_runs_while_half_open() -> None:
    client = ScriptedClient([LlmUnavailable("down")])
    gateway, _, clock = make(client, max_retries=0, breaker_failure_threshold=1)
    with pytest.raises(LlmUnavailable):
        await collect(gateway)
    clock.advance(30)
    trial = gateway.stream(REQUEST)
    assert await anext(trial) == TextDelta("Hello")  # the trial is under way
    with pytest.raises(LlmCircuitOpen, match="trial"):
        await collect(gateway)
    assert [e async for e in trial][-1] == LlmDone(5, 2, "end_turn")
    assert gateway.breaker.state == "closed"


async def test_closing_early_closes_the_attempt_and_frees_the_trial() -> None:
    client = ScriptedClient([LlmUnavailable("down")])
    gateway, _, clock = make(client, max_retries=0, breaker_failure_threshold=1)
    with pytest.raises(LlmUnavailable):
        await collect(gateway)
    clock.advance(30)
    trial = gateway.stream(REQUEST)
    await anext(trial)
    await trial.aclose()
    assert client.finished == client.calls == 2
    assert len(await collect(gateway)) == 3  # a new trial was allowed


async def test_aclose_closes_the_primary() -> None:
    client = ScriptedClient()
    gateway, _, _ = make(client)
    await gateway.aclose()
    assert client.closed
