"""The Kafka adapters, with the aiokafka clients replaced by fakes."""

from types import SimpleNamespace

import pytest
from aiokafka.errors import KafkaConnectionError

from bridge.kafka import KafkaPublisher, KafkaResponseSource
from bridge.testing import reply_events
from schemas import ChatTurn, default_codec
from streams.exceptions import BrokerError
from streams.settings import KafkaSettings
from streams.topics import TURNS


class FakeProducer:
    def __init__(self, error=None):
        self.sent, self.error = [], error

    async def send_and_wait(self, topic, **record):
        if self.error:
            raise self.error
        self.sent.append((topic, record))


class FakeConsumer:
    def __init__(self, values):
        self.records = [
            SimpleNamespace(topic="chat.responses", partition=0, offset=n, value=v)
            for n, v in enumerate(values)
        ]

    async def __aiter__(self):
        for record in self.records:
            yield record


async def test_publish_keys_by_session_with_a_turn_id_header():
    publisher = KafkaPublisher(KafkaSettings(topic_prefix="t-"))
    publisher._producer = FakeProducer()
    turn = ChatTurn(session_id="s1", turn_id="t1", text="hi")
    await publisher.publish(TURNS, turn)
    topic, record = publisher._producer.sent[0]
    assert (topic, record["key"], record["headers"]) == (
        "t-chat.turns",
        b"s1",
        [("turn_id", b"t1")],
    )
    assert default_codec().decode(record["value"]) == turn


async def test_publish_failure_is_a_broker_error():
    publisher = KafkaPublisher(KafkaSettings())
    publisher._producer = FakeProducer(KafkaConnectionError("down"))
    with pytest.raises(BrokerError) as raised:
        await publisher.publish(TURNS, ChatTurn(session_id="s1", turn_id="t1", text="hi"))
    assert isinstance(raised.value.__cause__, KafkaConnectionError)


async def test_undecodable_records_are_counted_and_skipped():
    codec = default_codec()
    chunk, final = reply_events(ChatTurn(session_id="s1", turn_id="t1", text="q"), ["a"])
    turn = ChatTurn(session_id="s1", turn_id="t1", text="q")
    values = [b"junk", codec.encode(chunk), codec.encode(turn), None, codec.encode(final)]
    source = KafkaResponseSource(KafkaSettings(), codec)
    source._consumer = FakeConsumer(values)
    assert [event async for event in source] == [chunk, final]
    assert source.undecodable == 3
