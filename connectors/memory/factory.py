"""Choosing the conversation memory's backend from the settings."""

from connectors.memory.base import ConversationMemory
from connectors.memory.dynamodb import DynamoDbMemory, dynamodb_client, ensure_table
from connectors.memory.inprocess import InProcessMemory
from connectors.memory.redis_store import RedisMemory
from connectors.memory.settings import MemorySettings


def memory_from_settings(
    settings: MemorySettings, *, ensure_dynamodb_table: bool = False
) -> ConversationMemory:
    """The configured backend; nothing is contacted yet, the first call connects.

    With ``ensure_dynamodb_table`` the DynamoDB table is created now if missing
    (a blocking call, for start-up and local development).
    """
    if settings.backend == "redis":
        return RedisMemory.from_url(
            settings.redis_url.get_secret_value(),
            settings.max_turns,
            settings.ttl_s,
            timeout_s=settings.timeout_s,
        )
    if settings.backend == "dynamodb":
        client = dynamodb_client(
            settings.aws_region,
            endpoint_url=settings.dynamodb_endpoint_url,
            timeout_s=settings.timeout_s,
        )
        if ensure_dynamodb_table:
            ensure_table(client, settings.dynamodb_table)
        return DynamoDbMemory(
            settings.dynamodb_table, client, settings.max_turns, settings.ttl_s, owns_client=True
        )
    return InProcessMemory(settings.max_turns, settings.ttl_s)
