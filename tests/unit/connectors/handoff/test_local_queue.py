"""The in-process hand-off queue, through the queue contract, and what only it does."""

from __future__ import annotations

import pytest

from connectors.handoff import (
    HandoffSettings,
    InProcessHandoffQueue,
    RedisHandoffQueue,
    local_queue_from_settings,
    wait_minutes,
)
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.handoff.helpers import FakeClock, escalation
from tests.unit.connectors.handoff.queue_contract import AVERAGE_HANDLE_S, QueueContract


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue(clock: FakeClock) -> InProcessHandoffQueue:
    return InProcessHandoffQueue(AVERAGE_HANDLE_S, clock=clock)


class TestInProcessQueue(QueueContract):
    pass


async def test_only_the_newest_closed_tickets_are_kept() -> None:
    queue = InProcessHandoffQueue(max_closed=2)
    for session in ("a", "b", "c"):
        await queue.enqueue(escalation(session))
        await queue.close(f"esc-{session}", "aiko")
    assert [(await queue.get(f"esc-{s}")).status for s in ("b", "c")] == ["closed", "closed"]
    with pytest.raises(Exception, match="no ticket esc-a"):
        await queue.get("esc-a")


@pytest.mark.parametrize(("eta_s", "minutes"), [(0, 1), (59, 1), (60, 1), (61, 2), (540, 9)])
def test_the_wait_is_announced_in_whole_minutes_rounded_up(eta_s: float, minutes: int) -> None:
    assert wait_minutes(eta_s) == minutes


async def test_the_settings_choose_redis_or_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REDIS_URL", "BACKEND", "AVERAGE_HANDLE_S"):
        monkeypatch.delenv(f"MANGAASSIST_HANDOFF_{name}", raising=False)
    local = local_queue_from_settings(HandoffSettings(average_handle_s=90))
    assert isinstance(local, InProcessHandoffQueue)
    assert local.average_handle_s == 90
    monkeypatch.setenv("MANGAASSIST_HANDOFF_REDIS_URL", "redis://127.0.0.1:1/0")
    shared = local_queue_from_settings(HandoffSettings())
    assert isinstance(shared, RedisHandoffQueue)
    await shared.aclose()


def test_a_queue_needs_a_positive_handle_time() -> None:
    with pytest.raises(ConfigurationError):
        InProcessHandoffQueue(0)
