"""Every component's settings, as the README's table and as ``mangaassist settings``."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from agents.guard.settings import GuardSettings
from analytics.settings import WarehouseSettings
from bridge.settings import BridgeSettings
from connectors.cache.settings import CacheSettings
from connectors.commerce.settings import CommerceSettings
from connectors.handoff.settings import HandoffSettings
from connectors.kafka import LocalBrokerSettings
from connectors.kinesis.settings import AnalyticsTransportSettings, KinesisSettings
from connectors.llm.settings import LlmSettings
from connectors.memory.settings import MemorySettings
from schemas.settings import RegistrySettings
from streams.settings import KafkaSettings, PipelineSettings

SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (
    KafkaSettings,
    PipelineSettings,
    GuardSettings,
    LocalBrokerSettings,
    BridgeSettings,
    WarehouseSettings,
    RegistrySettings,
    MemorySettings,
    CacheSettings,
    CommerceSettings,
    LlmSettings,
    KinesisSettings,
    AnalyticsTransportSettings,
    HandoffSettings,
)


def _env_name(cls: type[BaseSettings], field: str) -> str:
    return f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def _shown_default(default: object) -> str:
    if default is None:
        return "unset"
    if isinstance(default, SecretStr):
        # A default is written in the code for anyone to read: it is no secret.
        default = default.get_secret_value()
    if isinstance(default, Path | str):
        return f"`{default}`" if str(default) else '`""`'
    return f"`{default!r}`"


def render_settings_table() -> str:
    """The Markdown table of every variable with its default and description."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for cls in SETTINGS_CLASSES:
        for name, field in cls.model_fields.items():
            shown = _shown_default(field.default)
            doc = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{_env_name(cls, name)}` | {shown} | {doc} |")
    return "\n".join(lines)


def current_settings() -> dict[str, str]:
    """Every variable with the value this process would use (secrets masked)."""
    values: dict[str, str] = {}
    for cls in SETTINGS_CLASSES:
        instance = cls()
        for name in cls.model_fields:
            value = getattr(instance, name)
            values[_env_name(cls, name)] = (
                "**********" if isinstance(value, SecretStr) else str(value)
            )
    return values
