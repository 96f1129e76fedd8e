"""Settings of the schema registry client."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RegistrySettings(BaseSettings):
    """Where schema ids come from.

    With no ``url`` the local registry is built from the ``.avsc`` files that
    ship with the package; with a ``url`` a Confluent-compatible HTTP registry
    is used.
    """

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_SCHEMA_REGISTRY_")

    url: str | None = Field(
        default=None,
        description="Confluent-compatible registry URL; unset builds one from the .avsc files.",
    )
    timeout_s: float = Field(default=5.0, gt=0, description="HTTP timeout for registry calls.")
