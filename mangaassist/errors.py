"""The root of MangaAssist's exception tree.

Every package keeps its own ``exceptions.py`` whose classes derive from
:class:`MangaAssistError`, and errors raised by a dependency are wrapped with
``raise ... from exc`` so callers only ever need to catch this hierarchy::

    MangaAssistError
    ├── ConfigurationError
    ├── schemas.SchemaError
    │   ├── UnknownSchemaError
    │   ├── EncodeError
    │   ├── DecodeError
    │   ├── IncompatibleSchemaError
    │   └── RegistryError
    ├── streams.StreamsError
    │   ├── BrokerError
    │   └── BrokerStartError
    ├── agents.StageError
    │   ├── IntentModelError
    │   └── agents.guard.GuardError
    ├── connectors.cache.CacheError
    ├── connectors.commerce.CommerceError
    │   ├── ServiceUnavailable
    │   ├── NotFound
    │   └── ServiceRejected
    ├── connectors.handoff.HandoffError
    ├── connectors.kinesis.KinesisError
    │   ├── KinesisUnavailable
    │   │   ├── KinesisPutFailed
    │   │   └── KinesisBufferFull
    │   ├── CheckpointError
    │   └── ProtocolError
    ├── connectors.llm.LlmError
    │   ├── LlmUnavailable
    │   │   └── LlmCircuitOpen
    │   └── LlmRejected
    ├── connectors.memory.ConversationMemoryError
    │   └── MemoryUnavailable
    ├── analytics.WarehouseError
    ├── mangaassist.inspect.InspectionError
    │   ├── UnknownTopic, NothingFound, CorruptRecord
    │   ├── UnknownDeadLetter, RedriveError
    │   └── ReplayError
    │       └── SandboxError
    └── bridge.BridgeError
        └── AuthError
"""


class MangaAssistError(Exception):
    """Base class of every error MangaAssist raises on purpose."""


class ConfigurationError(MangaAssistError):
    """A setting is missing or has a value that cannot work."""
