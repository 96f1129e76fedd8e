"""The embedded warehouse: a DuckDB file, the default when no warehouse URL is set."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.rows import COLUMNS, EventRow
from analytics.sink import WarehouseSink, insert_ignoring_duplicates

T = TypeVar("T")


class DuckDBSink(WarehouseSink):
    engine = "duckdb"
    placeholder = "?"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._conn: duckdb.DuckDBPyConnection | None = None
        # Each column travels as one list parameter and is UNNESTed: far faster than
        # executemany or a many-row VALUES list.
        self._insert_statement = insert_ignoring_duplicates(
            "SELECT " + ", ".join("UNNEST(?)" for _ in COLUMNS)
        )

    def close(self) -> None:
        with self._lock:
            self._discard()

    def _apply_ddl(self, script: str) -> None:
        def apply(conn: duckdb.DuckDBPyConnection) -> None:
            with _transaction(conn):
                conn.execute(script)

        self._run(apply)

    def _insert(self, rows: Sequence[EventRow]) -> int:
        columns = [[getattr(row, name) for row in rows] for name in COLUMNS]

        def insert(conn: duckdb.DuckDBPyConnection) -> int:
            # A single statement: atomic without an explicit transaction.
            result = conn.execute(self._insert_statement, columns).fetchone()
            return int(result[0]) if result else 0

        return self._run(insert)

    def _fetch(
        self, statement: str, params: Sequence[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        def fetch(conn: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[Any, ...]]]:
            conn.execute(statement, list(params))
            names = [column[0] for column in conn.description or ()]
            return names, conn.fetchall()

        return self._run(fetch)

    def _run(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        with self._lock:
            try:
                return work(self._connection())
            except (duckdb.OperationalError, duckdb.FatalException) as exc:
                # I/O trouble, a lock held by another process, or an invalidated database.
                self._discard()
                raise WarehouseUnavailable(f"DuckDB at {self._path} is unavailable: {exc}") from exc
            except duckdb.Error as exc:
                raise WarehouseError(f"DuckDB rejected the request: {exc}") from exc
            except OSError as exc:
                raise WarehouseError(f"cannot create the folder of {self._path}: {exc}") from exc

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = duckdb.connect(str(self._path))
            self._conn.execute("SET TimeZone = 'UTC'")
        return self._conn

    def _discard(self) -> None:
        if self._conn is not None:
            with suppress(duckdb.Error):
                self._conn.close()
            self._conn = None


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.begin()
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
