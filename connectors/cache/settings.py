"""Settings of the cache layer."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CacheSettings(BaseSettings):
    """Whether catalog, recommendation and promotion lookups are cached, where, and how long.

    Prices, availability and stock are never cached, whatever these say.
    """

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_CACHE_")

    enabled: bool = Field(
        default=True, description="Off: every lookup goes to the origin (nothing is cached)."
    )
    redis_url: SecretStr = Field(
        default=SecretStr("redis://127.0.0.1:6379/0"),
        description="Redis of the shared L2 tier (may carry a password); empty: L1 only.",
    )
    l1_size: int = Field(
        default=10_000, ge=0, description="Entries each namespace keeps in process (LRU)."
    )
    l1_ttl_s: float = Field(
        default=30.0,
        gt=0,
        description="Longest an entry stays in process: bounds staleness if one is missed.",
    )
    products_ttl_s: int = Field(
        default=600, ge=1, description="Life of product details and series in Redis."
    )
    recommendations_ttl_s: int = Field(
        default=300, ge=1, description="Life of a shopper's or session's recommendations."
    )
    promotions_ttl_s: int = Field(
        default=60, ge=1, description="Window of one cached list of active promotions."
    )
    timeout_s: float = Field(
        default=0.1, gt=0, description="Connect and read timeout of each Redis call."
    )
    retry_after_s: float = Field(
        default=1.0, ge=0, description="After a Redis failure, Redis is skipped this long."
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the pipeline worker serves GET /metrics on (0.0.0.0 for a scraper).",
    )
    metrics_port: int = Field(
        default=9464,
        ge=0,
        le=65535,
        description="Port of the pipeline worker's cache metrics (Prometheus text); 0: not served.",
    )
