"""What every ConversationMemory backend promises, run against each of them.

The ``backend`` fixture decides which: in-process here; Redis and DynamoDB in
``tests/integration/connectors/memory``, which imports these tests.
"""

import asyncio

from connectors.memory import Conversation
from tests.unit.connectors.memory.helpers import Backend, ids, make_turn, rich_turn


async def test_an_unknown_session_loads_empty(backend: Backend) -> None:
    memory = backend.make()
    assert await memory.load("nobody") == Conversation(session_id="nobody")


async def test_a_turn_loads_back_whole(backend: Backend) -> None:
    memory = backend.make()
    turn = rich_turn()
    await memory.remember("s", turn)
    conversation = await memory.load("s")
    assert conversation == Conversation(session_id="s", turns=(turn,))
    assert conversation.turns[0].at.utcoffset() == turn.at.utcoffset()
    assert conversation.last_shown()[1].id == "B0ABCDEFGH"


async def test_only_the_newest_max_turns_are_kept_oldest_first(backend: Backend) -> None:
    memory = backend.make(max_turns=3)
    for number in range(1, 6):
        await memory.remember("s", make_turn(number))
    assert ids((await memory.load("s")).turns) == ["t3", "t4", "t5"]


async def test_a_turn_remembered_twice_is_kept_once(backend: Backend) -> None:
    memory = backend.make(max_turns=5)
    await memory.remember("s", make_turn(1))
    await memory.remember("s", make_turn(1))
    assert ids((await memory.load("s")).turns) == ["t1"]


async def test_a_redelivered_turn_does_not_move(backend: Backend) -> None:
    memory = backend.make(max_turns=5)
    for number in (1, 2, 3):
        await memory.remember("s", make_turn(number))
    await memory.remember("s", make_turn(1))
    assert ids((await memory.load("s")).turns) == ["t1", "t2", "t3"]


async def test_a_redelivered_trimmed_turn_does_not_come_back(backend: Backend) -> None:
    memory = backend.make(max_turns=2)
    for number in (1, 2, 3):
        await memory.remember("s", make_turn(number))
    await memory.remember("s", make_turn(1))
    assert ids((await memory.load("s")).turns) == ["t2", "t3"]


async def test_late_turns_take_their_place_in_time(backend: Backend) -> None:
    memory = backend.make(max_turns=3)
    for number in (4, 2, 3, 1):
        await memory.remember("s", make_turn(number))
    assert ids((await memory.load("s")).turns) == ["t2", "t3", "t4"]


async def test_turns_at_the_same_instant_keep_arrival_order(backend: Backend) -> None:
    memory = backend.make(max_turns=3)
    for turn_id in ("b", "a", "c"):
        await memory.remember("s", make_turn(1, turn_id=turn_id))
    assert ids((await memory.load("s")).turns) == ["b", "a", "c"]


async def test_sessions_are_kept_apart(backend: Backend) -> None:
    memory = backend.make()
    await memory.remember("s1", make_turn(1))
    await memory.remember("s2", make_turn(2))
    assert ids((await memory.load("s1")).turns) == ["t1"]
    assert ids((await memory.load("s2")).turns) == ["t2"]


async def test_forget_drops_one_session(backend: Backend) -> None:
    memory = backend.make()
    await memory.remember("s1", make_turn(1))
    await memory.remember("s2", make_turn(2))
    await memory.forget("s1")
    await memory.forget("never-seen")
    assert await memory.load("s1") == Conversation(session_id="s1")
    assert ids((await memory.load("s2")).turns) == ["t2"]
    await memory.remember("s1", make_turn(3))
    assert ids((await memory.load("s1")).turns) == ["t3"]


async def test_a_session_expires_ttl_after_its_last_write(backend: Backend) -> None:
    memory = backend.make(ttl_s=1.0)
    await memory.remember("s", make_turn(1))
    await backend.elapse(0.6)
    await memory.remember("s", make_turn(2))
    await backend.elapse(0.6)  # past the first write's TTL, within the second's
    assert ids((await memory.load("s")).turns) == ["t1", "t2"]
    await backend.elapse(1.0)
    assert await memory.load("s") == Conversation(session_id="s")


async def test_concurrent_and_repeated_remembers_lose_and_double_nothing(
    backend: Backend,
) -> None:
    memory = backend.make(max_turns=10)
    turns = [make_turn(number, shown=number % 3) for number in range(1, 7)]
    await asyncio.gather(*(memory.remember("s", turn) for turn in turns + turns[::-1]))
    conversation = await memory.load("s")
    assert conversation.turns == tuple(turns)
    assert conversation.last_shown() == turns[4].shown
