"""An in-memory Kinesis client (the few calls the transport makes), and event factories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from schemas import AvroCodec, ChatTurn, Event, load_catalog
from schemas.registry import LocalSchemaRegistry

SHARD_0 = "shardId-000000000000"
# Real sequence numbers are 56-digit decimals, larger than any 64-bit integer.
SEQUENCE_BASE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800


def make_codec() -> AvroCodec:
    return AvroCodec(LocalSchemaRegistry(load_catalog()))


def chat_turn(number: int, session: str | None = None) -> ChatTurn:
    return ChatTurn(
        event_id=f"turn-{number:05d}",
        session_id=session or f"session-{number % 7}",
        turn_id=f"t-{number}",
        text=f"ワンピース {number} 巻はありますか？",
        locale="ja",
    )


def client_error(code: str, status: int = 400, operation: str = "PutRecords") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": f"{code} (injected)"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


# (call number from 1, index in the call, entry) -> an error code to refuse that entry, or None
Refuse = Callable[[int, int, dict[str, Any]], str | None]


@dataclass
class FakeShard:
    shard_id: str
    parents: tuple[str, ...] = ()
    records: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False

    def describe(self) -> dict[str, Any]:
        ranges: dict[str, Any] = {"StartingSequenceNumber": str(SEQUENCE_BASE)}
        if self.closed:
            last = self.records[-1]["SequenceNumber"] if self.records else str(SEQUENCE_BASE)
            ranges["EndingSequenceNumber"] = last
        description: dict[str, Any] = {"ShardId": self.shard_id, "SequenceNumberRange": ranges}
        if self.parents:
            description["ParentShardId"] = self.parents[0]
        if len(self.parents) > 1:
            description["AdjacentParentShardId"] = self.parents[1]
        return description


class FakeKinesis:
    """One stream; ``put_records`` appends to ``put_shard``; errors can be injected per call."""

    def __init__(self, stream_name: str = "events", refuse: Refuse | None = None) -> None:
        self.stream_name = stream_name
        self.refuse = refuse
        self.shards: dict[str, FakeShard] = {SHARD_0: FakeShard(SHARD_0)}
        self.put_shard = SHARD_0
        self.put_calls: list[list[dict[str, Any]]] = []
        self.raise_on_put: dict[int, BaseException] = {}
        self.get_records_errors: list[BaseException] = []
        self.get_records_calls = 0
        self.iterator_requests: list[dict[str, Any]] = []
        self.closed = False
        self._sequence = SEQUENCE_BASE

    def close(self) -> None:
        self.closed = True

    # The producer's call.
    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        assert StreamName == self.stream_name
        self.put_calls.append(list(Records))
        call = len(self.put_calls)
        error = self.raise_on_put.get(call)
        if error is not None:
            raise error
        results: list[dict[str, Any]] = []
        for index, entry in enumerate(Records):
            code = self.refuse(call, index, entry) if self.refuse else None
            if code:
                results.append({"ErrorCode": code, "ErrorMessage": "refused (injected)"})
            else:
                results.append(self._append(entry))
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedRecordCount": failed, "Records": results}

    def _append(self, entry: dict[str, Any]) -> dict[str, Any]:
        self._sequence += 1
        shard = self.shards[self.put_shard]
        shard.records.append(
            {
                "SequenceNumber": str(self._sequence),
                "PartitionKey": entry["PartitionKey"],
                "Data": bytes(entry["Data"]),
                "ApproximateArrivalTimestamp": datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
            }
        )
        return {"SequenceNumber": str(self._sequence), "ShardId": shard.shard_id}

    def delivered(self) -> list[dict[str, Any]]:
        return [record for shard in self.shards.values() for record in shard.records]

    # Resharding: close ``shard_id`` and put new records on one child.
    def split(self, shard_id: str, children: tuple[str, str]) -> None:
        self.shards[shard_id].closed = True
        for child in children:
            self.shards[child] = FakeShard(child, parents=(shard_id,))
        self.put_shard = children[0]

    # The reader's calls.
    def list_shards(self, **arguments: Any) -> dict[str, Any]:
        return {"Shards": [shard.describe() for shard in self.shards.values()]}

    def get_shard_iterator(self, **arguments: Any) -> dict[str, Any]:
        self.iterator_requests.append(arguments)
        shard = self.shards[arguments["ShardId"]]
        kind = arguments["ShardIteratorType"]
        if kind == "TRIM_HORIZON":
            index = 0
        elif kind == "LATEST":
            index = len(shard.records)
        else:
            after = int(arguments["StartingSequenceNumber"])
            index = sum(1 for record in shard.records if int(record["SequenceNumber"]) <= after)
        return {"ShardIterator": f"{shard.shard_id}|{index}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        self.get_records_calls += 1
        if self.get_records_errors:
            raise self.get_records_errors.pop(0)
        shard_id, _, index_text = ShardIterator.partition("|")
        shard = self.shards[shard_id]
        index = int(index_text)
        records = shard.records[index : index + Limit]
        end = index + len(records)
        next_iterator = None if shard.closed and end >= len(shard.records) else f"{shard_id}|{end}"
        return {"Records": records, "NextShardIterator": next_iterator, "MillisBehindLatest": 0}


@dataclass
class Sleeps:
    """Records the backoffs a producer waits, without waiting."""

    waited: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


def events_of(codec: AvroCodec, records: list[dict[str, Any]]) -> list[Event]:
    return [codec.decode(record["Data"]) for record in records]
