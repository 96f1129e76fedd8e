"""Token buckets: in-process rules, and what a limited client sees on each transport."""

import pytest

from bridge.ratelimit import InProcessRateLimiter, bucket_keys
from schemas import ChatTurn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_burst_up_to_capacity_then_a_wait_for_the_refill() -> None:
    clock = Clock()
    limiter = InProcessRateLimiter(3, 0.5, clock=clock)
    decisions = [await limiter.acquire(["s"]) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after_s == pytest.approx(2.0)
    clock.now += 2.0
    assert (await limiter.acquire(["s"])).allowed


async def test_an_empty_user_bucket_blocks_every_session_of_that_user() -> None:
    limiter = InProcessRateLimiter(2, 0.1, clock=Clock())
    assert (await limiter.acquire(bucket_keys("s1", "u1"))).allowed
    assert (await limiter.acquire(bucket_keys("s2", "u1"))).allowed
    refused = await limiter.acquire(bucket_keys("s3", "u1"))
    assert not refused.allowed
    # Nothing was taken from the fresh session's bucket by the refused attempt.
    assert (await limiter.acquire(bucket_keys("s3", None))).allowed
    assert (await limiter.acquire(bucket_keys("s3", None))).allowed


def test_guests_have_one_bucket_and_users_two() -> None:
    assert len(bucket_keys("s", None)) == 1
    assert len(bucket_keys("s", "u")) == 2


def test_a_limited_socket_gets_an_error_frame_and_stays_usable(make_bridge):
    bridge = make_bridge(rate_capacity=2, rate_refill_per_s=0.001)
    with bridge.connect() as ws:
        bridge.receive(ws)  # ready
        frames = []
        for i in range(3):
            ws.send_json({"type": "message", "text": f"hi {i}", "client_msg_id": str(i)})
            frames.append(bridge.receive(ws))
        ws.send_json({"type": "ping"})
        pong = bridge.receive(ws)
    assert [f["type"] for f in frames] == ["ack", "ack", "error"]
    assert frames[-1]["code"] == "rate_limited"
    assert frames[-1]["client_msg_id"] == "2"
    assert frames[-1]["retry_after_s"] > 900
    assert pong == {"type": "pong"}
    assert len(bridge.publisher.events(ChatTurn)) == 2


def test_a_limited_http_client_gets_429_with_retry_after(make_bridge):
    bridge = make_bridge(rate_capacity=1, rate_refill_per_s=0.25)
    auth = bridge.bearer(bridge.init()["token"])
    first = bridge.client.post("/chat/messages", json={"text": "one"}, headers=auth)
    second = bridge.client.post("/chat/messages", json={"text": "two"}, headers=auth)
    assert first.status_code == 202
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "4"
    assert second.json()["error"]["code"] == "rate_limited"
