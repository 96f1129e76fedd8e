"""Building the gateway from the settings."""

from __future__ import annotations

from connectors.llm.base import LlmClient
from connectors.llm.bedrock import BedrockClient, bedrock_runtime_client
from connectors.llm.cache import AnswerCache, cache_redis_client
from connectors.llm.gateway import LlmGateway
from connectors.llm.local import LocalGroundedClient
from connectors.llm.openai_compat import OpenAICompatibleClient
from connectors.llm.replay import ReplayLlmClient
from connectors.llm.settings import LlmSettings
from mangaassist.errors import ConfigurationError


def client_from_settings(settings: LlmSettings) -> LlmClient:
    """The configured provider's client; nothing is contacted yet."""
    if settings.provider == "bedrock":
        client = bedrock_runtime_client(
            settings.bedrock_region,
            endpoint_url=settings.bedrock_endpoint_url,
            connect_timeout_s=settings.connect_timeout_s,
            # The gateway times attempts out; this bounds a worker thread left reading.
            read_timeout_s=settings.total_timeout_s,
            max_pool_connections=settings.bedrock_max_concurrency,
        )
        return BedrockClient(
            client, max_concurrency=settings.bedrock_max_concurrency, owns_client=True
        )
    if settings.provider == "openai":
        return OpenAICompatibleClient(
            settings.openai_base_url,
            settings.openai_api_key,
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.total_timeout_s,
        )
    if settings.provider == "replay":
        if settings.replay_recordings is None:
            raise ConfigurationError(
                "the replay provider needs MANGAASSIST_LLM_REPLAY_RECORDINGS (a JSON lines file)"
            )
        return ReplayLlmClient.from_file(settings.replay_recordings)
    return LocalGroundedClient()


def gateway_from_settings(settings: LlmSettings | None = None) -> LlmGateway:
    """The gateway over the configured provider, with the answer cache if enabled.

    Nothing is contacted yet; close it with ``await gateway.aclose()``.
    """
    settings = settings or LlmSettings()
    cache = None
    if settings.cache_enabled:
        client = cache_redis_client(
            settings.cache_redis_url.get_secret_value(), settings.cache_timeout_s
        )
        cache = AnswerCache(client, settings.cache_ttl_s, owns_client=True)
    return LlmGateway(client_from_settings(settings), settings, cache=cache)
