"""The session hub on its own: routing, holding, backlog, de-duplication, timeouts, overflow."""

import asyncio

from bridge.hub import SessionHub
from bridge.testing import reply_events
from schemas import ChatTurn


def replies(session_id="s1", turn_id="t1", texts=("a", "b")):
    return reply_events(ChatTurn(session_id=session_id, turn_id=turn_id, text="q"), texts)


def drain(subscription):
    frames = []
    while not subscription._queue.empty():
        frames.append(subscription._queue.get_nowait())
    return frames


async def test_replies_of_unknown_sessions_are_ignored():
    hub = SessionHub(1.0)
    for event in replies("elsewhere"):
        hub.dispatch(event)
    assert hub._sessions == {}


async def test_replies_before_the_ack_are_held_until_confirmed():
    hub = SessionHub(1.0)
    subscription = hub.subscribe("s1")
    hub.begin_turn("s1", "t1")
    for event in replies():
        hub.dispatch(event)
    assert drain(subscription) == []
    hub.confirm_turn("s1", "t1")
    assert [f["type"] for f in drain(subscription)] == ["chunk", "chunk", "final"]
    assert hub._sessions["s1"].turns == {}


async def test_abandoned_turn_is_forgotten():
    hub = SessionHub(1.0)
    hub.begin_turn("s1", "t1")
    hub.abandon_turn("s1", "t1")
    assert hub._sessions == {}


async def test_frames_without_subscribers_wait_in_a_bounded_backlog():
    hub = SessionHub(1.0, backlog_frames=2)
    hub.begin_turn("s1", "t1")
    hub.confirm_turn("s1", "t1")
    for event in replies(texts=("a", "b", "c")):
        hub.dispatch(event)
    subscription = hub.subscribe("s1", greeting={"type": "ready"})
    assert [f["type"] for f in drain(subscription)] == ["ready", "chunk", "final"]


async def test_backlogs_are_kept_for_a_bounded_number_of_sessions():
    hub = SessionHub(1.0, backlog_sessions=1)
    for session_id in ("s1", "s2"):
        hub.begin_turn(session_id, "t1")
        hub.confirm_turn(session_id, "t1")
        hub.dispatch(replies(session_id)[-1])
    assert list(hub._sessions) == ["s2"]


async def test_duplicates_are_dispatched_once():
    hub = SessionHub(1.0)
    subscription = hub.subscribe("s1")
    chunk, final = replies(texts=("a",))
    for event in (chunk, chunk, final, final):
        hub.dispatch(event)
    assert [f["type"] for f in drain(subscription)] == ["chunk", "final"]


async def test_a_turn_without_final_times_out_once():
    hub = SessionHub(0.01)
    subscription = hub.subscribe("s1")
    hub.begin_turn("s1", "t1")
    hub.confirm_turn("s1", "t1")
    await asyncio.sleep(0.05)
    for event in replies():
        hub.dispatch(event)
    assert drain(subscription) == [
        {"type": "error", "code": "timeout", "message": "no reply within 0.01 s", "turn_id": "t1"}
    ]


async def test_a_final_cancels_the_timeout():
    hub = SessionHub(0.01)
    subscription = hub.subscribe("s1")
    hub.begin_turn("s1", "t1")
    hub.confirm_turn("s1", "t1")
    hub.dispatch(replies(texts=())[-1])
    await asyncio.sleep(0.05)
    assert [f["type"] for f in drain(subscription)] == ["final"]


async def test_a_subscriber_that_falls_behind_is_dropped():
    hub = SessionHub(1.0, max_frames_per_subscriber=2)
    slow, fast = hub.subscribe("s1"), hub.subscribe("s1")
    for event in replies(texts=("a", "b")):
        hub.dispatch(event)
        drain(fast)
    assert slow.overflowed
    assert await slow.next_frame() is None
    assert hub._sessions["s1"].subscribers == {fast}


async def test_unsubscribe_ends_the_subscription():
    hub = SessionHub(1.0)
    subscription = hub.subscribe("s1", greeting={"type": "ready"})
    hub.unsubscribe(subscription)
    assert [frame async for frame in subscription] == [{"type": "ready"}]
    assert hub._sessions == {}


async def test_a_turn_ends_at_its_first_final_even_if_another_one_follows():
    hub = SessionHub(1.0)
    subscription = hub.subscribe("s1")
    hub.begin_turn("s1", "t1")
    hub.confirm_turn("s1", "t1")
    *chunks, final = replies(texts=("a",))
    error_final = final.model_copy(update={"event_id": "another-id", "status": "error"})
    for event in (*chunks, final, error_final, chunks[0].model_copy(update={"event_id": "late"})):
        hub.dispatch(event)
    frames = drain(subscription)
    assert [f["type"] for f in frames] == ["chunk", "final"]
    assert frames[-1]["status"] == "ok"
