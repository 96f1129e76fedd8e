"""Pydantic models of the events; they validate at the edges.

Each model mirrors one ``.avsc`` file (a contract test checks that the field
names agree). Models are frozen: a stage makes a new event, it never edits one.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

AVRO_NAMESPACE = "mangaassist.events"


def new_id() -> str:
    return uuid.uuid4().hex


def derive_id(parent_event_id: str, label: str) -> str:
    """A deterministic id for an event made from another one.

    Redelivered input yields the same output ids, so every side effect
    downstream (warehouse rows, relayed chunks) can be de-duplicated by id.
    """
    digest = hashlib.blake2b(f"{parent_event_id}/{label}".encode(), digest_size=16)
    return digest.hexdigest()


def utc_now() -> datetime:
    # Avro timestamp-millis keeps milliseconds only; truncate so round trips are exact.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Event(BaseModel):
    """Fields every event carries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    avro_name: ClassVar[str]

    event_id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    session_id: str = Field(min_length=1, max_length=128)
    turn_id: str = Field(max_length=64)
    ts: datetime = Field(default_factory=utc_now)
    schema_version: int

    @classmethod
    def full_name(cls) -> str:
        return f"{AVRO_NAMESPACE}.{cls.avro_name}"


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    value: str


class ContextItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    ref_id: str
    title: str
    text: str
    score: float


Locale = Literal["ja", "en"]


class ChatTurn(Event):
    avro_name: ClassVar[str] = "ChatTurn"

    schema_version: int = 2
    user_id: str | None = None
    locale: Locale = "ja"
    channel: Literal["ws", "http"] = "ws"
    text: str = Field(min_length=1)
    client_msg_id: str | None = Field(default=None, max_length=64)


class _Understanding(Event):
    """What the intent stage learnt about a turn; carried on by later stages."""

    schema_version: int = 2
    user_id: str | None = None
    locale: Locale
    text: str
    intent: str
    confidence: float = Field(ge=0.0, le=1.0)
    entities: tuple[Entity, ...] = ()
    received_ts: datetime
    # The conversation memory could not be read, so earlier turns were not used.
    context_lost: bool = False


class UnderstoodTurn(_Understanding):
    avro_name: ClassVar[str] = "UnderstoodTurn"


class GroundedTurn(_Understanding):
    avro_name: ClassVar[str] = "GroundedTurn"

    context: tuple[ContextItem, ...] = ()
    # Dependencies that were down while grounding: the reply says so.
    degraded: tuple[str, ...] = ()


class ReplyChunk(Event):
    avro_name: ClassVar[str] = "ReplyChunk"

    schema_version: int = 1
    seq: int = Field(ge=0)
    text: str
    received_ts: datetime


class FinalReply(Event):
    avro_name: ClassVar[str] = "FinalReply"

    schema_version: int = 2
    status: Literal["ok", "error"]
    text: str
    chunk_count: int = Field(ge=0)
    intent: str | None = None
    path: Literal["template", "retrieval", "llm", "fallback", "error", "human"]
    sources: tuple[str, ...] = ()
    guardrail_flags: tuple[str, ...] = ()
    error_code: str | None = None
    received_ts: datetime
    llm_model: str | None = None
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0.0)
    degraded: tuple[str, ...] = ()


class Escalation(Event):
    """A hand-off to a person, with what the person needs so the shopper need not repeat."""

    avro_name: ClassVar[str] = "Escalation"

    schema_version: int = 2
    user_id: str | None = None
    locale: Locale
    # shopper_request, guardrail_blocks, negative_sentiment or repeated_failure.
    reason: str
    summary: str
    conversation: str = ""
    intents: tuple[str, ...] = ()
    product_ids: tuple[str, ...] = ()
    order_ids: tuple[str, ...] = ()
    sentiment: float = Field(default=0.0, ge=-1.0, le=1.0)


class Feedback(Event):
    avro_name: ClassVar[str] = "Feedback"

    schema_version: int = 1
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


class SessionEvent(Event):
    avro_name: ClassVar[str] = "SessionEvent"

    schema_version: int = 1
    kind: Literal["created", "authenticated", "closed"]
    user_id: str | None = None
    locale: Locale
    channel: Literal["ws", "http"]


class DeadLetter(Event):
    avro_name: ClassVar[str] = "DeadLetter"

    schema_version: int = 1
    stage: str
    source_topic: str
    source_partition: int
    source_offset: int
    error_type: str
    error_message: str
    payload: bytes


class CatalogChange(Event):
    """Products (by ASIN) or series whose details changed, for caches to drop.

    Not a chat event: ``session_id`` names the source ("catalog"), ``turn_id`` is empty.
    """

    avro_name: ClassVar[str] = "CatalogChange"

    session_id: str = Field(default="catalog", min_length=1, max_length=128)
    turn_id: str = Field(default="", max_length=64)
    schema_version: int = 1
    asins: tuple[str, ...] = ()
    series_ids: tuple[str, ...] = ()
    # created, updated or deleted; caches invalidate every kind the same way.
    kind: str = Field(min_length=1, max_length=32)


class PromotionChange(Event):
    """Promotions created, changed or ended early, for caches to drop the active list.

    Not a chat event: ``session_id`` names the source ("promotions"), ``turn_id`` is empty.
    """

    avro_name: ClassVar[str] = "PromotionChange"

    session_id: str = Field(default="promotions", min_length=1, max_length=128)
    turn_id: str = Field(default="", max_length=64)
    schema_version: int = 1
    promotion_ids: tuple[str, ...] = ()
    kind: str = Field(min_length=1, max_length=32)


class LlmCompletion(Event):
    """What the LLM wrote for a turn; replays play it back instead of calling the model."""

    avro_name: ClassVar[str] = "LlmCompletion"

    schema_version: int = 1
    model: str
    prompt_sha256: str
    text: str
    sources: tuple[str, ...] = ()
    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0.0)
    cached: bool = False
    stop_reason: str | None = None


EVENT_TYPES: tuple[type[Event], ...] = (
    ChatTurn,
    UnderstoodTurn,
    GroundedTurn,
    ReplyChunk,
    FinalReply,
    Escalation,
    Feedback,
    SessionEvent,
    DeadLetter,
    CatalogChange,
    PromotionChange,
    LlmCompletion,
)
