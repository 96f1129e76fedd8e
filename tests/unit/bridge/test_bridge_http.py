"""Session init, the HTTP + SSE fallback, and the pages."""

import pytest

from bridge.testing import reply_events
from schemas import ChatTurn, Feedback, SessionEvent


def test_init_returns_a_token_that_verifies(bridge):
    session = bridge.init(locale="en")
    claims = bridge.issuer.verify(session["token"])
    assert (claims.session_id, claims.locale) == (session["session_id"], "en")
    assert session["expires_at"] == claims.expires_at.isoformat().replace("+00:00", "Z")


def test_init_publishes_a_created_session_event(bridge):
    session = bridge.init()
    created = bridge.publisher.events(SessionEvent)[-1]
    assert (created.session_id, created.kind, created.locale) == (
        session["session_id"],
        "created",
        "ja",
    )


def test_init_refuses_an_unknown_locale(bridge):
    response = bridge.client.post("/chat/init", json={"locale": "fr"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_message"


def test_posted_message_streams_the_same_frames_over_sse(bridge):
    session = bridge.init()
    auth = bridge.bearer(session["token"])
    with bridge.client.stream("GET", "/chat/stream", headers=auth) as stream:
        lines = stream.iter_lines()
        assert bridge.read_sse(lines, "ready") == [
            {"type": "ready", "session_id": session["session_id"]}
        ]
        posted = bridge.client.post("/chat/messages", json={"text": "こんにちは"}, headers=auth)
        turn = bridge.publisher.events(ChatTurn)[-1]
        bridge.responses.push(*reply_events(turn, ["こんに", "ちは"]))
        frames = bridge.read_sse(lines, "final")
    assert (posted.status_code, posted.json()) == (
        202,
        {"turn_id": turn.turn_id, "client_msg_id": None},
    )
    assert (turn.channel, turn.text) == ("http", "こんにちは")
    assert [(f["type"], f["text"]) for f in frames] == [
        ("chunk", "こんに"),
        ("chunk", "ちは"),
        ("final", "こんにちは"),
    ]


def test_a_late_sse_subscriber_gets_the_backlog(bridge):
    token = bridge.init()["token"]
    bridge.client.post(
        "/chat/messages", json={"text": "hi", "client_msg_id": "m1"}, headers=bridge.bearer(token)
    )
    bridge.responses.push(*reply_events(bridge.publisher.events(ChatTurn)[-1], ["hello"]))
    with bridge.client.stream("GET", f"/chat/stream?token={token}") as stream:
        frames = bridge.read_sse(stream.iter_lines(), "final")
    assert [f["type"] for f in frames] == ["ready", "chunk", "final"]


def test_sse_sends_heartbeats(bridge):
    token = bridge.init()["token"]
    with bridge.client.stream("GET", f"/chat/stream?token={token}") as stream:
        lines = stream.iter_lines()
        assert ": heartbeat" in [next(lines) for _ in range(4)]
        assert stream.headers["content-type"].startswith("text/event-stream")


JSON = "application/json"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{oops", JSON, 400, "bad_json"),
        ('{"text": "hi"}', "text/plain", 415, "unsupported_media_type"),
        ('{"text": "%s"}' % ("a" * 17_000), JSON, 413, "frame_too_large"),
        ('{"text": " "}', JSON, 422, "empty_text"),
        ('{"text": "%s"}' % ("a" * 2001), JSON, 422, "text_too_long"),
        ('{"txt": "hi"}', JSON, 422, "invalid_message"),
    ],
)
def test_bad_posts_get_json_errors(bridge, body, content_type, status, code):
    headers = {"Content-Type": content_type, **bridge.bearer(bridge.init()["token"])}
    response = bridge.client.post("/chat/messages", content=body, headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


@pytest.mark.parametrize("path", ["/chat/messages", "/chat/feedback"])
def test_posts_need_a_valid_bearer_token(bridge, path):
    for headers in ({}, bridge.bearer("junk"), bridge.bearer(bridge.token(ttl_s=-60))):
        response = bridge.client.post(path, json={"text": "hi"}, headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"


def test_stream_needs_a_valid_token(bridge):
    assert bridge.client.get("/chat/stream?token=junk").status_code == 401


def test_publish_failure_is_503(bridge):
    auth = bridge.bearer(bridge.init()["token"])
    bridge.publisher.fail = True
    response = bridge.client.post("/chat/messages", json={"text": "hi"}, headers=auth)
    assert (response.status_code, response.json()["error"]["code"]) == (503, "unavailable")


def test_feedback_is_accepted_and_published(bridge):
    auth = bridge.bearer(bridge.init()["token"])
    body = {"turn_id": "t1", "rating": "up"}
    assert bridge.client.post("/chat/feedback", json=body, headers=auth).status_code == 202
    assert bridge.publisher.events(Feedback)[-1].rating == "up"


def test_foreign_origin_gets_403(make_bridge):
    bridge = make_bridge(allowed_origins=["https://manga.example"])
    response = bridge.client.post("/chat/init", headers={"Origin": "https://evil.example"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden_origin")
    assert bridge.client.post("/chat/init", headers={"Origin": "https://manga.example"}).is_success


def test_page_health_and_static_files(bridge):
    page = bridge.client.get("/")
    assert page.status_code == 200
    assert 'src="/static/widget.js"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("widget.js", "widget.css", "store.css", "store.js"):
        assert bridge.client.get(f"/static/{asset}").status_code == 200
    assert bridge.client.get("/healthz").json() == {"status": "ok"}
