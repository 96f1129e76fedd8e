"""Settings of the LLM gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_MODEL = "local-grounded"
"""The model id the embedded generator answers as, whatever tier routing picks."""

DEFAULT_SMALL_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
DEFAULT_LARGE_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"


class ModelPrice(BaseModel):
    """A model's list price in US dollars per 1,000 tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_1k: float = Field(ge=0)
    output_per_1k: float = Field(ge=0)


# On-demand Bedrock list prices when written (check before relying on them).
DEFAULT_PRICES: dict[str, ModelPrice] = {
    DEFAULT_SMALL_MODEL: ModelPrice(input_per_1k=0.00025, output_per_1k=0.00125),
    DEFAULT_LARGE_MODEL: ModelPrice(input_per_1k=0.003, output_per_1k=0.015),
    LOCAL_MODEL: ModelPrice(input_per_1k=0.0, output_per_1k=0.0),
}


class LlmSettings(BaseSettings):
    """Which model answers, how long it may take, how failures are handled, what it costs."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_LLM_")

    provider: Literal["local", "bedrock", "openai", "replay"] = Field(
        default="local",
        description="local (embedded grounded generator, no network), bedrock, openai "
        "(an OpenAI-compatible server such as vLLM) or replay (recorded answers played back, "
        "for mangaassist replay).",
    )
    replay_recordings: Path | None = Field(
        default=None,
        description="JSON lines of recorded completions the replay provider plays back "
        "(mangaassist replay writes it).",
    )
    small_model: str = Field(
        default=DEFAULT_SMALL_MODEL, min_length=1, description="Model id for simple turns."
    )
    large_model: str = Field(
        default=DEFAULT_LARGE_MODEL,
        min_length=1,
        description="Model id for recommendations, multi-part questions and long context.",
    )
    large_intents: tuple[str, ...] = Field(
        default=("recommendation",),
        description="Intents always sent to the large model (a JSON list).",
    )
    long_context_tokens: int = Field(
        default=1500,
        ge=1,
        description="Retrieved context of at least this many estimated tokens goes to the "
        "large model.",
    )
    prices: dict[str, ModelPrice] = Field(
        default=DEFAULT_PRICES,
        description="USD per 1k input and output tokens by model id (JSON: "
        '{"<model>": {"input_per_1k": 0.003, "output_per_1k": 0.015}}); both model ids '
        "of a remote provider must be listed.",
    )
    bedrock_region: str = Field(default="ap-northeast-1", description="AWS region of Bedrock.")
    bedrock_endpoint_url: str | None = Field(
        default=None, description="Bedrock runtime endpoint; set it for a proxy or a local fake."
    )
    bedrock_max_concurrency: int = Field(
        default=32, ge=1, description="Worker threads reading Bedrock streams (boto3 blocks)."
    )
    openai_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Root of the OpenAI-compatible server; /v1/chat/completions is appended.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, description="Bearer token of the OpenAI-compatible server, if it needs one."
    )
    connect_timeout_s: float = Field(
        default=2.0, gt=0, description="Timeout of connecting to the provider."
    )
    first_token_timeout_s: float = Field(
        default=5.0, gt=0, description="An attempt fails when no text has arrived by then."
    )
    total_timeout_s: float = Field(
        default=30.0, gt=0, description="An attempt fails when its stream has not ended by then."
    )
    max_retries: int = Field(
        default=2,
        ge=0,
        description="Retries of a retryable failure, only before any text has been streamed.",
    )
    backoff_base_s: float = Field(
        default=0.2, ge=0, description="Backoff before retry n is up to base * 2**(n-1)."
    )
    backoff_max_s: float = Field(default=2.0, ge=0, description="Cap of one backoff.")
    breaker_failure_threshold: int = Field(
        default=5,
        ge=1,
        description="Consecutive failed attempts (retries count) that open the circuit breaker.",
    )
    breaker_cooldown_s: float = Field(
        default=30.0, gt=0, description="How long the open breaker fails fast before one trial."
    )
    max_tokens: int = Field(default=512, ge=1, description="Longest answer, in tokens.")
    temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature.")
    prompt_budget_tokens: int = Field(
        default=3000,
        ge=1,
        description="Estimated tokens the prompt may take; context, then memory, is trimmed.",
    )
    cache_enabled: bool = Field(
        default=False, description="Keep non-personal, price-free answers in Redis."
    )
    cache_ttl_s: int = Field(default=3600, ge=1, description="How long a cached answer lives.")
    cache_redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description="Redis of the answer cache (may carry a password).",
    )
    cache_timeout_s: float = Field(
        default=0.2, gt=0, description="Timeout of each cache call; a slow cache is a miss."
    )

    @model_validator(mode="after")
    def _remote_models_are_priced(self) -> Self:
        if self.provider != "local":
            missing = [m for m in (self.small_model, self.large_model) if m not in self.prices]
            if missing:
                raise ValueError(f"no price for model(s) {', '.join(missing)}: add them to prices")
        if self.total_timeout_s < self.first_token_timeout_s:
            raise ValueError("total_timeout_s must not be shorter than first_token_timeout_s")
        return self

    def model_id(self, tier: Literal["small", "large"]) -> str:
        """The model id of ``tier``; the local generator answers as :data:`LOCAL_MODEL`."""
        if self.provider == "local":
            return LOCAL_MODEL
        return self.small_model if tier == "small" else self.large_model
