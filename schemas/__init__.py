"""Event contracts: ``.avsc`` files, pydantic models, and the Avro wire codec."""

from functools import cache

from schemas.catalog import SchemaCatalog, load_catalog
from schemas.codec import AvroCodec
from schemas.events import (
    EVENT_TYPES,
    CatalogChange,
    ChatTurn,
    ContextItem,
    DeadLetter,
    Entity,
    Escalation,
    Event,
    Feedback,
    FinalReply,
    GroundedTurn,
    LlmCompletion,
    PromotionChange,
    ReplyChunk,
    SessionEvent,
    UnderstoodTurn,
)
from schemas.registry import registry_from_settings
from schemas.settings import RegistrySettings


@cache
def default_codec() -> AvroCodec:
    """The process-wide codec, with the registry chosen by the settings."""
    catalog = load_catalog()
    return AvroCodec(registry_from_settings(RegistrySettings(), catalog), catalog)


__all__ = [
    "EVENT_TYPES",
    "AvroCodec",
    "CatalogChange",
    "ChatTurn",
    "ContextItem",
    "DeadLetter",
    "Entity",
    "Escalation",
    "Event",
    "Feedback",
    "FinalReply",
    "GroundedTurn",
    "LlmCompletion",
    "PromotionChange",
    "RegistrySettings",
    "ReplyChunk",
    "SchemaCatalog",
    "SessionEvent",
    "UnderstoodTurn",
    "default_codec",
    "load_catalog",
]
