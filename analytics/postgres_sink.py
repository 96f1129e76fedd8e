"""The PostgreSQL warehouse: the local stand-in for Redshift."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.rows import COLUMNS, EventRow
from analytics.sink import WarehouseSink, insert_ignoring_duplicates, load_sql

logger = logging.getLogger(__name__)

T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]

APPLICATION_NAME = "mangaassist-analytics"
# Errors of the connection or of a transient server state; the rest are refusals.
UNAVAILABLE_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError)


class PostgresSink(WarehouseSink):
    """Tables in ``schema_name`` of the database at ``url``, over one psycopg connection.

    A connection that died while idle is replaced and the call retried once;
    otherwise a lost connection raises :class:`WarehouseUnavailable` and the next
    call reconnects. A retried write that had in fact committed reports 0 new rows.
    """

    engine = "postgres"
    placeholder = "%s"

    def __init__(self, url: str, schema_name: str) -> None:
        super().__init__()
        self._url = url
        self._schema = schema_name
        self._conn: Connection | None = None
        self._stage_ready = False
        # The SQL files name tables without a schema; the search path supplies it.
        self._set_search_path = sql.SQL("SET search_path TO {}").format(sql.Identifier(schema_name))
        self._copy_statement = f"COPY chat_events_stage ({', '.join(COLUMNS)}) FROM STDIN"
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
            if not self._stage_ready:
                conn.execute(load_sql("chat_events_stage", self.engine))
                self._stage_ready = True
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy(self._copy_statement) as copy:
                    for row in rows:
                        copy.write_row(row.values())
                cursor.execute(self._insert_statement)
                return cursor.rowcount

        return self._run(insert)

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
                self._url,
                autocommit=True,
                application_name=APPLICATION_NAME,
                options="-c TimeZone=UTC",
            )
            self._stage_ready = False
            self._conn.execute(self._set_search_path)
        return self._conn

    def _discard(self) -> None:
        if self._conn is not None:
            with suppress(psycopg.Error):
                self._conn.close()
            self._conn = None
