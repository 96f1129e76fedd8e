"""The chat socket: bad input gets an error frame and the socket stays usable; bad tokens 4401."""

import pytest
from starlette.websockets import WebSocketDisconnect

from schemas import ChatTurn

BAD_FRAMES = [
    ("{not json", "bad_json"),
    ("[1, 2]", "invalid_message"),
    ('{"text": "no type"}', "invalid_message"),
    ('{"type": "shout", "text": "hi"}', "unknown_type"),
    ('{"type": "message"}', "invalid_message"),
    ('{"type": "message", "text": 42}', "invalid_message"),
    ('{"type": "message", "text": "hi", "locale": "fr"}', "invalid_message"),
    ('{"type": "feedback", "turn_id": "t1", "rating": "meh"}', "invalid_message"),
    ('{"type": "message", "text": ""}', "empty_text"),
    ('{"type": "message", "text": " \\n\\t　"}', "empty_text"),
    ('{"type": "message", "text": "' + "漫" * 2001 + '"}', "text_too_long"),
    ('{"type": "message", "text": "' + "a" * 17_000 + '"}', "frame_too_large"),
    ('{"type": "auth", "token": "again"}', "invalid_message"),
    ('{"type": "message", "text": "hi", "txet": "typo"}', "invalid_message"),
    ('{"type": "ping", "extra": 1}', "invalid_message"),
    ('{"type": "message", "text": "bell\\u0007"}', "invalid_message"),
    ('{"type": "message", "text": "nul\\u0000"}', "invalid_message"),
    ('{"type": "message", "text": "lone \\ud800 surrogate"}', "invalid_message"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_FRAMES)
def test_bad_frame_gets_an_error_and_the_socket_still_works(bridge, raw, code):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_text(raw)
        error = bridge.receive(ws)
        ws.send_json({"type": "message", "text": "still there?"})
        assert bridge.receive(ws)["type"] == "ack"
    assert (error["type"], error["code"]) == ("error", code)
    assert error["message"]


def test_binary_frame_is_refused(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_bytes(b'{"type": "ping"}')
        assert bridge.receive(ws)["code"] == "binary_not_supported"
        ws.send_json({"type": "ping"})
        assert bridge.receive(ws) == {"type": "pong"}


def test_refused_text_echoes_the_client_msg_id(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        ws.send_json({"type": "message", "text": "  ", "client_msg_id": "m7"})
        assert bridge.receive(ws)["client_msg_id"] == "m7"


def test_publish_failure_is_unavailable_and_not_acked(bridge):
    with bridge.connect() as ws:
        bridge.receive(ws)
        bridge.publisher.fail = True
        ws.send_json({"type": "message", "text": "hi", "client_msg_id": "m1"})
        error = bridge.receive(ws)
        bridge.publisher.fail = False
        ws.send_json({"type": "message", "text": "again"})
        assert bridge.receive(ws)["type"] == "ack"
    assert (error["code"], error["client_msg_id"]) == ("unavailable", "m1")
    assert [t.text for t in bridge.publisher.events(ChatTurn)] == ["again"]


def expect_close(bridge, ws):
    with pytest.raises(WebSocketDisconnect) as closed:
        bridge.receive(ws)
    return closed.value


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c"])
def test_invalid_token_closes_with_4401(bridge, token):
    with bridge.connect(token) as ws:
        assert expect_close(bridge, ws).code == 4401


def test_token_signed_with_another_secret_closes_with_4401(bridge):
    forged = bridge.token(secret="another-secret-that-is-also-long-enough!")
    with bridge.connect(forged) as ws:
        assert expect_close(bridge, ws).reason == "token signature is invalid"


def test_expired_token_closes_with_4401(bridge):
    expired = bridge.token(ttl_s=-60)
    with bridge.connect(expired) as ws:
        closed = expect_close(bridge, ws)
    assert (closed.code, closed.reason) == (4401, "token expired")


def test_missing_token_closes_with_4401(bridge):
    with bridge.connect("") as ws:
        ws.send_json({"type": "ping"})
        closed = expect_close(bridge, ws)
    assert (closed.code, closed.reason) == (4401, "expected an auth frame or a token in the URL")


def test_token_may_come_in_the_first_frame(bridge):
    session = bridge.init()
    with bridge.connect("") as ws:
        ws.send_json({"type": "auth", "token": session["token"]})
        assert bridge.receive(ws) == {"type": "ready", "session_id": session["session_id"]}


def test_no_auth_frame_in_time_closes_with_4401(make_bridge):
    bridge = make_bridge(auth_timeout_s=0.05)
    with bridge.connect("") as ws:
        assert expect_close(bridge, ws).code == 4401


def test_foreign_origin_is_refused_before_the_handshake(make_bridge):
    bridge = make_bridge(allowed_origins=["https://manga.example"])
    token = bridge.init()["token"]
    with pytest.raises(WebSocketDisconnect) as closed:
        bridge.connect(token, headers={"Origin": "https://evil.example"}).__enter__()
    assert closed.value.code == 1008
    with bridge.connect(token, headers={"Origin": "https://manga.example"}) as ws:
        assert bridge.receive(ws)["type"] == "ready"


def test_unexpected_failure_closes_with_1011(bridge, monkeypatch, caplog):
    async def broken(spec, event):
        raise RuntimeError("bug")

    with bridge.connect() as ws:
        bridge.receive(ws)
        monkeypatch.setattr(bridge.publisher, "publish", broken)
        ws.send_json({"type": "message", "text": "hi"})
        assert expect_close(bridge, ws).code == 1011
    assert "the chat socket failed" in caplog.text
