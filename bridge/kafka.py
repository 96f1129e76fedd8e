"""How the bridge talks to Kafka: it publishes client events and reads the replies.

The bridge codes against the two protocols below; :mod:`bridge.testing` has
in-memory versions of both for tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from schemas import AvroCodec, Event, FinalReply, ReplyChunk, default_codec
from schemas.exceptions import DecodeError
from streams.exceptions import BrokerError
from streams.settings import KafkaSettings
from streams.topics import RESPONSES, TURN_ID_HEADER, TopicSpec, topic_name

logger = logging.getLogger(__name__)

ReplyEvent = ReplyChunk | FinalReply

CLIENT_ID = "mangaassist-bridge"


class EventPublisher(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, spec: TopicSpec, event: Event) -> None:
        """Return once the broker has the event; raise ``BrokerError`` if it does not."""


class ResponseSource(Protocol):
    """The replies of every session, in order per session, from the moment ``start`` returns."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def __aiter__(self) -> AsyncIterator[ReplyEvent]: ...


def record_key(event: Event) -> bytes:
    return event.session_id.encode()


def record_headers(event: Event) -> list[tuple[str, bytes]]:
    return [(TURN_ID_HEADER, event.turn_id.encode())]


class KafkaPublisher:
    """Publishes with ``acks=1`` and waits for the broker, so an ``ack`` frame means stored."""

    def __init__(self, kafka: KafkaSettings, codec: AvroCodec | None = None) -> None:
        self._kafka = kafka
        self._codec = codec or default_codec()
        self._producer: Any = None

    async def start(self) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self._kafka.bootstrap_servers,
            client_id=CLIENT_ID,
            acks=1,
            linger_ms=self._kafka.producer_linger_ms,
        )
        try:
            await producer.start()
        except KafkaError as exc:
            await producer.stop()
            raise BrokerError(f"cannot start the producer: {exc}") from exc
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def publish(self, spec: TopicSpec, event: Event) -> None:
        if self._producer is None:
            raise BrokerError("the producer is not started")
        topic = topic_name(spec, self._kafka.topic_prefix)
        try:
            await self._producer.send_and_wait(
                topic,
                value=self._codec.encode(event),
                key=record_key(event),
                headers=record_headers(event),
            )
        except KafkaError as exc:
            raise BrokerError(f"cannot publish to {topic}: {exc}") from exc


class KafkaResponseSource:
    """Reads every partition of ``chat.responses`` without a consumer group.

    Each bridge instance sees every reply and the hub keeps only those of the
    sessions connected to it. Without a group there is no rebalancing (a new
    bridge never pauses the others) and any number of bridges can run; the cost
    is that each one decodes all replies, which are small. Nothing is committed:
    a restarted bridge starts from the end, as its sockets are gone anyway.
    """

    def __init__(
        self,
        kafka: KafkaSettings,
        codec: AvroCodec | None = None,
        *,
        assignment_timeout_s: float = 30.0,
        rewind_records: int = 0,
    ) -> None:
        self._kafka = kafka
        self._codec = codec or default_codec()
        self._assignment_timeout_s = assignment_timeout_s
        self._rewind_records = rewind_records
        self._consumer: Any = None
        self.undecodable = 0

    @property
    def topic(self) -> str:
        return topic_name(RESPONSES, self._kafka.topic_prefix)

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap_servers,
            client_id=CLIENT_ID,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            fetch_max_wait_ms=self._kafka.fetch_max_wait_ms,
        )
        consumer.subscribe([self.topic])
        try:
            await consumer.start()
            await self._pin_positions(consumer)
        except (KafkaError, TimeoutError) as exc:
            await consumer.stop()
            raise BrokerError(f"cannot start reading {self.topic}: {exc}") from exc
        self._consumer = consumer

    async def _pin_positions(self, consumer: Any) -> None:
        # Resolve "latest" now: a reply produced after start() returns must not be skipped.
        async with asyncio.timeout(self._assignment_timeout_s):
            while not consumer.assignment():  # noqa: ASYNC110 - aiokafka has no public wait
                await asyncio.sleep(0.05)
        partitions = sorted(consumer.assignment())
        await consumer.seek_to_end(*partitions)
        firsts = await consumer.beginning_offsets(partitions) if self._rewind_records else {}
        for partition in partitions:
            end = await consumer.position(partition)
            if self._rewind_records:
                # Replies produced while this bridge was down, for clients that resume.
                consumer.seek(partition, max(firsts[partition], end - self._rewind_records))

    async def stop(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()

    async def __aiter__(self) -> AsyncIterator[ReplyEvent]:
        if self._consumer is None:
            raise BrokerError("the response consumer is not started")
        try:
            async for record in self._consumer:
                event = self._decode(record)
                if event is not None:
                    yield event
        except KafkaError as exc:
            raise BrokerError(f"cannot read {self.topic}: {exc}") from exc

    def _decode(self, record: Any) -> ReplyEvent | None:
        try:
            event = self._codec.decode(record.value)
        except DecodeError as exc:
            reason = str(exc)
        else:
            if isinstance(event, ReplyChunk | FinalReply):
                return event
            reason = f"unexpected {type(event).__name__}"
        self.undecodable += 1
        logger.warning(
            "skipping record %s[%d]@%d: %s",
            record.topic,
            record.partition,
            record.offset,
            reason,
        )
        return None
