"""Settings and the factory."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from connectors.commerce import CommerceSettings, services_from_settings
from connectors.commerce.http_clients import HttpCatalogService, HttpRecommendationService
from connectors.commerce.local import LocalCatalogService
from connectors.commerce.personalize import PersonalizeRecommendations, personalize_client
from connectors.commerce.recommend import LocalRecommender
from mangaassist.errors import ConfigurationError

ARN = "arn:aws:personalize:ap-northeast-1:123456789012:campaign/manga-user"


def test_defaults() -> None:
    settings = CommerceSettings()
    assert (settings.backend, settings.recommendations) == ("local", "local")
    assert settings.base_url is None
    assert settings.timeout_s == 0.8


def test_every_setting_is_described() -> None:
    assert all(field.description for field in CommerceSettings.model_fields.values())


def test_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGAASSIST_COMMERCE_BACKEND", "http")
    monkeypatch.setenv("MANGAASSIST_COMMERCE_BASE_URL", "http://commerce.internal:8085")
    monkeypatch.setenv("MANGAASSIST_COMMERCE_API_TOKEN", "hunter2")
    monkeypatch.setenv("MANGAASSIST_COMMERCE_TIMEOUT_S", "0.3")
    monkeypatch.setenv("MANGAASSIST_COMMERCE_RECOMMENDATIONS", "personalize")
    monkeypatch.setenv("MANGAASSIST_COMMERCE_PERSONALIZE_CAMPAIGN_ARN", ARN)
    settings = CommerceSettings()
    assert (settings.backend, settings.base_url) == ("http", "http://commerce.internal:8085")
    assert settings.timeout_s == 0.3
    assert settings.personalize_campaign_arn == ARN
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BACKEND", "grpc"),
        ("RECOMMENDATIONS", "magic"),
        ("TIMEOUT_S", "0"),
        ("TRENDING_TTL_S", "-1"),
    ],
)
def test_values_that_cannot_work_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"MANGAASSIST_COMMERCE_{name}", value)
    with pytest.raises(ValidationError):
        CommerceSettings()


async def test_the_local_backend_is_the_demo_store() -> None:
    services = services_from_settings(CommerceSettings())
    assert isinstance(services.catalog, LocalCatalogService)
    assert isinstance(services.recommendations.engine, LocalRecommender)
    assert services.recommendations.trending_cache.trending(3)  # from order counts at start
    await services.aclose()


async def test_the_http_backend_needs_a_base_url_and_connects_lazily() -> None:
    with pytest.raises(ConfigurationError):
        services_from_settings(CommerceSettings(backend="http"))
    settings = CommerceSettings(backend="http", base_url="http://127.0.0.1:9", timeout_s=0.2)
    services = services_from_settings(settings)
    assert isinstance(services.catalog, HttpCatalogService)
    assert isinstance(services.recommendations.engine, HttpRecommendationService)
    assert services.recommendations.trending_cache.trending(3) == []
    await services.aclose()


async def test_an_injected_http_client_is_left_open() -> None:
    client = httpx.AsyncClient(base_url="http://commerce")
    services = services_from_settings(CommerceSettings(backend="http"), http_client=client)
    await services.aclose()
    assert not client.is_closed
    await client.aclose()


async def test_personalize_needs_a_campaign() -> None:
    with pytest.raises(ConfigurationError):
        services_from_settings(CommerceSettings(recommendations="personalize"))


async def test_personalize_recommends_with_the_backends_catalog() -> None:
    client: Any = personalize_client(
        "ap-northeast-1",
        credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"},
    )
    settings = CommerceSettings(recommendations="personalize", personalize_campaign_arn=ARN)
    services = services_from_settings(settings, personalize=client)
    assert isinstance(services.recommendations.engine, PersonalizeRecommendations)
    assert services.recommendations.trending_cache.trending(3)
    await services.aclose()
    client.close()
