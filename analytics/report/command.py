"""``mangaassist report``: the report of whichever warehouse the settings point to."""

from __future__ import annotations

import sys
from pathlib import Path

from analytics.exceptions import WarehouseError, WarehouseUnavailable
from analytics.factory import sink_from_settings
from analytics.model import install_model
from analytics.report.render import render_report
from analytics.settings import WarehouseSettings
from mangaassist.errors import MangaAssistError


class ReportError(MangaAssistError):
    """Why there is nothing to report, in words for the person who ran the command."""


def report_main(output: Path) -> int:
    """Write the report of the configured warehouse to ``output``; 0 on success, else 1."""
    try:
        page = _render(WarehouseSettings())
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except (ReportError, OSError) as exc:
        print(f"mangaassist report: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the report to {output}")
    return 0


def _render(settings: WarehouseSettings) -> str:
    # Opening a missing DuckDB file would create an empty one.
    if settings.url is None and not settings.duckdb_path.is_file():
        raise ReportError(
            f"no warehouse at {settings.duckdb_path}: run the analytics worker (mangaassist dev)"
            " first, or set MANGAASSIST_WAREHOUSE_URL"
        )
    try:
        with sink_from_settings(settings) as sink:
            if sink.count() == 0:
                raise ReportError(f"the {sink.engine} warehouse holds no chat events yet")
            install_model(sink)
            return render_report(sink)
    except WarehouseUnavailable as exc:
        raise ReportError(f"the warehouse is unreachable: {exc}") from exc
    except WarehouseError as exc:
        raise ReportError(f"cannot read the warehouse: {exc}") from exc
