"""The chat socket: the happy path, routing, de-duplication and timeouts."""

from bridge.testing import reply_events
from schemas import ChatTurn, Feedback
from streams.topics import TURNS


def test_socket_greets_with_ready(bridge):
    session = bridge.init()
    with bridge.connect(session["token"]) as ws:
        assert bridge.receive(ws) == {"type": "ready", "session_id": session["session_id"]}


def test_message_is_acked_and_published_as_a_chat_turn(bridge):
    session = bridge.init(locale="en")
    with bridge.connect(session["token"]) as ws:
        bridge.receive(ws)
        ws.send_json({"type": "message", "text": " Any new One Piece? ", "client_msg_id": "m1"})
        ack = bridge.receive(ws)
    spec, turn = bridge.publisher.published[-1]
    assert spec is TURNS
    assert ack == {"type": "ack", "turn_id": turn.turn_id, "client_msg_id": "m1"}
    assert isinstance(turn, ChatTurn)
    assert (turn.session_id, turn.text, turn.locale) == (
        session["session_id"],
        "Any new One Piece?",
        "en",
    )
    assert (turn.channel, turn.client_msg_id) == ("ws", "m1")


def test_frame_locale_overrides_the_session_locale(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_json({"type": "message", "text": "hello", "locale": "en"})
        bridge.receive(ws)
    assert bridge.publisher.events(ChatTurn)[-1].locale == "en"


def test_replies_reach_their_session_only(bridge):
    with bridge.connect() as mine, bridge.connect() as other:
        bridge.receive(mine), bridge.receive(other)
        mine.send_json({"type": "message", "text": "ワンピースの最新刊を教えて"})
        bridge.receive(mine)
        turn = bridge.publisher.events(ChatTurn)[-1]
        bridge.responses.push(*reply_events(turn, ["最新刊は", "110巻です。"]))
        frames = bridge.receive_until(mine, "final")
        other.send_json({"type": "ping"})
        assert bridge.receive(other) == {"type": "pong"}
    assert [f["text"] for f in frames] == ["最新刊は", "110巻です。", "最新刊は110巻です。"]
    assert [f["seq"] for f in frames[:2]] == [0, 1]
    assert frames[-1] | {"chunk_count": 2, "status": "ok", "turn_id": turn.turn_id} == frames[-1]


def test_duplicate_events_are_relayed_once(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_json({"type": "message", "text": "hi"})
        bridge.receive(ws)
        chunk, final = reply_events(bridge.publisher.events(ChatTurn)[-1], ["hello"])
        bridge.responses.push(chunk, chunk, final, chunk, final)
        frames = bridge.receive_until(ws, "final")
        ws.send_json({"type": "ping"})
        assert bridge.receive(ws) == {"type": "pong"}
    assert [f["type"] for f in frames] == ["chunk", "final"]


def test_missing_final_reply_times_out_once(make_bridge):
    bridge = make_bridge(reply_timeout_s=0.05)
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_json({"type": "message", "text": "hi"})
        turn_id = bridge.receive(ws)["turn_id"]
        error = bridge.receive(ws)
        turn = bridge.publisher.events(ChatTurn)[-1]
        bridge.responses.push(*reply_events(turn, ["too late"]))  # dropped: the turn has ended
        ws.send_json({"type": "ping"})
        assert bridge.receive(ws) == {"type": "pong"}
    assert error == {
        "type": "error",
        "code": "timeout",
        "message": "no reply within 0.05 s",
        "turn_id": turn_id,
    }


def test_feedback_is_published(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_json({"type": "feedback", "turn_id": "t1", "rating": "down", "comment": "遅い"})
        ws.send_json({"type": "ping"})
        bridge.receive(ws)
    feedback = bridge.publisher.events(Feedback)[-1]
    assert (feedback.turn_id, feedback.rating, feedback.comment) == ("t1", "down", "遅い")


def test_ping_is_answered_with_pong(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_json({"type": "ping"})
        assert bridge.receive(ws) == {"type": "pong"}
