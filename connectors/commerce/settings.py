"""Settings of the store's service connectors."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommerceSettings(BaseSettings):
    """Where the store services (catalog, orders, returns, ...) and recommendations come from."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_COMMERCE_")

    backend: Literal["local", "http"] = Field(
        default="local",
        description="local (the synthetic demo store in this process) or http (internal services).",
    )
    base_url: str | None = Field(
        default=None,
        description="Base URL of the internal services (http backend; see docs/commerce-api.md).",
    )
    api_token: SecretStr | None = Field(
        default=None, description="Bearer token sent to the internal services, if they want one."
    )
    timeout_s: float = Field(
        default=0.8,
        gt=0,
        description="Connect and read timeout of each service call (HTTP and Personalize).",
    )
    recommendations: Literal["local", "personalize"] = Field(
        default="local",
        description="local (the demo-store engine) or personalize (Amazon Personalize campaigns).",
    )
    personalize_campaign_arn: str | None = Field(
        default=None, description="User-personalization campaign of the personalize engine."
    )
    personalize_similar_items_campaign_arn: str | None = Field(
        default=None, description="Similar-items campaign for guests on a product page (optional)."
    )
    personalize_ranking_campaign_arn: str | None = Field(
        default=None, description="Personalized-ranking campaign for re-ranking (optional)."
    )
    personalize_filter_arn: str | None = Field(
        default=None, description="Filter applied to shoppers' recommendations, e.g. no purchases."
    )
    personalize_region: str = Field(
        default="ap-northeast-1", description="AWS region of the Personalize campaigns."
    )
    personalize_endpoint_url: str | None = Field(
        default=None,
        description="personalize-runtime endpoint; set it for a VPC endpoint or a proxy.",
    )
    trending_ttl_s: float = Field(
        default=600.0,
        gt=0,
        description="How long the last popular list stands in for failed recommendations.",
    )
