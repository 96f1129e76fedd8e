"""KinesisProducer: batching limits, resending only refused records, never dropping one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from connectors.kinesis import (
    KinesisBufferFull,
    KinesisError,
    KinesisProducer,
    KinesisPutFailed,
    KinesisSettings,
    KinesisUnavailable,
)
from connectors.kinesis.settings import MAX_BYTES_PER_PUT, MAX_BYTES_PER_RECORD
from tests.unit.connectors.kinesis.helpers import (
    FakeKinesis,
    Sleeps,
    chat_turn,
    client_error,
    events_of,
    make_codec,
)

THROTTLED = "ProvisionedThroughputExceededException"


def producer(client: FakeKinesis, **options: Any) -> KinesisProducer:
    settings: dict[str, Any] = {
        "codec": make_codec(),
        "batch_age_s": 60.0,  # no flush by age unless a test asks for one
        "sleep": Sleeps(),
        "jitter": lambda: 0.5,
    }
    settings.update(options)
    return KinesisProducer(client, client.stream_name, **settings)


async def test_a_full_batch_goes_out_at_once_and_flush_sends_the_rest() -> None:
    client = FakeKinesis()
    kinesis = producer(client, batch_size=3)
    for number in range(7):
        await kinesis.send(chat_turn(number))
    assert [len(call) for call in client.put_calls] == [3, 3]
    assert kinesis.pending == 1
    await kinesis.flush()
    assert [len(call) for call in client.put_calls] == [3, 3, 1]
    assert kinesis.pending == 0
    assert kinesis.stats.delivered == 7


async def test_records_are_avro_wire_format_keyed_by_session_id() -> None:
    client = FakeKinesis()
    codec = make_codec()
    kinesis = producer(client, codec=codec)
    turns = [chat_turn(number) for number in range(3)]
    for turn in turns:
        await kinesis.send(turn)
    await kinesis.flush()
    entries = client.put_calls[0]
    assert [entry["PartitionKey"] for entry in entries] == [turn.session_id for turn in turns]
    assert [entry["Data"] for entry in entries] == [codec.encode(turn) for turn in turns]
    assert events_of(codec, client.delivered()) == turns


async def test_no_call_holds_more_than_500_records() -> None:
    client = FakeKinesis()
    kinesis = producer(client, batch_size=500, max_pending_records=5000)
    # Filled behind a flush that holds the lock: 1,200 records wait for one flush.
    async with kinesis._lock:
        sends = [asyncio.create_task(kinesis.send_raw("k", b"x")) for _ in range(1200)]
        await asyncio.sleep(0)
    await asyncio.gather(*sends)
    await kinesis.flush()
    assert [len(call) for call in client.put_calls] == [500, 500, 200]


async def test_no_call_holds_more_than_5_mib() -> None:
    client = FakeKinesis()
    kinesis = producer(client, batch_max_bytes=MAX_BYTES_PER_PUT)
    big = b"x" * (MAX_BYTES_PER_RECORD - 10)
    for _ in range(7):
        await kinesis.send_raw("key", big)
    await kinesis.flush()
    sizes = [
        sum(len(e["Data"]) + len(e["PartitionKey"]) for e in call) for call in client.put_calls
    ]
    assert all(size <= MAX_BYTES_PER_PUT for size in sizes)
    # The sixth record filled 5 MiB: that flush sent five, then the one left over.
    assert [len(call) for call in client.put_calls] == [5, 1, 1]


async def test_bytes_fill_a_batch_before_the_count_does() -> None:
    client = FakeKinesis()
    kinesis = producer(client, batch_max_bytes=MAX_BYTES_PER_RECORD)
    for _ in range(3):
        await kinesis.send_raw("key", b"y" * 400_000)
    # The third record took the buffer past 1 MiB: one flush, two calls.
    assert [len(call) for call in client.put_calls] == [2, 1]


async def test_a_record_kinesis_can_never_take_is_refused_at_once() -> None:
    kinesis = producer(FakeKinesis())
    with pytest.raises(KinesisError, match="over Kinesis"):
        await kinesis.send_raw("key", b"z" * MAX_BYTES_PER_RECORD)
    with pytest.raises(KinesisError, match="partition key"):
        await kinesis.send_raw("", b"data")
    with pytest.raises(KinesisError, match="partition key"):
        await kinesis.send_raw("k" * 257, b"data")
    assert kinesis.pending == 0


async def test_only_the_refused_entries_are_sent_again_after_a_backoff() -> None:
    refused_once = {1, 3}
    client = FakeKinesis(
        refuse=lambda call, index, entry: THROTTLED if call == 1 and index in refused_once else None
    )
    sleeps = Sleeps()
    kinesis = producer(client, sleep=sleeps, retry_base_s=0.2)
    for number in range(5):
        await kinesis.send_raw(f"s{number}", f"event-{number}".encode())
    await kinesis.flush()
    assert [e["Data"] for e in client.put_calls[1]] == [b"event-1", b"event-3"]
    assert sorted(r["Data"] for r in client.delivered()) == [
        f"event-{n}".encode() for n in range(5)
    ]
    assert sleeps.waited == [pytest.approx(0.2 * 0.75)]
    assert kinesis.stats.retried == 2
    assert kinesis.stats.error_codes == {THROTTLED: 2}


async def test_backoff_doubles_up_to_its_ceiling() -> None:
    client = FakeKinesis(refuse=lambda call, index, entry: "InternalFailure" if call < 6 else None)
    sleeps = Sleeps()
    kinesis = producer(
        client, sleep=sleeps, jitter=lambda: 0.999_999, retry_base_s=0.1, retry_max_s=0.5
    )
    await kinesis.send_raw("k", b"v")
    await kinesis.flush()
    assert sleeps.waited == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5], rel=1e-3)
    assert len(client.delivered()) == 1


async def test_records_still_refused_raise_and_stay_buffered_for_the_next_flush() -> None:
    healthy = False
    client = FakeKinesis(
        refuse=lambda call, index, entry: None if healthy or entry["Data"] != b"b" else THROTTLED
    )
    kinesis = producer(client, max_attempts=3)
    for data in (b"a", b"b", b"c"):
        await kinesis.send_raw("k", data)
    with pytest.raises(KinesisPutFailed) as raised:
        await kinesis.flush()
    assert raised.value.error_codes == {THROTTLED: 1}
    assert raised.value.undelivered == 1
    assert "after 3 PutRecords attempts" in str(raised.value)
    assert len(client.put_calls) == 3
    assert kinesis.pending == 1  # never dropped
    healthy = True
    await kinesis.flush()
    assert sorted(r["Data"] for r in client.delivered()) == [b"a", b"b", b"c"]
    assert kinesis.pending == 0


async def test_a_throttled_or_unreachable_call_is_retried_whole() -> None:
    client = FakeKinesis()
    client.raise_on_put[1] = client_error(THROTTLED)
    client.raise_on_put[2] = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    kinesis = producer(client)
    await kinesis.send_raw("k", b"v")
    await kinesis.flush()
    assert len(client.put_calls) == 3
    assert [r["Data"] for r in client.delivered()] == [b"v"]


async def test_an_unreachable_kinesis_raises_unavailable_from_the_botocore_error() -> None:
    client = FakeKinesis()
    for call in range(1, 4):
        client.raise_on_put[call] = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    kinesis = producer(client, max_attempts=3)
    await kinesis.send_raw("k", b"v")
    with pytest.raises(KinesisPutFailed) as raised:
        await kinesis.flush()
    assert isinstance(raised.value, KinesisUnavailable)
    assert isinstance(raised.value.__cause__, KinesisUnavailable)
    assert isinstance(raised.value.__cause__.__cause__, EndpointConnectionError)
    assert kinesis.pending == 1


async def test_a_refused_call_is_not_retried_and_keeps_its_records() -> None:
    client = FakeKinesis()
    client.raise_on_put[1] = client_error("ResourceNotFoundException")
    kinesis = producer(client)
    await kinesis.send_raw("k", b"v")
    with pytest.raises(KinesisError, match="ResourceNotFoundException") as raised:
        await kinesis.flush()
    assert not isinstance(raised.value, KinesisUnavailable)
    assert isinstance(raised.value.__cause__, ClientError)
    assert len(client.put_calls) == 1
    assert kinesis.pending == 1
    await kinesis.flush()
    assert kinesis.pending == 0


async def test_waiting_senders_share_one_call_and_return_once_stored() -> None:
    client = FakeKinesis()
    kinesis = producer(client)
    await asyncio.gather(
        *(kinesis.send_raw(f"s{n}", f"v{n}".encode(), wait=True) for n in range(50))
    )
    assert len(client.delivered()) == 50
    assert len(client.put_calls) == 1
    await kinesis.aclose()


async def test_a_waiting_sender_hears_when_its_record_could_not_be_stored() -> None:
    healthy = False
    client = FakeKinesis(refuse=lambda call, index, entry: None if healthy else THROTTLED)
    kinesis = producer(client, max_attempts=2)
    with pytest.raises(KinesisPutFailed):
        await kinesis.send_raw("k", b"v", wait=True)
    assert kinesis.pending == 1  # still buffered
    healthy = True
    # A new waiting sender ends the pause after the failure (retry_max_s is 5 s here).
    await asyncio.wait_for(kinesis.send_raw("k", b"w", wait=True), 2)
    assert [r["Data"] for r in client.delivered()] == [b"v", b"w"]
    await kinesis.aclose()


async def test_a_full_buffer_refuses_new_records_instead_of_dropping_old_ones() -> None:
    client = FakeKinesis(refuse=lambda call, index, entry: THROTTLED)
    kinesis = producer(client, max_attempts=1, max_pending_records=3)
    for data in (b"1", b"2", b"3"):
        await kinesis.send_raw("k", data)
    with pytest.raises(KinesisPutFailed):
        await kinesis.flush()
    with pytest.raises(KinesisBufferFull):
        await kinesis.send_raw("k", b"4")
    assert kinesis.pending == 3
    assert [record.data for record in kinesis.drain_undelivered()] == [b"1", b"2", b"3"]


async def test_a_record_waits_at_most_batch_age_s() -> None:
    client = FakeKinesis()
    kinesis = producer(client, batch_age_s=0.02)
    await kinesis.send_raw("k", b"v")
    assert client.put_calls == []
    for _ in range(100):
        if client.put_calls:
            break
        await asyncio.sleep(0.01)
    assert [r["Data"] for r in client.delivered()] == [b"v"]
    await kinesis.aclose()


async def test_a_failed_age_flush_keeps_the_records_and_is_reported() -> None:
    healthy = False
    client = FakeKinesis(refuse=lambda call, index, entry: None if healthy else THROTTLED)
    kinesis = producer(client, batch_age_s=0.01, max_attempts=1, retry_max_s=0.05)
    await kinesis.send_raw("k", b"v")
    for _ in range(100):
        if kinesis.last_error is not None:
            break
        await asyncio.sleep(0.01)
    assert isinstance(kinesis.last_error, KinesisPutFailed)
    assert kinesis.pending == 1
    healthy = True
    await kinesis.aclose()
    assert [r["Data"] for r in client.delivered()] == [b"v"]


async def test_aclose_flushes_closes_its_own_client_and_refuses_more() -> None:
    client = FakeKinesis()
    settings = KinesisSettings(stream_name=client.stream_name)
    kinesis = KinesisProducer.from_settings(settings, client=client, codec=make_codec())
    await kinesis.send(chat_turn(1))
    await kinesis.aclose()
    assert len(client.delivered()) == 1
    assert not client.closed  # the caller's client
    with pytest.raises(KinesisError, match="closed"):
        await kinesis.send(chat_turn(2))
    await kinesis.aclose()  # twice is fine

    owned = KinesisProducer(client, client.stream_name, owns_client=True)
    await owned.aclose()
    assert client.closed


async def test_aclose_raises_when_records_cannot_be_delivered() -> None:
    client = FakeKinesis(refuse=lambda call, index, entry: THROTTLED)
    kinesis = producer(client, max_attempts=2)
    await kinesis.send_raw("k", b"v")
    with pytest.raises(KinesisPutFailed, match="1 records stay buffered"):
        await kinesis.aclose()
    assert [record.data for record in kinesis.drain_undelivered()] == [b"v"]


def test_limits_are_checked_when_the_producer_is_made() -> None:
    with pytest.raises(KinesisError, match="batch_size"):
        KinesisProducer(FakeKinesis(), "s", batch_size=501)
    with pytest.raises(KinesisError, match="batch_max_bytes"):
        KinesisProducer(FakeKinesis(), "s", batch_max_bytes=MAX_BYTES_PER_PUT + 1)
    with pytest.raises(KinesisError, match="max_attempts"):
        KinesisProducer(FakeKinesis(), "s", max_attempts=0)
