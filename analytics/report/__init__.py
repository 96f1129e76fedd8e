"""The analysts' report: one self-contained HTML page (inline CSS and SVG) of the model views."""

from analytics.report.command import report_main
from analytics.report.render import render_report

__all__ = ["render_report", "report_main"]
