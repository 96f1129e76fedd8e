"""The warehouse sink: an idempotent, batch-at-a-time writer of event rows.

Modelled on quix-streams' small ``Sink`` base: ``setup`` once, then write
batches (the analytics sink in ``streams/analytics_consumer.py`` batches;
:mod:`analytics.flush` writes off the event loop).
Engines share the SQL in ``analytics/sql``; a file named ``<name>.<engine>.sql``
replaces ``<name>.sql`` for that engine.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from types import TracebackType
from typing import Any, ClassVar, Self

from analytics.rows import COLUMNS, EventRow, unique_by_event_id

SETUP_SCRIPTS = ("chat_events", "turn_latency", "intent_counts")


@cache
def load_sql(name: str, engine: str) -> str:
    """The text of ``sql/<name>.<engine>.sql`` if there is one, else of ``sql/<name>.sql``."""
    folder = files("analytics").joinpath("sql")
    specific = folder.joinpath(f"{name}.{engine}.sql")
    return (specific if specific.is_file() else folder.joinpath(f"{name}.sql")).read_text("utf-8")


def insert_ignoring_duplicates(source: str) -> str:
    """An INSERT of :data:`COLUMNS` from ``source`` (a SELECT) that skips known event ids."""
    return (
        f"INSERT INTO chat_events ({', '.join(COLUMNS)}) {source} ON CONFLICT (event_id) DO NOTHING"
    )


class WarehouseSink(ABC):
    """The ``chat_events`` table and its views in one warehouse engine.

    Methods block; call them from a worker thread in async code (see
    :func:`analytics.flush.flush_in_thread`). Errors are :class:`WarehouseError`;
    :class:`WarehouseUnavailable` means the same call may succeed later.
    """

    engine: ClassVar[str]
    placeholder: ClassVar[str]
    """How a query parameter is written in :meth:`query` for this engine."""

    def __init__(self) -> None:
        # One connection per sink; worker threads take turns on it.
        self._lock = threading.Lock()

    def setup(self) -> None:
        """Create the table, its index and the views if they are missing."""
        self.apply_sql(SETUP_SCRIPTS)

    def apply_sql(self, names: Sequence[str]) -> None:
        """Run the setup scripts ``names`` (see :func:`load_sql`) in order, in one transaction."""
        self._apply_ddl("\n".join(load_sql(name, self.engine) for name in names))

    def write(self, rows: Sequence[EventRow]) -> int:
        """Insert ``rows`` in one transaction; return how many were new.

        Rows whose event id is already stored, or repeated within ``rows``, are skipped.
        """
        # De-duplicated here so no engine meets two source rows with one key
        # (Redshift's MERGE, for one, rejects that).
        unique = unique_by_event_id(rows)
        return self._insert(unique) if unique else 0

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts; parameters are written as :attr:`placeholder`.

        Timestamps come back in UTC whatever the engine.
        """
        names, records = self._fetch(statement, params)
        return [
            {name: _utc(value) for name, value in zip(names, record, strict=True)}
            for record in records
        ]

    def events_for_session(self, session_id: str) -> list[dict[str, Any]]:
        """Every stored row of a session, oldest first; ``payload`` is JSON text."""
        return self.query(
            f"SELECT * FROM chat_events WHERE session_id = {self.placeholder} "
            "ORDER BY ts, event_id",
            (session_id,),
        )

    def count(self) -> int:
        """How many events are stored."""
        return int(self.query("SELECT COUNT(*) AS events FROM chat_events")[0]["events"])

    @abstractmethod
    def close(self) -> None:
        """Release the connection; a later call opens a new one."""

    @abstractmethod
    def _apply_ddl(self, script: str) -> None:
        """Run the setup statements in ``script`` in one transaction."""

    @abstractmethod
    def _insert(self, rows: Sequence[EventRow]) -> int:
        """Insert rows with distinct event ids in one transaction; return the new ones."""

    @abstractmethod
    def _fetch(
        self, statement: str, params: Sequence[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and records of a SELECT."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value
