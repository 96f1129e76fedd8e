"""Kinesis Data Streams: a second transport carrying the chat events to the analytics warehouse.

``KinesisProducer`` batches events (Avro, Confluent wire format, keyed by
``session_id``) into ``PutRecords`` calls and resends the records Kinesis
refused; ``KinesisTee`` / ``KinesisTeePublisher`` copy what the pipeline and the
bridge send to Kafka. Two consumers write the warehouse, idempotently on
``event_id``: the KCL record processor (:mod:`connectors.kinesis.kcl`, run by the
MultiLangDaemon in production) and ``KinesisShardReader`` (plain boto3, for
local runs). ``MANGAASSIST_ANALYTICS_TRANSPORT`` chooses Kafka or Kinesis.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from connectors.kinesis.checkpoints import (
    SHARD_END,
    CheckpointStore,
    FileCheckpointStore,
    MemoryCheckpointStore,
)
from connectors.kinesis.client import client_from_settings, ensure_stream, kinesis_client
from connectors.kinesis.exceptions import (
    KinesisBufferFull,
    KinesisError,
    KinesisPutFailed,
    KinesisUnavailable,
)
from connectors.kinesis.producer import KinesisProducer, KinesisRecord, ProducerStats
from connectors.kinesis.settings import (
    AnalyticsTransport,
    AnalyticsTransportSettings,
    KinesisSettings,
)
from connectors.kinesis.tee import KinesisTee, KinesisTeePublisher, tee_send

if TYPE_CHECKING:
    from connectors.kinesis.reader import KinesisShardReader, ReaderStats, run_shard_reader
    from connectors.kinesis.records import StreamRecord, to_rows, topic_for

# The consumer side imports the warehouse (and its text masking): loaded on first use,
# so the bridge and the workers that only produce do not pay for it.
_CONSUMER_NAMES = {
    "KinesisShardReader": "connectors.kinesis.reader",
    "ReaderStats": "connectors.kinesis.reader",
    "run_shard_reader": "connectors.kinesis.reader",
    "StreamRecord": "connectors.kinesis.records",
    "to_rows": "connectors.kinesis.records",
    "topic_for": "connectors.kinesis.records",
}


def __getattr__(name: str) -> Any:
    module = _CONSUMER_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "SHARD_END",
    "AnalyticsTransport",
    "AnalyticsTransportSettings",
    "CheckpointStore",
    "FileCheckpointStore",
    "KinesisBufferFull",
    "KinesisError",
    "KinesisProducer",
    "KinesisPutFailed",
    "KinesisRecord",
    "KinesisSettings",
    "KinesisShardReader",
    "KinesisTee",
    "KinesisTeePublisher",
    "KinesisUnavailable",
    "MemoryCheckpointStore",
    "ProducerStats",
    "ReaderStats",
    "StreamRecord",
    "client_from_settings",
    "ensure_stream",
    "kinesis_client",
    "run_shard_reader",
    "tee_send",
    "to_rows",
    "topic_for",
]
