"""Starts a faust worker for one role."""

from __future__ import annotations

import logging
from typing import Any

import faust

from schemas import default_codec
from streams.app import Role, create_app
from streams.settings import KafkaSettings

READY_LINE = "mangaassist worker {role} ready"


def build_app(role: Role, kafka: KafkaSettings) -> faust.App:
    app = create_app(role, kafka)

    async def announce_ready(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        # Parents (mangaassist dev, the test fixtures) wait for this line.
        print(READY_LINE.format(role=role), flush=True)

    app.on_rebalance_complete.connect(announce_ready)

    codec = default_codec()
    if role == "pipeline":
        from streams.pipeline import register_pipeline

        register_pipeline(app, kafka, codec)
    else:
        from analytics import WarehouseSettings, sink_from_settings
        from streams.analytics_agent import register_analytics

        warehouse = WarehouseSettings()
        sink = sink_from_settings(warehouse)
        sink.setup()
        register_analytics(app, kafka, codec, sink, warehouse)
    return app


def run_worker(role: Role, kafka: KafkaSettings, loglevel: str = "warning") -> None:
    """Run until SIGINT/SIGTERM; faust's Worker handles the signals."""
    app = build_app(role, kafka)
    logging.getLogger("faust").setLevel(loglevel.upper())
    worker = faust.Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False)
    # faust's terminal spinner lowers the root logger to DEBUG so that every log
    # record spins it: aiokafka then builds a debug record per message sent.
    worker.spinner = None
    worker.execute_from_commandline()
