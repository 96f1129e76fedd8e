"""The topic map: which topic carries which events, who writes and who reads it.

``docs/architecture.md`` renders the same table; a unit test keeps them in step.
Every chat topic is keyed by ``session_id`` so one session's events stay in
order on one partition. The two change topics (``CHANGE_TOPICS``) carry no chat:
they are keyed by the first ASIN or promotion id they name, and the cache
invalidation agents read them (see ``streams/cache_agents.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import (
    CatalogChange,
    ChatTurn,
    DeadLetter,
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

# Every record repeats its turn id in this header, so a record whose body cannot
# be decoded can still be answered.
TURN_ID_HEADER = "turn_id"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    events: tuple[type[Event], ...]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    key: str = "session_id"
    # None: the cluster's count (``KafkaSettings.partitions``), which chat topics
    # scale with; a topic of a few events a minute needs one (each is fetched every poll).
    partitions: int | None = None

    def partition_count(self, default: int) -> int:
        return self.partitions or default


SESSIONS = TopicSpec("chat.sessions", (SessionEvent,), ("bridge",), ("analytics",))
TURNS = TopicSpec("chat.turns", (ChatTurn,), ("bridge",), ("intent", "analytics"))
UNDERSTOOD = TopicSpec(
    "chat.understood", (UnderstoodTurn,), ("intent",), ("retrieval", "analytics")
)
GROUNDED = TopicSpec("chat.grounded", (GroundedTurn,), ("retrieval",), ("generation", "analytics"))
DRAFTS = TopicSpec("chat.drafts", (ReplyChunk, FinalReply), ("generation",), ("guardrail",))
RESPONSES = TopicSpec(
    "chat.responses",
    (ReplyChunk, FinalReply),
    ("guardrail", "any stage (error replies)", "handoff"),
    ("bridge", "analytics"),
)
ESCALATIONS = TopicSpec(
    "chat.escalations", (Escalation,), ("generation",), ("analytics", "handoff")
)
FEEDBACK = TopicSpec("chat.feedback", (Feedback,), ("bridge",), ("analytics",))
DEADLETTER = TopicSpec("chat.deadletter", (DeadLetter,), ("any stage",), ("analytics",))
# What the LLM wrote, as it wrote it: replays play it back (mangaassist replay).
LLM_COMPLETIONS = TopicSpec("chat.llm", (LlmCompletion,), ("generation",), ("analytics", "replay"))
CATALOG_CHANGES = TopicSpec(
    "catalog.changes",
    (CatalogChange,),
    ("catalog service",),
    ("cache invalidation",),
    key="asin",
    partitions=1,
)
PROMOTION_CHANGES = TopicSpec(
    "promotions.changes",
    (PromotionChange,),
    ("promotion service",),
    ("cache invalidation",),
    key="promotion_id",
    partitions=1,
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    SESSIONS,
    TURNS,
    UNDERSTOOD,
    GROUNDED,
    DRAFTS,
    RESPONSES,
    ESCALATIONS,
    FEEDBACK,
    DEADLETTER,
    LLM_COMPLETIONS,
    CATALOG_CHANGES,
    PROMOTION_CHANGES,
)

# Not chat: keyed by what changed, read only by the cache invalidation agents.
CHANGE_TOPICS: tuple[TopicSpec, ...] = (CATALOG_CHANGES, PROMOTION_CHANGES)

# Drafts are pre-guardrail text; the guarded copies on chat.responses are what analysts see.
ANALYTICS_TOPICS: tuple[TopicSpec, ...] = tuple(t for t in ALL_TOPICS if "analytics" in t.consumers)


def topic_name(spec: TopicSpec, prefix: str = "") -> str:
    """The broker-side name; a prefix isolates sandboxes (e.g. replays)."""
    return f"{prefix}{spec.name}"


def render_topic_map(partitions: int) -> str:
    """The topic map as the Markdown table in ``docs/architecture.md``."""
    lines = [
        "| topic | events | key | partitions | written by | read by |",
        "|---|---|---|---|---|---|",
    ]
    for spec in ALL_TOPICS:
        events = ", ".join(e.avro_name for e in spec.events)
        lines.append(
            f"| `{spec.name}` | {events} | `{spec.key}` | {spec.partition_count(partitions)} "
            f"| {', '.join(spec.producers)} | {', '.join(spec.consumers)} |"
        )
    return "\n".join(lines)
