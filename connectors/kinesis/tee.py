"""Copying the analytics events that go to Kafka onto the Kinesis stream as well.

:class:`KinesisTee` wraps the send function a :class:`streams.stage.Sender`
is built on (the pipeline workers); :class:`KinesisTeePublisher` wraps the
bridge's event publisher. Both send to Kafka first, then put the same
wire-format bytes on Kinesis, keyed by ``session_id``, for the topics the
analytics warehouse reads (``chat.drafts`` and non-chat topics are skipped).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from connectors.kinesis.producer import KinesisProducer
from connectors.kinesis.settings import AnalyticsTransportSettings, KinesisSettings
from schemas import Event
from streams.topics import ANALYTICS_TOPICS, TopicSpec

SendFunction = Callable[[TopicSpec, bytes, bytes, Mapping[str, bytes]], Any]
"""What :class:`streams.stage.Sender` wraps: ``(spec, key, value, headers)``, maybe async."""


class EventPublisher(Protocol):
    """The bridge's publisher (``bridge.kafka.EventPublisher``), as far as the tee uses it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, spec: TopicSpec, event: Event) -> None: ...


class _KinesisCopy:
    """What both tees share: the producer, which topics are copied, whether to wait."""

    def __init__(
        self,
        producer: KinesisProducer,
        *,
        topics: Iterable[TopicSpec] = ANALYTICS_TOPICS,
        wait_for_ack: bool = True,
    ) -> None:
        self.producer = producer
        self._topics = frozenset(spec.name for spec in topics)
        self._wait_for_ack = wait_for_ack

    @staticmethod
    def _producer(
        settings: KinesisSettings | None,
        client: Any,
        credentials: Mapping[str, str] | None,
    ) -> tuple[KinesisProducer, bool]:
        settings = settings or KinesisSettings()
        producer = KinesisProducer.from_settings(settings, client=client, credentials=credentials)
        return producer, settings.tee_wait_for_ack

    def _copies(self, spec: TopicSpec) -> bool:
        return spec.name in self._topics


class KinesisTee(_KinesisCopy):
    """A send function: the wrapped one, then the same record to Kinesis.

    With ``wait_for_ack`` a call returns only once Kinesis stored the record,
    so the caller's Kafka offset is committed after both copies exist. A
    Kinesis failure raises (a :class:`~connectors.kinesis.KinesisError`) after
    the Kafka send went through, as a Kafka failure would: the record stays in
    the producer's buffer and goes out with the next flush.
    """

    def __init__(
        self,
        send: SendFunction,
        producer: KinesisProducer,
        *,
        topics: Iterable[TopicSpec] = ANALYTICS_TOPICS,
        wait_for_ack: bool = True,
    ) -> None:
        super().__init__(producer, topics=topics, wait_for_ack=wait_for_ack)
        self._send = send

    @classmethod
    def from_settings(
        cls,
        send: SendFunction,
        settings: KinesisSettings | None = None,
        *,
        client: Any = None,
        credentials: Mapping[str, str] | None = None,
    ) -> KinesisTee:
        producer, wait = cls._producer(settings, client, credentials)
        return cls(send, producer, wait_for_ack=wait)

    async def __call__(
        self, spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]
    ) -> None:
        result = self._send(spec, key, value, headers)
        if inspect.isawaitable(result):
            await result
        if self._copies(spec):
            await self.producer.send_raw(
                key.decode("utf-8", errors="replace"), value, wait=self._wait_for_ack
            )

    async def aclose(self) -> None:
        """Flush what is buffered and close the producer."""
        await self.producer.aclose()


class KinesisTeePublisher(_KinesisCopy):
    """The bridge's publisher with every analytics event also put on Kinesis."""

    def __init__(
        self,
        publisher: EventPublisher,
        producer: KinesisProducer,
        *,
        topics: Iterable[TopicSpec] = ANALYTICS_TOPICS,
        wait_for_ack: bool = True,
    ) -> None:
        super().__init__(producer, topics=topics, wait_for_ack=wait_for_ack)
        self._publisher = publisher

    @classmethod
    def from_settings(
        cls,
        publisher: EventPublisher,
        settings: KinesisSettings | None = None,
        *,
        client: Any = None,
        credentials: Mapping[str, str] | None = None,
    ) -> KinesisTeePublisher:
        producer, wait = cls._producer(settings, client, credentials)
        return cls(publisher, producer, wait_for_ack=wait)

    async def start(self) -> None:
        await self._publisher.start()

    async def stop(self) -> None:
        try:
            await self._publisher.stop()
        finally:
            await self.producer.aclose()

    async def publish(self, spec: TopicSpec, event: Event) -> None:
        await self._publisher.publish(spec, event)
        if self._copies(spec):
            await self.producer.send(event, wait=self._wait_for_ack)


def tee_send(
    send: SendFunction,
    transport: AnalyticsTransportSettings | None = None,
    kinesis: KinesisSettings | None = None,
) -> SendFunction:
    """``send`` itself with the kafka transport, a :class:`KinesisTee` around it with kinesis."""
    transport = transport or AnalyticsTransportSettings()
    if not transport.kinesis:
        return send
    return KinesisTee.from_settings(send, kinesis)
