"""Topic administration and readiness checks over aiokafka's admin client."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from streams.exceptions import BrokerError
from streams.settings import KafkaSettings
from streams.topics import ALL_TOPICS, topic_name


async def wait_for_broker(bootstrap_servers: str, timeout_s: float = 30.0) -> None:
    """Return once the broker answers a metadata request; raise BrokerError on timeout."""
    with _quiet_aiokafka():  # refused connections are expected until it listens
        await _poll_broker(bootstrap_servers, timeout_s)


@contextmanager
def _quiet_aiokafka() -> Iterator[None]:
    logger = logging.getLogger("aiokafka")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


async def _poll_broker(bootstrap_servers: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=2000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            last_error = exc
            await asyncio.sleep(0.1)
        finally:
            await admin.close()
    raise BrokerError(f"broker at {bootstrap_servers} not ready after {timeout_s}s: {last_error}")


async def ensure_topics(kafka: KafkaSettings) -> list[str]:
    """Create every topic of the topic map that is missing; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, spec.partition_count(kafka.partitions), 1)
            for spec in ALL_TOPICS
            if (name := topic_name(spec, kafka.topic_prefix)) not in existing
        ]
        if missing:
            with suppress(TopicAlreadyExistsError):  # another process won the race
                await admin.create_topics(missing)
        return [topic.name for topic in missing]
    except KafkaError as exc:
        raise BrokerError(f"cannot create topics on {kafka.bootstrap_servers}: {exc}") from exc
    finally:
        await admin.close()
