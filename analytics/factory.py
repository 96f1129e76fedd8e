"""Choosing the warehouse engine from the settings."""

from analytics.duckdb_sink import DuckDBSink
from analytics.postgres_sink import PostgresSink
from analytics.settings import WarehouseSettings
from analytics.sink import WarehouseSink


def sink_from_settings(settings: WarehouseSettings) -> WarehouseSink:
    """PostgreSQL when a warehouse URL is set, else the embedded DuckDB file.

    Nothing is opened yet: the first call on the sink connects.
    """
    if settings.url is None:
        return DuckDBSink(settings.duckdb_path)
    return PostgresSink(settings.url.get_secret_value(), settings.schema_name)
