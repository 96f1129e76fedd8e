"""Test helpers: run stages and agents without a broker.

``RecordingSender`` stands in for the producer and keeps what a stage sent,
decoded, so a test reads like "put this in, expect that out".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from schemas import AvroCodec, Event
from streams.stage import Sender
from streams.topics import TopicSpec


@dataclass(frozen=True)
class Sent:
    spec: TopicSpec
    key: bytes
    event: Event
    headers: Mapping[str, bytes]


class RecordingSender(Sender):
    def __init__(self, codec: AvroCodec) -> None:
        self.sent: list[Sent] = []

        async def record(
            spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]
        ) -> None:
            self.sent.append(Sent(spec, key, codec.decode(value), dict(headers)))

        super().__init__(codec, record)

    def on(self, spec: TopicSpec) -> list[Event]:
        """The events sent to one topic, in order."""
        return [s.event for s in self.sent if s.spec is spec]

    def clear(self) -> None:
        self.sent.clear()
