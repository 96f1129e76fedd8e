"""At-least-once delivery into the warehouse: consuming everything again adds no row."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from analytics import WarehouseSink
from mangaassist.chat_client import chat_once
from mangaassist.processes import ChildProcess
from mangaassist.stack import LocalStack
from streams.topics import TURNS
from streams.worker import READY_LINE


async def settled_count(sink: WarehouseSink, quiet_s: float = 1.5, timeout_s: float = 30.0) -> int:
    """The row count once it has stopped changing for ``quiet_s``."""
    deadline = time.monotonic() + timeout_s
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = await asyncio.to_thread(sink.count)
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return count
        await asyncio.sleep(0.2)
    raise AssertionError(f"row count still changing after {timeout_s}s (last {last})")


async def test_a_second_consumer_group_replaying_every_topic_adds_no_rows(
    stack: LocalStack, e2e_sink: WarehouseSink
) -> None:
    for text in ("hello", "返品したい"):
        assert (await chat_once(stack.base_url, text))["status"] == "ok"
    before = await settled_count(e2e_sink)
    replay = ChildProcess.mangaassist(
        "worker-analytics-replay",
        ["worker", "analytics"],
        stack.log_dir,
        # A new group starts at the earliest offsets: every event is delivered again.
        env={**stack.env, "MANGAASSIST_KAFKA_APP_ID": "replay-check"},
        ready_line=READY_LINE.format(role="analytics"),
    )
    replay.start()
    try:
        await asyncio.to_thread(replay.wait_ready, 60)
        await asyncio.sleep(2.0)  # time to re-read and re-write every topic
        after = await settled_count(e2e_sink)
        replayed = await committed_offsets(stack, "replay-check-analytics", TURNS.name)
    finally:
        await asyncio.to_thread(replay.stop)
    assert before > 0
    assert sum(replayed) > 0, "the replay group consumed nothing: the check would prove nothing"
    assert after == before


async def committed_offsets(stack: LocalStack, group: str, topic: str) -> list[int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack.kafka.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        offsets = [await consumer.committed(TopicPartition(topic, p)) for p in sorted(partitions)]
        return [o or 0 for o in offsets]
    finally:
        await consumer.stop()
