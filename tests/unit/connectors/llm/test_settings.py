import json

import pytest
from pydantic import ValidationError

from connectors.llm import (
    AnswerCache,
    BedrockClient,
    LlmGateway,
    LlmSettings,
    LocalGroundedClient,
    OpenAICompatibleClient,
    estimate_tokens,
    gateway_from_settings,
)
from connectors.llm.settings import LOCAL_MODEL


def test_defaults() -> None:
    settings = LlmSettings()
    assert settings.provider == "local"
    assert settings.openai_api_key is None
    assert settings.cache_enabled is False
    assert settings.large_intents == ("recommendation",)
    assert settings.prices[LOCAL_MODEL].input_per_1k == 0.0
    assert settings.small_model in settings.prices
    assert settings.large_model in settings.prices


def test_every_setting_is_described() -> None:
    assert all(field.description for field in LlmSettings.model_fields.values())


def test_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    prices = {"qwen-small": {"input_per_1k": 0.0001, "output_per_1k": 0.0002}}
    prices["qwen-large"] = {"input_per_1k": 0.001, "output_per_1k": 0.002}
    monkeypatch.setenv("MANGAASSIST_LLM_PROVIDER", "openai")
    monkeypatch.setenv("MANGAASSIST_LLM_SMALL_MODEL", "qwen-small")
    monkeypatch.setenv("MANGAASSIST_LLM_LARGE_MODEL", "qwen-large")
    monkeypatch.setenv("MANGAASSIST_LLM_PRICES", json.dumps(prices))
    monkeypatch.setenv("MANGAASSIST_LLM_LARGE_INTENTS", '["recommendation", "product_discovery"]')
    monkeypatch.setenv("MANGAASSIST_LLM_OPENAI_API_KEY", "sk-hunter2")
    monkeypatch.setenv("MANGAASSIST_LLM_FIRST_TOKEN_TIMEOUT_S", "1.5")
    monkeypatch.setenv("MANGAASSIST_LLM_CACHE_ENABLED", "true")
    settings = LlmSettings()
    assert settings.provider == "openai"
    assert settings.model_id("small") == "qwen-small"
    assert settings.prices["qwen-large"].output_per_1k == 0.002
    assert settings.large_intents == ("recommendation", "product_discovery")
    assert settings.first_token_timeout_s == 1.5
    assert settings.cache_enabled
    assert settings.openai_api_key is not None
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PROVIDER", "gpt"),
        ("MAX_RETRIES", "-1"),
        ("FIRST_TOKEN_TIMEOUT_S", "0"),
        ("TOTAL_TIMEOUT_S", "1"),  # shorter than the first-token timeout
        ("BREAKER_FAILURE_THRESHOLD", "0"),
        ("TEMPERATURE", "3"),
        ("CACHE_TTL_S", "0"),
    ],
)
def test_values_that_cannot_work_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"MANGAASSIST_LLM_{name}", value)
    with pytest.raises(ValidationError):
        LlmSettings()


def test_a_remote_provider_needs_prices_for_its_models() -> None:
    with pytest.raises(ValidationError, match="no price for model"):
        LlmSettings(provider="bedrock", large_model="anthropic.claude-unknown")
    LlmSettings(provider="local", large_model="anthropic.claude-unknown")  # local costs nothing


@pytest.mark.parametrize(
    ("provider", "kind"),
    [
        ("local", LocalGroundedClient),
        ("bedrock", BedrockClient),
        ("openai", OpenAICompatibleClient),
    ],
)
async def test_the_factory_builds_the_chosen_provider_without_connecting(
    provider: str, kind: type
) -> None:
    settings = LlmSettings.model_validate(
        {"provider": provider, "cache_enabled": True, "cache_redis_url": "redis://h:1/0"}
    )
    gateway = gateway_from_settings(settings)
    assert isinstance(gateway, LlmGateway)
    assert isinstance(gateway.primary, kind)
    assert isinstance(gateway.cache, AnswerCache)
    await gateway.aclose()


async def test_the_factory_leaves_the_cache_off_by_default() -> None:
    gateway = gateway_from_settings(LlmSettings())
    assert gateway.cache is None
    await gateway.aclose()


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("", 0), ("abcd", 1), ("abcde", 2), ("返品", 2), ("返品できます", 4), ("Kindle版", 3)],
)
def test_token_estimates(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens
