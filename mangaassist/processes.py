"""Child processes for ``mangaassist dev`` and the integration tests.

Each child's output goes to a log file; a parent can wait for a line that
says the child is ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from mangaassist.errors import MangaAssistError


class ChildProcessError(MangaAssistError):
    """A child process exited early or did not become ready in time."""


class ChildProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        ready_line: str | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = {**os.environ, **(env or {})}
        self.ready_line = ready_line
        self._ready = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        self._pump: threading.Thread | None = None

    @classmethod
    def mangaassist(
        cls, name: str, args: Sequence[str], log_dir: Path, **kwargs: object
    ) -> ChildProcess:
        """A ``mangaassist`` subcommand run with this interpreter."""
        argv = [sys.executable, "-m", "mangaassist", *args]
        return cls(name, argv, log_dir / f"{name}.log", **kwargs)  # type: ignore[arg-type]

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            self.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            text=True,
            bufsize=1,
            # Own session: a terminal's Ctrl-C reaches only the parent, which
            # then stops the children in order (bridge, workers, broker last).
            start_new_session=True,
        )
        self._pump = threading.Thread(
            target=self._copy_output, name=f"{self.name}-log", daemon=True
        )
        self._pump.start()

    def _copy_output(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        with open(self.log_path, "a", encoding="utf-8") as log:
            for line in self._process.stdout:
                log.write(line)
                log.flush()
                if self.ready_line and self.ready_line in line:
                    self._ready.set()

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.05):
            if self.returncode is not None:
                raise ChildProcessError(
                    f"{self.name} exited with {self.returncode}; see {self.log_path}"
                )
            if time.monotonic() > deadline:
                raise ChildProcessError(
                    f"{self.name} not ready after {timeout_s:.0f}s; see {self.log_path}"
                )

    def signal(self, signum: int) -> None:
        if self._process is not None:
            self._process.send_signal(signum)

    def wait(self, timeout_s: float) -> int:
        """The exit code, once the process has exited by itself."""
        if self._process is None:
            raise ChildProcessError(f"{self.name} was not started")
        try:
            return self._process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise ChildProcessError(f"{self.name} still running after {timeout_s:.0f}s") from exc

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def stop(self, timeout_s: float = 10.0) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._pump is not None:
            self._pump.join(timeout=2)
        if process.stdout is not None:
            process.stdout.close()
        self._process = None
