"""The ConversationMemory contract, over Redis and DynamoDB (see ``conftest.backend``)."""

from tests.unit.connectors.memory.test_contract import *  # noqa: F403
