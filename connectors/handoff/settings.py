"""Settings of the hand-off to a person."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class HandoffSettings(BaseSettings):
    """Where an escalated chat goes (the local queue and console, or Amazon Connect)."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_HANDOFF_")

    backend: Literal["local", "connect"] = Field(
        default="local",
        description="local (a queue and the bridge's agent console) or connect (Amazon Connect).",
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis of the local queue, shared by workers and bridges; unset: in-process "
        "in the bridge (one bridge only).",
    )
    average_handle_s: float = Field(
        default=180.0,
        gt=0,
        description="Average time an agent takes per chat; the wait is queue position × this.",
    )
    ticket_ttl_s: int = Field(
        default=86400, ge=60, description="A ticket is forgotten this long after it was queued."
    )
    timeout_s: float = Field(
        default=2.0, gt=0, description="Connect and read timeout of each Redis or Connect call."
    )
    console_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the agent console (/handoff); unset: no console (404).",
    )
    connect_mode: Literal["chat", "task"] = Field(
        default="chat",
        description="Amazon Connect contact made per hand-off: chat (StartChatContact) or task.",
    )
    connect_instance_id: str | None = Field(
        default=None, description="Amazon Connect instance id (required by the connect backend)."
    )
    connect_contact_flow_id: str | None = Field(
        default=None, description="Contact flow that routes hand-offs (required by connect)."
    )
    connect_region: str = Field(
        default="ap-northeast-1", description="AWS region of the Amazon Connect instance."
    )
    connect_endpoint_url: str | None = Field(
        default=None, description="Amazon Connect endpoint override (e.g. a VPC endpoint)."
    )
