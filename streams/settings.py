"""Settings of the Kafka transport and the faust workers."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How the workers and the bridge reach Kafka, and how hard they chase latency.

    The latency knobs default to values measured on the local broker (see
    ``docs/operations.md``); faust's own defaults favour throughput over latency.
    """

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_KAFKA_")

    bootstrap_servers: str = Field(
        default="127.0.0.1:19092", description="Kafka bootstrap servers, comma-separated."
    )
    topic_prefix: str = Field(
        default="", description="Prefix for every topic name (sandboxes, replays)."
    )
    partitions: int = Field(default=4, ge=1, description="Partitions of each chat topic.")
    app_id: str = Field(
        default="mangaassist", description="faust app id; each worker role adds -ROLE."
    )
    # 0 is refused: aiokafka's consumer then stops delivering records from Tansu.
    fetch_max_wait_ms: int = Field(
        default=5,
        ge=1,
        description="Longest a consumer fetch waits for data (faust hardcodes 1500); at least 1.",
    )
    producer_linger_ms: int = Field(
        default=0, ge=0, description="Producer batching delay; 0 sends at once."
    )
    session_timeout_s: float = Field(
        default=6.0,
        gt=0,
        description="Consumer group session timeout; Tansu holds a join for half of it.",
    )
    heartbeat_interval_s: float = Field(
        default=1.0, gt=0, description="Consumer group heartbeat interval."
    )
    commit_interval_s: float = Field(
        default=1.0, gt=0, description="How often workers commit processed offsets."
    )
    max_poll_records: int | None = Field(
        default=None, ge=1, description="Records per poll; unset lets aiokafka decide."
    )
    stream_buffer_maxsize: int = Field(
        default=4096, ge=1, description="faust's per-partition stream buffer."
    )

    @property
    def faust_broker_url(self) -> str:
        """The bootstrap servers under the tuned transport's URL scheme."""
        return ";".join(
            f"mangaassist-kafka://{host.strip()}" for host in self.bootstrap_servers.split(",")
        )


class PipelineSettings(BaseSettings):
    """Knobs of the pipeline stages themselves."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_PIPELINE_")

    chunk_chars: int = Field(
        default=120,
        ge=1,
        description="Longest reply chunk; whole sentences are packed up to it.",
    )
