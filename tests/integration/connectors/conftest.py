"""Shared fixtures of the connector integration tests: moto's server, started as a
subprocess on a free loopback port for the session (the real-Redis client and the
key prefix of each test's own are in ``tests/integration/conftest.py``)."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.kafka import free_loopback_port
from connectors.memory import dynamodb_client

# moto accepts any credentials; passed to the client, never put in os.environ.
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "ap-northeast-1"


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/moto-api/")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def _wait_until_answering(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while not _answers(port):
        if process.poll() is not None:
            pytest.fail(f"moto.server exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"moto.server did not answer within 30 s:\n{log.read_text()}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint URL of a moto server that lives as long as the test session."""
    port = free_loopback_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(process, port, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def dynamodb(moto_endpoint: str) -> Iterator[Any]:
    """A boto3 DynamoDB client of moto's server."""
    client = dynamodb_client(
        REGION, endpoint_url=moto_endpoint, timeout_s=2.0, credentials=FAKE_CREDENTIALS
    )
    yield client
    client.close()
