"""Reconnecting with the last chunk seen: the missed frames, nothing lost, nothing repeated."""

import pytest
from starlette.websockets import WebSocketDisconnect

from bridge.replay import ReplayLog
from bridge.testing import reply_events
from schemas import ChatTurn


def frames(turn_id: str, *seqs: int, final: bool = True) -> list[dict[str, object]]:
    chunks = [
        {"type": "chunk", "turn_id": turn_id, "seq": s, "text": f"{turn_id}{s}"} for s in seqs
    ]
    return chunks + ([{"type": "final", "turn_id": turn_id, "text": "done"}] if final else [])


def test_the_log_replays_what_followed_the_last_chunk_seen() -> None:
    log = ReplayLog()
    for frame in frames("t1", 0, 1) + frames("t2", 0, final=False):
        log.record("s", frame)
    assert [f.get("seq") for f in log.after("s", "t1", 0)] == [1, None, 0]
    assert log.after("s", "t1", -1) == frames("t1", 0, 1) + frames("t2", 0, final=False)
    assert log.after("s", "t2", 0) == []
    assert log.after("s", "t3", -1) == []
    assert log.after("other", "t1", -1) == []


def test_the_log_is_bounded_per_session_and_in_sessions() -> None:
    log = ReplayLog(frames_per_session=2, sessions=1)
    for frame in frames("t1", 0, 1):
        log.record("s1", frame)
    assert log.after("s1", "t1", -1) == frames("t1", 1)  # chunk 0 fell out
    log.record("s2", frames("t9", 0, final=False)[0])
    assert log.after("s1", "t1", -1) == []


def away_after_the_first_chunk(bridge) -> tuple[dict[str, str], str]:
    """A session whose socket saw chunk 0 of a turn, then closed before chunk 1 and the final."""
    session = bridge.init()
    with bridge.connect(session["token"]) as ws:
        bridge.receive(ws)
        ws.send_json({"type": "message", "text": "hi"})
        turn_id = bridge.receive(ws)["turn_id"]
        turn = ChatTurn(session_id=session["session_id"], turn_id=turn_id, text="hi")
        first, second, final = reply_events(turn, ("a", "b"))
        bridge.responses.push(first)
        assert bridge.receive(ws)["seq"] == 0
    bridge.responses.push(second, final)  # while the client is away
    return session, turn_id


def test_a_reconnecting_socket_gets_only_the_frames_it_missed(bridge):
    session, turn_id = away_after_the_first_chunk(bridge)
    resume = f"&resume_turn={turn_id}&resume_seq=0"
    with bridge.client.websocket_connect(f"/chat/ws?token={session['token']}{resume}") as ws:
        bridge.receive(ws)  # ready
        missed = [bridge.receive(ws), bridge.receive(ws)]
    assert [(f["type"], f.get("seq")) for f in missed] == [("chunk", 1), ("final", None)]


def test_a_session_cannot_resume_another_sessions_turn(bridge):
    victim = bridge.init()
    with bridge.connect(victim["token"]) as ws:
        bridge.receive(ws)
        turn = ChatTurn(session_id=victim["session_id"], turn_id="t-secret", text="q")
        bridge.responses.push(*reply_events(turn, ("private",)))
        assert bridge.receive_until(ws, "final")[0]["text"] == "private"  # now in the log
    intruder = bridge.init()
    url = f"/chat/ws?token={intruder['token']}&resume_turn=t-secret&resume_seq=-1"
    with bridge.client.websocket_connect(url) as ws:
        bridge.receive(ws)  # ready
        ws.send_json({"type": "ping"})
        assert bridge.receive(ws) == {"type": "pong"}  # and nothing of the victim's before it


def test_a_malformed_resume_point_closes_with_1008(bridge):
    session = bridge.init()
    url = f"/chat/ws?token={session['token']}&resume_turn=t1&resume_seq=soon"
    with bridge.client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as closed:
        bridge.receive(ws)
    assert closed.value.code == 1008


def test_the_sse_stream_resumes_the_same_way(bridge):
    session, turn_id = away_after_the_first_chunk(bridge)
    params = {"resume_turn": turn_id, "resume_seq": "0"}
    auth = bridge.bearer(session["token"])
    with bridge.client.stream("GET", "/chat/stream", params=params, headers=auth) as stream:
        frames = bridge.read_sse(stream.iter_lines(), "final")
    assert [(f["type"], f.get("seq")) for f in frames] == [
        ("ready", None),
        ("chunk", 1),
        ("final", None),
    ]
