"""The analytics sink agent: every chat topic, in batches, into the warehouse.

Offsets are committed only after a batch is written, and the write is
idempotent on ``event_id``, so redelivery after a crash never duplicates a row.
"""

from __future__ import annotations

import logging

import faust

from analytics import WarehouseSettings, WarehouseSink, flush_in_thread, to_row
from schemas import AvroCodec
from schemas.exceptions import DecodeError
from streams.app import raw_topic
from streams.settings import KafkaSettings
from streams.topics import ANALYTICS_TOPICS, topic_name

log = logging.getLogger(__name__)


def register_analytics(
    app: faust.App,
    kafka: KafkaSettings,
    codec: AvroCodec,
    sink: WarehouseSink,
    warehouse: WarehouseSettings,
) -> None:
    """Declare the sink agent; the caller has already run ``sink.setup()``."""
    # Rows name the topic without the sandbox prefix, so the warehouse views hold for replays too.
    plain_names = {topic_name(spec, kafka.topic_prefix): spec.name for spec in ANALYTICS_TOPICS}
    for spec in ANALYTICS_TOPICS:
        raw_topic(app, spec, kafka)  # declares it with the configured partitions
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
                    rows.append(to_row(plain_names[event.message.topic], codec.decode(event.value)))
                except DecodeError as exc:
                    # The stage that read it first has already dead-lettered it.
                    log.warning(
                        "analytics skips undecodable %s[%d]@%d: %s",
                        event.message.topic,
                        event.message.partition,
                        event.message.offset,
                        exc,
                    )
            if rows:
                await flush_in_thread(sink, rows)

    app.agent(source, name="analytics")(analytics)
