from pathlib import Path

from schemas import EVENT_TYPES
from streams.settings import KafkaSettings
from streams.topics import (
    ALL_TOPICS,
    ANALYTICS_TOPICS,
    CHANGE_TOPICS,
    DRAFTS,
    render_topic_map,
    topic_name,
)

DOCS = Path(__file__).parents[3] / "docs" / "architecture.md"


def test_docs_show_the_topic_map_the_code_uses() -> None:
    assert render_topic_map(KafkaSettings().partitions) in DOCS.read_text(encoding="utf-8")


def test_every_event_type_has_a_topic() -> None:
    carried = {event for spec in ALL_TOPICS for event in spec.events}
    assert carried == set(EVENT_TYPES)


def test_analytics_reads_every_chat_topic_but_the_unguarded_drafts() -> None:
    assert set(ANALYTICS_TOPICS) == set(ALL_TOPICS) - {DRAFTS} - set(CHANGE_TOPICS)


def test_every_chat_topic_is_keyed_by_session() -> None:
    chat = [spec for spec in ALL_TOPICS if spec not in CHANGE_TOPICS]
    assert {spec.key for spec in chat} == {"session_id"}
    assert [spec.key for spec in CHANGE_TOPICS] == ["asin", "promotion_id"]


def test_prefix_isolates_a_sandbox() -> None:
    assert topic_name(DRAFTS, "replay-1.") == "replay-1.chat.drafts"
