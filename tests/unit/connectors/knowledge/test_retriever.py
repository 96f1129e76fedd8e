import pytest

from connectors.knowledge.local import LocalKnowledgeBase
from connectors.knowledge.retriever import KnowledgeRetriever

RETRIEVER = KnowledgeRetriever(LocalKnowledgeBase.bundled())


@pytest.mark.parametrize(
    ("question", "locale", "doc_id"),
    [
        ("送料はいくらですか", "ja", "shipping-fees"),
        ("ポイントの有効期限は？", "ja", "points"),
        ("Can Kindle books be refunded?", "en", "digital-refunds"),
    ],
)
def test_policy_questions_get_cited_passages_without_their_heading(
    question: str, locale: str, doc_id: str
) -> None:
    items = RETRIEVER.search(question, locale)  # type: ignore[arg-type]
    assert doc_id in {item.ref_id.split("#")[0] for item in items}
    assert all(item.source == "kb" and "#" in item.ref_id for item in items)
    assert all("\n" not in item.text[:20] for item in items)


@pytest.mark.parametrize("text", ["how much is the clock tower knight", "qwzx", ""])
def test_weak_matches_give_no_context(text: str) -> None:
    assert RETRIEVER.search(text, "en") == []
