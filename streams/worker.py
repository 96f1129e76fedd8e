"""Starts the worker of one role: faust for the pipeline, a plain aiokafka sink for analytics."""

from __future__ import annotations

import logging
from typing import Any

import faust

from schemas import default_codec
from streams.app import Role, create_app
from streams.settings import KafkaSettings

READY_LINE = "mangaassist worker {role} ready"


def build_app(role: Role, kafka: KafkaSettings) -> faust.App:
    """The faust app of the pipeline role (the analytics sink is no faust app)."""
    if role != "pipeline":
        raise ValueError(f"the {role} worker runs without faust: see run_worker")
    app = create_app(role, kafka)

    async def announce_ready(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        # Parents (mangaassist dev, the test fixtures) wait for this line.
        print(READY_LINE.format(role=role), flush=True)

    app.on_rebalance_complete.connect(announce_ready)

    from connectors.cache import CacheSettings
    from streams.cache_agents import register_cache_invalidation, run_caches
    from streams.handoff_agent import register_handoff
    from streams.pipeline import pipeline_caches, register_pipeline, remote_services

    codec = default_codec()
    # One cache suite: the retrieval stage reads through it, the change events
    # invalidate it, /metrics reports it.
    cache_settings = CacheSettings()
    services = remote_services()
    if services is not None:

        async def close_services(app: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
            await services.aclose()

        app.on_before_shutdown.connect(close_services)
    caches = pipeline_caches(cache_settings, services)
    register_pipeline(app, kafka, codec, services=services, caches=caches)
    register_cache_invalidation(app, kafka, codec, caches)
    run_caches(app, caches, cache_settings)
    register_handoff(app, kafka, codec)
    return app


def run_worker(role: Role, kafka: KafkaSettings, loglevel: str = "warning") -> None:
    """Run until SIGINT/SIGTERM; faust's Worker handles the signals of the pipeline."""
    if role == "analytics":
        from streams.analytics_consumer import run_analytics_worker

        def announce_analytics_ready() -> None:
            print(READY_LINE.format(role=role), flush=True)

        run_analytics_worker(kafka, announce_analytics_ready, loglevel)
        return
    app = build_app(role, kafka)
    logging.getLogger("faust").setLevel(loglevel.upper())
    worker = faust.Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False)
    # faust's terminal spinner lowers the root logger to DEBUG so that every log
    # record spins it: aiokafka then builds a debug record per message sent.
    worker.spinner = None
    worker.execute_from_commandline()
