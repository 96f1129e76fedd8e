"""Settings of the chat bridge (the WebSocket/HTTP edge)."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class BridgeSettings(BaseSettings):
    """Where the bridge listens, how it signs session tokens, and what it accepts."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_BRIDGE_")

    host: str = Field(default="127.0.0.1", description="Address the bridge listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the bridge listens on.")
    token_secret: SecretStr | None = Field(
        default=None,
        description="HMAC key for session tokens; unset: random per process (no restarts).",
    )
    identity_secret: SecretStr | None = Field(
        default=None,
        description="Key of the local development sign-in (HS256 identity tokens).",
    )
    jwks_url: str | None = Field(
        default=None,
        description="JWKS of the production identity provider (e.g. Cognito); enables sign-in.",
    )
    identity_issuer: str | None = Field(
        default=None, description="Expected `iss` of identity tokens verified by JWKS."
    )
    identity_audience: str | None = Field(
        default=None, description="Expected `aud` (app client id) of identity tokens."
    )
    token_ttl_s: int = Field(default=86400, gt=0, description="Lifetime of a session token.")
    max_text_chars: int = Field(
        default=2000, gt=0, description="Longest chat message accepted, in characters."
    )
    max_frame_bytes: int = Field(
        default=16384, gt=0, description="Largest WebSocket frame or HTTP body accepted."
    )
    reply_timeout_s: float = Field(
        default=30.0, gt=0, description="After this long without a final reply, a timeout error."
    )
    allowed_origins: list[str] = Field(
        default=[], description="Browser origins allowed; empty allows any (JSON list)."
    )
    default_locale: Literal["ja", "en"] = Field(
        default="ja", description="Locale of sessions that do not name one."
    )
    auth_timeout_s: float = Field(
        default=10.0, gt=0, description="How long a socket may take to send its auth frame."
    )
    sse_heartbeat_s: float = Field(
        default=15.0, gt=0, description="Interval of SSE heartbeat comments."
    )
    heartbeat_s: float = Field(
        default=30.0, gt=0, description="Interval of WebSocket pings; no pong in as long closes."
    )
    idle_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="A socket that sends no frame for this long is closed (code 4408).",
    )
    replay_rewind_records: int = Field(
        default=500,
        ge=0,
        description="Replies per partition re-read at start, so reconnecting clients can resume.",
    )
    rate_capacity: int = Field(
        default=10, ge=1, description="Messages a session (or user) may send in a burst."
    )
    rate_refill_per_s: float = Field(
        default=0.5, gt=0, description="Messages per second a bucket regains, up to its capacity."
    )
    redis_url: SecretStr | None = Field(
        default=None,
        description="Redis for rate limits shared by every bridge; unset: per process.",
    )
    shutdown_grace_s: int = Field(
        default=5, ge=0, description="How long open connections may delay a shutdown."
    )
