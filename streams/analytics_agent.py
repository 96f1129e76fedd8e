"""The analytics sink agent: every chat topic, in batches, into the warehouse.

Offsets are committed only after a batch is written, and the write is
idempotent on ``event_id``, so redelivery after a crash never duplicates a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import faust
from faust.types import AgentT

from analytics import WarehouseSettings, WarehouseSink, flush_salvaging, to_row
from schemas import AvroCodec
from schemas.exceptions import DecodeError
from streams.app import raw_topic
from streams.settings import KafkaSettings
from streams.stage import IncomingMessage, Sender, dead_letter
from streams.topics import ANALYTICS_TOPICS, DEADLETTER, TopicSpec, topic_name


def register_analytics(
    app: faust.App,
    kafka: KafkaSettings,
    codec: AvroCodec,
    sink: WarehouseSink,
    warehouse: WarehouseSettings,
    sender: Sender | None = None,
) -> AgentT[Any]:
    """Declare the sink agent; the caller has already run ``sink.setup()``.

    ``sender`` (for dead letters) defaults to the app's producer; tests pass a recording one.
    """
    # Rows name the topic without the sandbox prefix, so the warehouse views hold for replays too.
    plain_names = {topic_name(spec, kafka.topic_prefix): spec.name for spec in ANALYTICS_TOPICS}
    for spec in ANALYTICS_TOPICS:
        raw_topic(app, spec, kafka)  # declares it with the configured partitions
    dead_letters = raw_topic(app, DEADLETTER, kafka)

    async def send(spec: TopicSpec, key: bytes, value: bytes, headers: Mapping[str, bytes]) -> None:
        await dead_letters.send(key=key, value=value, headers=dict(headers))

    sender = sender or Sender(codec, send)
    source = app.topic(*plain_names, key_serializer="raw", value_serializer="raw")

    async def analytics(stream: faust.StreamT[bytes]) -> None:
        # take_events is on faust's Stream but missing from its StreamT protocol.
        batches = stream.take_events(  # type: ignore[attr-defined]
            warehouse.batch_size, within=warehouse.batch_age_s
        )
        async for batch in batches:
            rows = []
            for event in batch:
                try:
                    topic = event.message.topic
                    rows.append(to_row(plain_names.get(topic, topic), codec.decode(event.value)))
                except DecodeError as exc:
                    # Sent, not written here: this agent reads chat.deadletter too.
                    letter = dead_letter("analytics", IncomingMessage.from_faust(event), exc)
                    await sender.send(DEADLETTER, letter)
            if rows:
                await flush_salvaging(sink, rows)

    return app.agent(source, name="analytics")(analytics)
