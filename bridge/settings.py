"""Settings of the chat bridge (the WebSocket/HTTP edge)."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class BridgeSettings(BaseSettings):
    """Where the bridge listens, how it signs session tokens, and what it accepts."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_BRIDGE_")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # None: a random secret per process, so tokens do not survive a restart.
    token_secret: SecretStr | None = None
    token_ttl_s: int = Field(default=86400, gt=0)
    max_text_chars: int = Field(default=2000, gt=0)
    max_frame_bytes: int = Field(default=16384, gt=0)
    reply_timeout_s: float = Field(default=30.0, gt=0)
    # Empty: any origin. Otherwise a browser's Origin header must be one of these.
    allowed_origins: list[str] = []
    default_locale: Literal["ja", "en"] = "ja"
    auth_timeout_s: float = Field(default=10.0, gt=0)
    sse_heartbeat_s: float = Field(default=15.0, gt=0)
    # How long open connections (SSE streams never end) may delay a shutdown.
    shutdown_grace_s: int = Field(default=5, ge=0)
