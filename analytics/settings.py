"""Settings of the analytics warehouse sink."""

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

POSTGRES_URL_PREFIXES = ("postgresql://", "postgres://")


class WarehouseSettings(BaseSettings):
    """Where chat events are stored for analysts, and how they are batched.

    With no ``url`` the events go to an embedded DuckDB file; a
    ``postgresql://`` URL selects PostgreSQL (the local stand-in for Redshift).
    """

    # The URL may hold a password: keep input values out of validation errors.
    model_config = SettingsConfigDict(
        env_prefix="MANGAASSIST_WAREHOUSE_", hide_input_in_errors=True
    )

    url: SecretStr | None = Field(
        default=None,
        description="postgresql:// URL of the warehouse; unset writes to DuckDB.",
    )
    duckdb_path: Path = Field(
        default=Path("var/analytics.duckdb"), description="The embedded DuckDB file."
    )
    # Plain lower case, so analysts can name the schema without quotes.
    schema_name: str = Field(
        default="mangaassist",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema holding the tables.",
    )
    batch_size: int = Field(default=500, ge=1, description="Most events written per batch.")
    batch_age_s: float = Field(
        default=0.5, gt=0, description="Longest an event waits for its batch to fill."
    )

    @field_validator("url")
    @classmethod
    def _postgres_only(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None and not url.get_secret_value().startswith(POSTGRES_URL_PREFIXES):
            raise ValueError("the warehouse url must start with postgresql://")
        return url
