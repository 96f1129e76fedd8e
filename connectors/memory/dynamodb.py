"""Conversations in DynamoDB: one item per session, expired by the table's TTL."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import TypeAdapter, ValidationError

from connectors.aws import aws_client
from connectors.memory.base import DEFAULT_MAX_TURNS, DEFAULT_TTL_S, check_limits
from connectors.memory.exceptions import ConversationMemoryError, MemoryUnavailable
from connectors.memory.models import Conversation, RememberedTurn

DEFAULT_TABLE = "mangaassist-memory"
TTL_ATTRIBUTE = "expires_at"
_TURNS = TypeAdapter(tuple[RememberedTurn, ...])
_CONFLICT = "ConditionalCheckFailedException"
_DEPENDENCY_ERRORS = (BotoCoreError, ClientError, OSError)


def dynamodb_client(
    region: str,
    *,
    endpoint_url: str | None = None,
    timeout_s: float = 0.5,
    credentials: Mapping[str, str] | None = None,
) -> Any:
    """A DynamoDB client that fails fast."""
    return aws_client(
        "dynamodb",
        region,
        endpoint_url=endpoint_url,
        timeout_s=timeout_s,
        attempts=2,
        credentials=credentials,
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def ensure_table(client: Any, table_name: str) -> None:
    """Create the table if missing (on demand) and turn on TTL over ``expires_at``."""
    try:
        try:
            client.create_table(
                TableName=table_name,
                KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as exc:
            if _code(exc) != "ResourceInUseException":
                raise
        client.get_waiter("table_exists").wait(
            TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            client.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )
    except _DEPENDENCY_ERRORS as exc:  # a WaiterError is a BotoCoreError too
        raise MemoryUnavailable(f"cannot set up DynamoDB table {table_name}: {exc}") from exc


class DynamoDbMemory:
    """Conversations in a DynamoDB table; boto3 is synchronous, so calls run in threads.

    An append reads the item, merges the turn in Python and writes it back on
    condition that ``version`` has not moved (or that the item still does not
    exist). A writer that loses the race re-reads and merges again, so
    concurrent appends are neither lost nor duplicated.
    """

    def __init__(
        self,
        table_name: str,
        client: Any,
        max_turns: int = DEFAULT_MAX_TURNS,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        clock: Callable[[], float] = time.time,
        max_attempts: int = 8,
        owns_client: bool = False,
    ) -> None:
        """``clock``: wall-clock epoch seconds, as the table's TTL reads ``expires_at``."""
        check_limits(max_turns, ttl_s)
        self._table = table_name
        self._client = client
        self._max_turns = max_turns
        self._ttl_s = ttl_s
        self._clock = clock
        self._max_attempts = max_attempts
        self._owns_client = owns_client

    async def load(self, session_id: str) -> Conversation:
        conversation, _ = await asyncio.to_thread(self._read, session_id)
        return conversation

    async def remember(self, session_id: str, turn: RememberedTurn) -> None:
        await asyncio.to_thread(self._remember, session_id, turn)

    async def forget(self, session_id: str) -> None:
        await asyncio.to_thread(self._forget, session_id)

    async def aclose(self) -> None:
        if self._owns_client:
            await asyncio.to_thread(self._client.close)

    def _read(self, session_id: str) -> tuple[Conversation, int | None]:
        """The live conversation and the item's version (None: no item at all)."""
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"session_id": {"S": session_id}}, ConsistentRead=True
            ).get("Item")
        except _DEPENDENCY_ERRORS as exc:
            raise MemoryUnavailable(f"DynamoDB did not load the conversation: {exc}") from exc
        empty = Conversation(session_id=session_id)
        if item is None:
            return empty, None
        try:
            version = int(item["version"]["N"])
            # TTL deletion is lazy (up to days late): an expired item is an empty one.
            if int(item[TTL_ATTRIBUTE]["N"]) <= self._clock():
                return empty, version
            turns = _TURNS.validate_json(item["turns"]["S"])
        except (KeyError, ValueError, ValidationError) as exc:
            raise ConversationMemoryError(f"unreadable conversation in DynamoDB: {exc}") from exc
        return Conversation(session_id=session_id, turns=turns), version

    def _remember(self, session_id: str, turn: RememberedTurn) -> None:
        for attempt in range(self._max_attempts):
            conversation, version = self._read(session_id)
            updated = conversation.with_turn(turn, self._max_turns)
            if updated is conversation:
                return
            try:
                self._write(updated, version)
                return
            except ClientError as exc:
                if _code(exc) != _CONFLICT:
                    raise MemoryUnavailable(f"DynamoDB refused the turn: {exc}") from exc
            except _DEPENDENCY_ERRORS as exc:
                raise MemoryUnavailable(f"DynamoDB did not remember the turn: {exc}") from exc
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # spread racing writers apart
        raise MemoryUnavailable(
            f"gave up remembering a turn of {session_id!r}: "
            f"{self._max_attempts} writes lost to concurrent ones"
        )

    def _write(self, conversation: Conversation, version: int | None) -> None:
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(session_id)"}
            if version is None
            else {
                "ConditionExpression": "version = :read",
                "ExpressionAttributeValues": {":read": {"N": str(version)}},
            }
        )
        expires_at = math.ceil(self._clock() + self._ttl_s)
        self._client.put_item(
            TableName=self._table,
            Item={
                "session_id": {"S": conversation.session_id},
                "turns": {"S": _TURNS.dump_json(conversation.turns).decode()},
                TTL_ATTRIBUTE: {"N": str(expires_at)},
                "version": {"N": str((version or 0) + 1)},
            },
            **condition,
        )

    def _forget(self, session_id: str) -> None:
        try:
            self._client.delete_item(TableName=self._table, Key={"session_id": {"S": session_id}})
        except _DEPENDENCY_ERRORS as exc:
            raise MemoryUnavailable(f"DynamoDB did not forget the conversation: {exc}") from exc
