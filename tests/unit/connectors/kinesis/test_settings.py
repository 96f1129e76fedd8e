"""KinesisSettings and AnalyticsTransportSettings: environment names, limits, descriptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from connectors.kinesis import AnalyticsTransportSettings, KinesisSettings


def test_defaults_suit_a_local_run_and_the_kinesis_limits() -> None:
    settings = KinesisSettings()
    assert settings.stream_name == "mangaassist-chat-events"
    assert settings.endpoint_url is None
    assert settings.batch_size == 500
    assert settings.batch_max_bytes == 5 * 1024 * 1024
    assert settings.initial_position == "TRIM_HORIZON"
    assert settings.checkpoint_path == Path("var/kinesis-checkpoints.json")
    assert settings.tee_wait_for_ack is True
    assert AnalyticsTransportSettings().transport == "kafka"


def test_the_environment_sets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGAASSIST_KINESIS_STREAM_NAME", "events-test")
    monkeypatch.setenv("MANGAASSIST_KINESIS_ENDPOINT_URL", "http://127.0.0.1:4567")
    monkeypatch.setenv("MANGAASSIST_KINESIS_BATCH_AGE_S", "0.2")
    monkeypatch.setenv("MANGAASSIST_KINESIS_PUT_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("MANGAASSIST_ANALYTICS_TRANSPORT", "kinesis")
    settings = KinesisSettings()
    assert settings.stream_name == "events-test"
    assert settings.endpoint_url == "http://127.0.0.1:4567"
    assert settings.batch_age_s == 0.2
    assert settings.put_max_attempts == 3
    transport = AnalyticsTransportSettings()
    assert transport.transport == "kinesis"
    assert transport.kinesis


@pytest.mark.parametrize(
    "values",
    [
        {"batch_size": 501},
        {"batch_size": 0},
        {"batch_max_bytes": 5 * 1024 * 1024 + 1},
        {"stream_name": "no spaces"},
        {"get_records_limit": 10_001},
        {"initial_position": "AT_TIMESTAMP"},
        {"retry_base_s": 2.0, "retry_max_s": 1.0},
    ],
)
def test_values_kinesis_would_refuse_are_refused_here(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        KinesisSettings.model_validate(values)


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ValidationError):
        AnalyticsTransportSettings.model_validate({"transport": "sqs"})


@pytest.mark.parametrize("settings", [KinesisSettings, AnalyticsTransportSettings])
def test_every_field_is_described(settings: type[BaseSettings]) -> None:
    for name, field in settings.model_fields.items():
        assert field.description, f"{settings.__name__}.{name} has no description"
