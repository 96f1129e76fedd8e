"""The PostgreSQL warehouse: the local stand-in for Redshift."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, TypeVar

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.rows import COLUMNS, EventRow
from analytics.sink import WarehouseSink, insert_ignoring_duplicates, load_sql

logger = logging.getLogger(__name__)

T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]

APPLICATION_NAME = "mangaassist-analytics"
# Errors of the connection or of a transient server state; the rest are refusals.
UNAVAILABLE_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError)
# SQLSTATE classes that blame the rows of a write (data exception, integrity constraint
# violation). Any other refusal of a write (a missing or renamed table, revoked
# privileges, a read-only server) is the warehouse not taking writes for now.
ROW_ERROR_CLASSES = ("22", "23")
# A warehouse that stops answering is an error within seconds, not a hung sink; a URL
# that sets any of these keeps its own value.
CONNECT_DEFAULTS = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
    "tcp_user_timeout": "30000",
}


class PostgresSink(WarehouseSink):
    """Tables in ``schema_name`` of the database at ``url``, over one psycopg connection.

    A connection that died while idle is replaced and the call retried once;
    otherwise a lost connection raises :class:`WarehouseUnavailable` and the next
    call reconnects. A retried write that had in fact committed reports 0 new rows.
    A write is :class:`WarehouseError` only when PostgreSQL blames its rows
    (:data:`ROW_ERROR_CLASSES`); any other refusal is :class:`WarehouseUnavailable`.
    """

    engine = "postgres"
    placeholder = "%s"

    def __init__(self, url: str, schema_name: str) -> None:
        super().__init__()
        given = conninfo_to_dict(url)
        self._conninfo = make_conninfo(
            url, **{k: v for k, v in CONNECT_DEFAULTS.items() if k not in given}
        )
        self._schema = schema_name
        self._conn: Connection | None = None
        # Column type oids of the staging table, read once per connection (binary COPY
        # needs them exact), or None before the table is made.
        self._stage_types: list[int] | None = None
        # The SQL files name tables without a schema; the search path supplies it.
        self._set_search_path = sql.SQL("SET search_path TO {}").format(sql.Identifier(schema_name))
        self._copy_statement = (
            f"COPY chat_events_stage ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        )
        self._insert_statement = insert_ignoring_duplicates(
            f"SELECT {', '.join(COLUMNS)} FROM chat_events_stage"
        )

    def close(self) -> None:
        with self._lock:
            self._discard()

    def _apply_ddl(self, script: str) -> None:
        create_schema = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(self._schema)
        )

        def apply(conn: Connection) -> None:
            with conn.transaction():
                # Workers starting together would otherwise race on CREATE ... IF NOT EXISTS.
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('mangaassist.analytics.setup'))"
                )
                conn.execute(create_schema)
                conn.execute(script)

        self._run(apply)

    def _insert(self, rows: Sequence[EventRow]) -> int:
        def insert(conn: Connection) -> int:
            if self._stage_types is None:
                conn.execute(load_sql("chat_events_stage", self.engine))
                self._stage_types = stage_types(conn)
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy(self._copy_statement) as copy:
                    copy.set_types(self._stage_types)
                    for row in rows:
                        copy.write_row(row.values())
                cursor.execute(self._insert_statement)
                return cursor.rowcount

        try:
            return self._run(insert)
        except WarehouseUnavailable:
            raise
        except WarehouseError as exc:
            cause = exc.__cause__
            if isinstance(cause, psycopg.Error) and (cause.sqlstate or "")[:2] in ROW_ERROR_CLASSES:
                raise
            raise WarehouseUnavailable(f"PostgreSQL does not take writes: {cause}") from cause

    def _fetch(
        self, statement: str, params: Sequence[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        def fetch(conn: Connection) -> tuple[list[str], list[tuple[Any, ...]]]:
            with conn.cursor() as cursor:
                cursor.execute(statement, params or None)
                names = [column.name for column in cursor.description or ()]
                return names, cursor.fetchall()

        return self._run(fetch)

    def _run(self, work: Callable[[Connection], T]) -> T:
        with self._lock:
            if self._conn is not None:
                try:
                    return self._attempt(work)
                except WarehouseUnavailable as exc:
                    logger.info("PostgreSQL connection lost (%s); reconnecting", exc)
            return self._attempt(work)

    def _attempt(self, work: Callable[[Connection], T]) -> T:
        try:
            return work(self._connection())
        except UNAVAILABLE_ERRORS as exc:
            self._discard()
            raise WarehouseUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        except psycopg.Error as exc:
            raise WarehouseError(f"PostgreSQL rejected the request: {exc}") from exc

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self._conninfo,
                autocommit=True,
                application_name=APPLICATION_NAME,
                options="-c TimeZone=UTC",
            )
            self._stage_types = None
            self._conn.execute(self._set_search_path)
        return self._conn

    def _discard(self) -> None:
        if self._conn is not None:
            with suppress(psycopg.Error):
                self._conn.close()
            self._conn = None


def stage_types(conn: Connection) -> list[int]:
    """The type oids of the staging table's :data:`COLUMNS`, for a binary COPY into it.

    Read from the catalog, not assumed: the staging table copies ``chat_events`` as it
    is, which may be older than the DDL in ``analytics/sql``.
    """
    oids: dict[str, int] = dict(
        conn.execute(
            "SELECT attname, atttypid FROM pg_attribute"
            " WHERE attrelid = 'chat_events_stage'::regclass AND attnum > 0"
            " AND NOT attisdropped"
        ).fetchall()
    )
    return [int(oids[name]) for name in COLUMNS]
