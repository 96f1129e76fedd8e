"""``mangaassist topics``: every topic with its partitions, offsets and the workers' lag."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from mangaassist.inspect.errors import InspectionError
from streams.settings import KafkaSettings
from streams.topics import ALL_TOPICS, topic_name


@dataclass(frozen=True)
class TopicPartitionRow:
    topic: str
    partition: int
    first_offset: int
    end_offset: int
    # Committed offset and lag of each worker group that reads the topic.
    lag: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def reader_groups(kafka: KafkaSettings) -> dict[str, set[str]]:
    """Broker topic name → consumer groups of the workers that read it (per the topic map)."""
    groups: dict[str, set[str]] = {}
    for spec in ALL_TOPICS:
        roles = {"analytics"} if "analytics" in spec.consumers else set()
        if set(spec.consumers) - {"analytics", "bridge"}:
            roles.add("pipeline")
        groups[topic_name(spec, kafka.topic_prefix)] = {f"{kafka.app_id}-{r}" for r in roles}
    return groups


async def topic_report(kafka: KafkaSettings) -> list[TopicPartitionRow]:
    """One row per partition of every topic on the broker, with each known group's lag."""
    readers = reader_groups(kafka)
    probe = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False)
    try:
        await probe.start()
        topics = sorted(t for t in await probe.topics() if not t.startswith("__"))
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(probe.partitions_for_topic(t) or ())
        ]
        firsts = await probe.beginning_offsets(partitions) if partitions else {}
        ends = await _ends(probe, partitions) if partitions else {}
        committed = await _committed(kafka, readers, partitions)
    except KafkaError as exc:
        raise InspectionError(f"cannot read topics from {kafka.bootstrap_servers}: {exc}") from exc
    finally:
        await probe.stop()
    return [
        TopicPartitionRow(
            tp.topic,
            tp.partition,
            firsts[tp],
            ends[tp],
            {g: ends[tp] - committed.get((g, tp), 0) for g in sorted(readers.get(tp.topic, ()))},
        )
        for tp in partitions
    ]


async def _ends(
    probe: AIOKafkaConsumer, partitions: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """End offsets, raised to a fetch's high watermark: Tansu's lookup may be a batch short."""
    ends: dict[TopicPartition, int] = await probe.end_offsets(partitions)
    probe.assign(partitions)
    for tp in partitions:
        probe.seek(tp, ends[tp])
    await probe.getmany(*partitions, timeout_ms=200, max_records=1)
    return {tp: max(ends[tp], probe.highwater(tp) or 0) for tp in partitions}


async def _committed(
    kafka: KafkaSettings, readers: dict[str, set[str]], partitions: list[TopicPartition]
) -> dict[tuple[str, TopicPartition], int]:
    offsets: dict[tuple[str, TopicPartition], int] = {}
    for group in sorted({g for groups in readers.values() for g in groups}):
        consumer = AIOKafkaConsumer(
            bootstrap_servers=kafka.bootstrap_servers, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            for tp in partitions:
                if group in readers.get(tp.topic, ()):
                    offsets[(group, tp)] = await consumer.committed(tp) or 0
        finally:
            await consumer.stop()
    return offsets
