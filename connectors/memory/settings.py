"""Settings of the conversation memory."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MemorySettings(BaseSettings):
    """Where the last turns of each chat are kept, how many, and for how long."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_MEMORY_")

    backend: Literal["inprocess", "redis", "dynamodb"] = Field(
        default="inprocess",
        description="inprocess (one process, lost on restart), redis or dynamodb.",
    )
    max_turns: int = Field(default=10, ge=1, description="Newest turns kept per session.")
    ttl_s: int = Field(
        default=86400, ge=1, description="A session is forgotten this long after its last write."
    )
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description="Redis of the redis backend (may carry a password).",
    )
    dynamodb_table: str = Field(
        default="mangaassist-memory", description="DynamoDB table of the dynamodb backend."
    )
    dynamodb_endpoint_url: str | None = Field(
        default=None,
        description="DynamoDB endpoint; set it for DynamoDB Local, dynalite or moto.",
    )
    aws_region: str = Field(default="ap-northeast-1", description="AWS region of the table.")
    timeout_s: float = Field(
        default=0.5, gt=0, description="Connect and read timeout of each backend call."
    )
