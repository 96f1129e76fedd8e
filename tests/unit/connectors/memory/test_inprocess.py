import pytest

from connectors.memory import Conversation, InProcessMemory
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.memory.helpers import FakeClock, ids, make_turn


async def test_expiry_is_exact_on_the_injected_clock() -> None:
    clock = FakeClock()
    memory = InProcessMemory(max_turns=3, ttl_s=10, clock=clock)
    await memory.remember("s", make_turn(1))
    clock.advance(9.999)
    assert ids((await memory.load("s")).turns) == ["t1"]
    clock.advance(0.001)
    assert await memory.load("s") == Conversation(session_id="s")
    assert len(memory) == 0


async def test_a_write_that_changes_nothing_does_not_extend_the_ttl() -> None:
    clock = FakeClock()
    memory = InProcessMemory(max_turns=3, ttl_s=10, clock=clock)
    await memory.remember("s", make_turn(1))
    clock.advance(6)
    await memory.remember("s", make_turn(1))
    clock.advance(6)
    assert await memory.load("s") == Conversation(session_id="s")


async def test_past_max_sessions_the_least_recently_written_is_evicted() -> None:
    memory = InProcessMemory(max_turns=3, ttl_s=60, max_sessions=3, clock=FakeClock())
    for session_id in ("a", "b", "c"):
        await memory.remember(session_id, make_turn(1))
    await memory.remember("a", make_turn(2))  # "b" is now the least recently written
    await memory.load("b")  # reading does not count
    await memory.remember("d", make_turn(1))
    assert len(memory) == 3
    assert await memory.load("b") == Conversation(session_id="b")
    assert ids((await memory.load("a")).turns) == ["t1", "t2"]


async def test_expired_sessions_are_dropped_by_later_writes() -> None:
    clock = FakeClock()
    memory = InProcessMemory(max_turns=3, ttl_s=10, clock=clock)
    for number in range(50):
        await memory.remember(f"old-{number}", make_turn(1))
    clock.advance(11)
    await memory.remember("new", make_turn(1))
    assert len(memory) == 1


async def test_aclose_forgets_everything() -> None:
    memory = InProcessMemory()
    await memory.remember("s", make_turn(1))
    await memory.aclose()
    assert len(memory) == 0


@pytest.mark.parametrize(
    ("max_turns", "ttl_s", "max_sessions"), [(0, 10, 1), (1, 0, 1), (1, 10, 0)]
)
def test_limits_that_cannot_work_are_refused(
    max_turns: int, ttl_s: float, max_sessions: int
) -> None:
    with pytest.raises(ConfigurationError):
        InProcessMemory(max_turns, ttl_s, max_sessions=max_sessions)
