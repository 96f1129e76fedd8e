"""Settings of the Kinesis transport and of the analytics transport switch."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_RECORDS_PER_PUT = 500
"""PutRecords takes at most 500 records per call."""
MAX_BYTES_PER_PUT = 5 * 1024 * 1024
"""PutRecords takes at most 5 MiB per call, data and partition keys counted."""
MAX_BYTES_PER_RECORD = 1024 * 1024
"""One record holds at most 1 MiB, data and partition key counted."""

AnalyticsTransport = Literal["kafka", "kinesis"]


class AnalyticsTransportSettings(BaseSettings):
    """Which transport carries the chat events to the analytics warehouse."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_ANALYTICS_")

    transport: AnalyticsTransport = Field(
        default="kafka",
        description=(
            "kafka: the analytics worker reads the chat topics. kinesis: the pipeline and the "
            "bridge also put every analytics event on the Kinesis stream, and the KCL record "
            "processor (or the local shard reader) writes the warehouse."
        ),
    )

    @property
    def kinesis(self) -> bool:
        """Whether events go to analytics through Kinesis."""
        return self.transport == "kinesis"


class KinesisSettings(BaseSettings):
    """The Kinesis stream of chat events: where it is, how records are batched and read."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_KINESIS_")

    stream_name: str = Field(
        default="mangaassist-chat-events",
        pattern=r"^[a-zA-Z0-9_.-]{1,128}$",
        description="Name of the Kinesis data stream carrying the chat events.",
    )
    region: str = Field(default="ap-northeast-1", description="AWS region of the stream.")
    endpoint_url: str | None = Field(
        default=None,
        description="Kinesis endpoint; set it for moto or kinesalite, unset for AWS.",
    )
    shards: int = Field(
        default=1,
        ge=1,
        description="Shards of the stream when ensure_stream creates it (local runs only).",
    )
    timeout_s: float = Field(
        default=5.0, gt=0, description="Connect and read timeout of each Kinesis call."
    )
    # Producer.
    batch_size: int = Field(
        default=MAX_RECORDS_PER_PUT,
        ge=1,
        le=MAX_RECORDS_PER_PUT,
        description="Most records in one PutRecords call (Kinesis allows 500).",
    )
    batch_max_bytes: int = Field(
        default=MAX_BYTES_PER_PUT,
        ge=MAX_BYTES_PER_RECORD,
        le=MAX_BYTES_PER_PUT,
        description="Most bytes (data + partition keys) in one PutRecords call (at most 5 MiB).",
    )
    batch_age_s: float = Field(
        default=0.05,
        gt=0,
        description="Longest a record waits in the producer's buffer before a flush.",
    )
    max_pending_records: int = Field(
        default=10_000,
        ge=1,
        description="Undelivered records held before send() raises KinesisBufferFull.",
    )
    put_max_attempts: int = Field(
        default=6,
        ge=1,
        description="PutRecords attempts per flush before refused records raise KinesisPutFailed.",
    )
    retry_base_s: float = Field(
        default=0.1, gt=0, description="First backoff between attempts; it doubles each time."
    )
    retry_max_s: float = Field(default=5.0, gt=0, description="Longest backoff between attempts.")
    tee_wait_for_ack: bool = Field(
        default=True,
        description=(
            "The tee returns only once Kinesis stored the event, so Kafka offsets are committed "
            "after it (at least once). False returns at once and batches by age: faster, but a "
            "crash can lose up to batch_age_s of events from the Kinesis copy."
        ),
    )
    # Shard reader (local runs; production uses the KCL MultiLangDaemon).
    checkpoint_path: Path = Field(
        default=Path("var/kinesis-checkpoints.json"),
        description="File where the local shard reader keeps its checkpoint per shard.",
    )
    initial_position: Literal["TRIM_HORIZON", "LATEST"] = Field(
        default="TRIM_HORIZON",
        description="Where the shard reader starts in a shard it has no checkpoint for.",
    )
    get_records_limit: int = Field(
        default=1000, ge=1, le=10_000, description="Most records one GetRecords call returns."
    )
    poll_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="Wait after a round of reads that found nothing (Kinesis: 5 reads/s/shard).",
    )
    shard_sync_interval_s: float = Field(
        default=30.0, gt=0, description="How often the shard reader lists shards to find new ones."
    )

    @model_validator(mode="after")
    def _backoff_bounds(self) -> KinesisSettings:
        if self.retry_max_s < self.retry_base_s:
            raise ValueError("retry_max_s must be at least retry_base_s")
        return self
