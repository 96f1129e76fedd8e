"""The analytics warehouse: every chat event, one row each, for analysts.

PostgreSQL (the stand-in for Redshift) when ``MANGAASSIST_WAREHOUSE_URL`` is set,
else an embedded DuckDB file.
"""

from analytics.duckdb_sink import DuckDBSink
from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.factory import sink_from_settings
from analytics.flush import flush_in_thread, flush_salvaging
from analytics.postgres_sink import PostgresSink
from analytics.rows import COLUMNS, EventRow, to_row
from analytics.settings import WarehouseSettings
from analytics.sink import WarehouseSink

__all__ = [
    "COLUMNS",
    "DuckDBSink",
    "EventRow",
    "PostgresSink",
    "WarehouseError",
    "WarehouseSettings",
    "WarehouseSink",
    "WarehouseUnavailable",
    "flush_in_thread",
    "flush_salvaging",
    "sink_from_settings",
    "to_row",
]
