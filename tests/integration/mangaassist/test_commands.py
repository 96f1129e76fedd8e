"""The README's commands, run as a user would run them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from connectors.kafka import free_loopback_port
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack


def mangaassist(
    *args: str, env: dict[str, str] | None = None, timeout_s: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mangaassist", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_chat_once_prints_the_final_reply_as_one_json_line(stack: LocalStack) -> None:
    done = mangaassist("chat", "--url", stack.base_url, "--once", "送料はいくらですか？")
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    reply = json.loads(line)
    assert (reply["type"], reply["status"], reply["intent"]) == ("final", "ok", "faq")
    assert "".join(reply["chunks"]) == reply["text"]


def test_dev_starts_everything_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    bridge_port, broker_port = free_loopback_port(), free_loopback_port()
    metrics_port = free_loopback_port()
    env = {
        "MANGAASSIST_WAREHOUSE_DUCKDB_PATH": str(tmp_path / "analytics.duckdb"),
        "MANGAASSIST_LOCAL_BROKER_LOG_FILE": str(tmp_path / "broker.log"),
        "MANGAASSIST_CACHE_METRICS_PORT": str(metrics_port),
    }
    dev = ChildProcess.mangaassist(
        "dev",
        ["dev", "--port", str(bridge_port), "--broker-port", str(broker_port)],
        tmp_path,
        env=env,
        ready_line="press Ctrl-C to stop",
    )
    dev.start()
    try:
        dev.wait_ready(90)
        url = f"http://127.0.0.1:{bridge_port}"
        done = mangaassist("chat", "--url", url, "--once", "hello")
        assert json.loads(done.stdout)["status"] == "ok", done.stderr
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
        assert metrics.status_code == 200
        dev.signal(signal.SIGINT)
        assert dev.wait(30) == 0
    finally:
        dev.stop()
    log = (tmp_path / "dev.log").read_text(encoding="utf-8")
    assert f"chat page: {url}/" in log
    assert f"cache metrics: http://127.0.0.1:{metrics_port}/metrics" in log
    assert log.rstrip().endswith("[mangaassist dev] stopped")
    assert (tmp_path / "analytics.duckdb").exists()
