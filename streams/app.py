"""The faust application: one per worker role, each its own consumer group."""

from __future__ import annotations

from typing import Any, Literal

import faust

from streams.settings import KafkaSettings
from streams.topics import TopicSpec, topic_name

Role = Literal["pipeline", "analytics"]


class MangaAssistApp(faust.App):
    """A faust app that carries its Kafka settings, for the tuned transport to read."""

    def __init__(self, id: str, kafka: KafkaSettings, **options: Any) -> None:
        self.kafka_settings = kafka
        super().__init__(id, **options)


def create_app(role: Role, kafka: KafkaSettings) -> MangaAssistApp:
    """A faust app tuned for chat latency; agents are registered by the caller."""
    app = MangaAssistApp(
        f"{kafka.app_id}-{role}",
        kafka,
        broker=kafka.faust_broker_url,
        store="memory://",
        autodiscover=False,
        web_enabled=False,
        topic_partitions=kafka.partitions,
        topic_replication_factor=1,
        # A fresh group must not skip turns published before it joined.
        consumer_auto_offset_reset="earliest",
        producer_linger=kafka.producer_linger_ms / 1000.0,
        producer_acks=1,
        broker_session_timeout=kafka.session_timeout_s,
        broker_heartbeat_interval=kafka.heartbeat_interval_s,
        broker_commit_interval=kafka.commit_interval_s,
        broker_max_poll_records=kafka.max_poll_records,
        stream_buffer_maxsize=kafka.stream_buffer_maxsize,
    )
    return app


def raw_topic(app: faust.App, spec: TopicSpec, kafka: KafkaSettings) -> faust.TopicT:
    """A topic of undecoded bytes: decoding is ours, so failures reach the dead-letter topic."""
    return app.topic(
        topic_name(spec, kafka.topic_prefix),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=spec.partition_count(kafka.partitions),
    )
