"""Fake Bedrock and OpenAI-compatible servers on loopback, and the real Redis.

Each fake is one uvicorn server in a thread, started once per session; every
test gets it with an empty script and log, and releases its stalled streams.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.llm import bedrock_runtime_client
from connectors.llm.testing import FakeBedrock, FakeOpenAI, ServerThread

REGION = "ap-northeast-1"
# The fake accepts any signature; passed to the client, never put in os.environ.
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def bedrock_server() -> Iterator[tuple[FakeBedrock, str]]:
    fake = FakeBedrock()
    with ServerThread(fake.app) as url:
        yield fake, url
        fake.release()


@pytest.fixture(scope="session")
def boto_bedrock(bedrock_server: tuple[FakeBedrock, str]) -> Iterator[Any]:
    """A boto3 bedrock-runtime client of the fake (thread-safe, so shared: building one is slow)."""
    client = bedrock_runtime_client(
        REGION, endpoint_url=bedrock_server[1], read_timeout_s=5.0, credentials=FAKE_CREDENTIALS
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def openai_server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    with ServerThread(fake.app) as url:
        yield fake, url
        fake.release()


@pytest.fixture
def fake_bedrock(bedrock_server: tuple[FakeBedrock, str]) -> Iterator[FakeBedrock]:
    fake, _ = bedrock_server
    fake.reset()
    yield fake
    fake.release()


@pytest.fixture
def fake_openai(openai_server: tuple[FakeOpenAI, str]) -> Iterator[FakeOpenAI]:
    fake, _ = openai_server
    fake.reset()
    yield fake
    fake.release()
