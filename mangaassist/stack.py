"""A whole local MangaAssist: broker, workers and (optionally) the bridge.

``mangaassist dev``, ``mangaassist bench`` and the integration tests all start
the system through this one class.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx

from bridge.settings import BridgeSettings
from connectors.kafka import LocalBroker, LocalBrokerSettings, ensure_topics
from mangaassist.processes import ChildProcess, ChildProcessError
from streams.settings import KafkaSettings
from streams.worker import READY_LINE

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    del message


class LocalStack:
    def __init__(
        self,
        broker: LocalBrokerSettings,
        bridge: BridgeSettings | None,
        *,
        roles: Sequence[str] = ("pipeline", "analytics"),
        log_dir: Path = Path("var/log"),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.broker = LocalBroker(broker)
        self.bridge = bridge
        self.roles = tuple(roles)
        self.log_dir = log_dir
        self.kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        self.env = {"MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers, **(env or {})}
        self.children: list[ChildProcess] = []

    @property
    def base_url(self) -> str:
        if self.bridge is None:
            raise ChildProcessError("this stack runs no bridge")
        return f"http://{self.bridge.host}:{self.bridge.port}"

    async def start(self, progress: Progress = _quiet, timeout_s: float = 90.0) -> None:
        await self.start_broker(progress)
        await self.start_processes(progress, timeout_s)

    async def start_broker(self, progress: Progress = _quiet) -> None:
        progress(f"starting the Kafka-compatible broker (Tansu) on {self.broker.bootstrap_servers}")
        await self.broker.start()
        created = await ensure_topics(self.kafka)
        progress(f"topics ready ({len(created)} created)")

    async def start_processes(self, progress: Progress = _quiet, timeout_s: float = 90.0) -> None:
        """The workers and the bridge, once the broker runs; returns when all are ready."""
        for role in self.roles:
            self._spawn(f"worker-{role}", ["worker", role], READY_LINE.format(role=role))
        if self.bridge is not None:
            bridge_args = ["bridge", "--host", self.bridge.host, "--port", str(self.bridge.port)]
            self._spawn("bridge", bridge_args, None)
        progress(f"started {', '.join(c.name for c in self.children)}; waiting until ready")
        if self.bridge is not None:
            await self.wait_for_http(f"{self.base_url}/healthz", self.children[-1], timeout_s)
        for child in self.children:
            if child.ready_line:
                await asyncio.to_thread(child.wait_ready, timeout_s)

    def _spawn(self, name: str, args: list[str], ready_line: str | None) -> None:
        child = ChildProcess.mangaassist(
            name, args, self.log_dir, env=self.env, ready_line=ready_line
        )
        child.start()
        self.children.append(child)

    async def wait_for_http(self, url: str, child: ChildProcess, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if child.returncode is not None:
                    raise ChildProcessError(
                        f"{child.name} exited with {child.returncode}; see {child.log_path}"
                    )
                try:
                    if (await client.get(url)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise ChildProcessError(f"{child.name} did not answer {url} within {timeout_s:.0f}s")

    def dead_child(self) -> ChildProcess | None:
        return next((c for c in self.children if c.returncode is not None), None)

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        self.broker.stop()
