"""What the assistant remembers of each chat: its last turns and what they showed.

``ConversationMemory`` keeps the newest ``max_turns`` turns of a session for
``ttl_s`` after its last write, idempotently under at-least-once delivery.
``InProcessMemory`` is the embedded default; ``RedisMemory`` and
``DynamoDbMemory`` share conversations between workers.
"""

from connectors.memory.base import ConversationMemory
from connectors.memory.dynamodb import DynamoDbMemory, dynamodb_client, ensure_table
from connectors.memory.exceptions import ConversationMemoryError, MemoryUnavailable
from connectors.memory.factory import memory_from_settings
from connectors.memory.inprocess import InProcessMemory
from connectors.memory.models import Conversation, RememberedTurn, ShownItem
from connectors.memory.redis_store import RedisMemory, redis_client
from connectors.memory.settings import MemorySettings

__all__ = [
    "Conversation",
    "ConversationMemory",
    "ConversationMemoryError",
    "DynamoDbMemory",
    "InProcessMemory",
    "MemorySettings",
    "MemoryUnavailable",
    "RedisMemory",
    "RememberedTurn",
    "ShownItem",
    "dynamodb_client",
    "ensure_table",
    "memory_from_settings",
    "redis_client",
]
