"""``mangaassist dev``: broker, workers and bridge on loopback, stopped together on Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time

from bridge.settings import BridgeSettings
from connectors.cache.settings import CacheSettings
from connectors.kafka import LocalBrokerSettings
from mangaassist.errors import MangaAssistError
from mangaassist.stack import LocalStack


def say(message: str) -> None:
    print(f"[mangaassist dev] {message}", flush=True)


async def run_dev(broker: LocalBrokerSettings, bridge: BridgeSettings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    stack = LocalStack(broker, bridge)
    started = time.monotonic()
    try:
        await stack.start(say)
        say(f"ready in {time.monotonic() - started:.1f}s; logs in {stack.log_dir}/")
        say(f"chat page: {stack.base_url}/")
        say(f"terminal client: mangaassist chat --url {stack.base_url}")
        metrics = CacheSettings()
        if metrics.metrics_port:
            say(f"cache metrics: http://{metrics.metrics_host}:{metrics.metrics_port}/metrics")
        say("press Ctrl-C to stop")
        while not stop.is_set():
            dead = stack.dead_child()
            if dead is not None:
                say(f"{dead.name} exited with {dead.returncode}; see {dead.log_path}")
                return 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        return 0
    except MangaAssistError as exc:
        print(f"[mangaassist dev] error: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        say("stopping")
        await asyncio.to_thread(stack.stop)
        say("stopped")
