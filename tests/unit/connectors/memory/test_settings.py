import pytest
from pydantic import ValidationError

from connectors.memory import (
    DynamoDbMemory,
    InProcessMemory,
    MemorySettings,
    RedisMemory,
    memory_from_settings,
)


def test_defaults() -> None:
    settings = MemorySettings()
    assert settings.backend == "inprocess"
    assert (settings.max_turns, settings.ttl_s) == (10, 86400)
    assert settings.redis_url.get_secret_value() == "redis://127.0.0.1:6379/0"
    assert settings.dynamodb_endpoint_url is None


def test_every_setting_is_described() -> None:
    assert all(field.description for field in MemorySettings.model_fields.values())


def test_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGAASSIST_MEMORY_BACKEND", "dynamodb")
    monkeypatch.setenv("MANGAASSIST_MEMORY_MAX_TURNS", "4")
    monkeypatch.setenv("MANGAASSIST_MEMORY_TTL_S", "600")
    monkeypatch.setenv("MANGAASSIST_MEMORY_REDIS_URL", "redis://:hunter2@cache:6379/1")
    monkeypatch.setenv("MANGAASSIST_MEMORY_DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("MANGAASSIST_MEMORY_TIMEOUT_S", "0.2")
    settings = MemorySettings()
    assert settings.backend == "dynamodb"
    assert (settings.max_turns, settings.ttl_s, settings.timeout_s) == (4, 600, 0.2)
    assert "hunter2" not in repr(settings)
    assert settings.dynamodb_endpoint_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("name", "value"),
    [("BACKEND", "memcached"), ("MAX_TURNS", "0"), ("TTL_S", "0"), ("TIMEOUT_S", "0")],
)
def test_values_that_cannot_work_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"MANGAASSIST_MEMORY_{name}", value)
    with pytest.raises(ValidationError):
        MemorySettings()


@pytest.mark.parametrize(
    ("backend", "kind"),
    [("inprocess", InProcessMemory), ("redis", RedisMemory), ("dynamodb", DynamoDbMemory)],
)
async def test_the_factory_builds_the_chosen_backend_without_connecting(
    backend: str, kind: type
) -> None:
    settings = MemorySettings.model_validate({"backend": backend, "redis_url": "redis://h:1/0"})
    memory = memory_from_settings(settings)
    assert isinstance(memory, kind)
    await memory.aclose()
