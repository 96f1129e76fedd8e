"""KinesisTee and KinesisTeePublisher: Kafka first, then the same bytes to Kinesis."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from connectors.kinesis import (
    AnalyticsTransportSettings,
    KinesisError,
    KinesisProducer,
    KinesisTee,
    KinesisTeePublisher,
    tee_send,
)
from schemas import Event
from streams.stage import Sender
from streams.topics import DEADLETTER, DRAFTS, RESPONSES, TURNS, TopicSpec
from tests.unit.connectors.kinesis.helpers import FakeKinesis, chat_turn, events_of, make_codec

Sent = tuple[str, bytes, bytes, dict[str, bytes]]


class KafkaStandIn:
    """The raw send function a Sender wraps, and the bridge's publisher."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Sent] = []
        self.published: list[tuple[str, Event]] = []
        self.fail = fail
        self.started = self.stopped = False

    async def __call__(
        self, spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]
    ) -> None:
        if self.fail:
            raise RuntimeError("broker down")
        self.sent.append((spec.name, key, value, dict(headers)))

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def publish(self, spec: TopicSpec, event: Event) -> None:
        self.published.append((spec.name, event))


def make_producer(client: FakeKinesis) -> KinesisProducer:
    return KinesisProducer(client, client.stream_name, codec=make_codec(), batch_age_s=60)


async def test_the_sender_sends_to_kafka_and_the_same_bytes_to_kinesis() -> None:
    codec = make_codec()
    kafka, client = KafkaStandIn(), FakeKinesis()
    tee = KinesisTee(kafka, make_producer(client))
    sender = Sender(codec, tee)
    turn = chat_turn(1)
    await sender.send(TURNS, turn)
    assert [name for name, *_ in kafka.sent] == ["chat.turns"]
    delivered = client.delivered()  # wait_for_ack: stored before send returned
    assert [record["Data"] for record in delivered] == [kafka.sent[0][2]]
    assert delivered[0]["PartitionKey"] == turn.session_id
    assert events_of(codec, delivered) == [turn]


async def test_drafts_stay_off_kinesis_and_every_analytics_topic_goes_on() -> None:
    kafka, client = KafkaStandIn(), FakeKinesis()
    tee = KinesisTee(kafka, make_producer(client))
    for spec in (DRAFTS, RESPONSES, DEADLETTER):
        await tee(spec, b"s-1", spec.name.encode(), {})
    assert len(kafka.sent) == 3
    assert [record["Data"] for record in client.delivered()] == [
        b"chat.responses",
        b"chat.deadletter",
    ]


async def test_without_waiting_for_acks_records_batch_until_flushed() -> None:
    kafka, client = KafkaStandIn(), FakeKinesis()
    tee = KinesisTee(kafka, make_producer(client), wait_for_ack=False)
    await tee(TURNS, b"s-1", b"v", {})
    assert client.put_calls == []
    await tee.aclose()
    assert [record["Data"] for record in client.delivered()] == [b"v"]


async def test_a_kafka_failure_sends_nothing_to_kinesis() -> None:
    client = FakeKinesis()
    tee = KinesisTee(KafkaStandIn(fail=True), make_producer(client))
    with pytest.raises(RuntimeError, match="broker down"):
        await tee(TURNS, b"s-1", b"v", {})
    assert client.put_calls == []


async def test_a_kinesis_failure_raises_after_kafka_and_keeps_the_record() -> None:
    kafka = KafkaStandIn()
    client = FakeKinesis(refuse=lambda call, index, entry: "InternalFailure")
    producer = KinesisProducer(
        client, client.stream_name, max_attempts=1, batch_age_s=60, codec=make_codec()
    )
    tee = KinesisTee(kafka, producer)
    with pytest.raises(KinesisError):
        await tee(TURNS, b"s-1", b"v", {})
    assert len(kafka.sent) == 1
    assert producer.pending == 1


async def test_a_sync_send_function_is_wrapped_too() -> None:
    sent: list[str] = []

    def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        sent.append(spec.name)

    client = FakeKinesis()
    await KinesisTee(send, make_producer(client))(TURNS, b"s", b"v", {})
    assert sent == ["chat.turns"]
    assert len(client.delivered()) == 1


async def test_the_publisher_tee_publishes_then_puts_and_closes_the_producer() -> None:
    codec = make_codec()
    kafka, client = KafkaStandIn(), FakeKinesis()
    publisher = KinesisTeePublisher(kafka, make_producer(client))
    await publisher.start()
    turn = chat_turn(2)
    await publisher.publish(TURNS, turn)
    await publisher.publish(DRAFTS, chat_turn(3))
    assert [name for name, _ in kafka.published] == ["chat.turns", "chat.drafts"]
    assert events_of(codec, client.delivered()) == [turn]
    await publisher.stop()
    assert kafka.started
    assert kafka.stopped
    with pytest.raises(KinesisError, match="closed"):
        await publisher.producer.send(turn)


def test_the_kafka_transport_leaves_the_send_function_alone() -> None:
    kafka = KafkaStandIn()
    assert tee_send(kafka, AnalyticsTransportSettings(transport="kafka")) is kafka


async def test_the_kinesis_transport_wraps_it() -> None:
    kafka = KafkaStandIn()
    wrapped = tee_send(kafka, AnalyticsTransportSettings(transport="kinesis"))
    assert isinstance(wrapped, KinesisTee)
    await wrapped.producer.aclose()
