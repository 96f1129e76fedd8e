import json

import pytest

from connectors.knowledge import KnowledgeBase, LocalKnowledgeBase, Passage, search_kb_main
from connectors.knowledge.bm25 import Bm25Index
from connectors.knowledge.documents import bundled_documents
from connectors.knowledge.fusion import reciprocal_rank_fusion


@pytest.fixture(scope="module")
def kb() -> LocalKnowledgeBase:
    return LocalKnowledgeBase.bundled()


def _languages_of(doc_id: str) -> set[str]:
    return {doc.lang for doc in bundled_documents() if doc.doc_id == doc_id}


def test_the_bundled_knowledge_base_is_built_once() -> None:
    assert LocalKnowledgeBase.bundled() is LocalKnowledgeBase.bundled()


def test_the_local_knowledge_base_follows_the_protocol(kb: LocalKnowledgeBase) -> None:
    protocol: KnowledgeBase = kb
    assert protocol.search("送料", 1)


def test_results_carry_citations(kb: LocalKnowledgeBase) -> None:
    passages = kb.search("送料はいくらですか", k=3)
    assert 0 < len(passages) <= 3
    top = passages[0]
    assert top.doc_id == "shipping-fees"
    assert top.chunk_id.startswith("shipping-fees#")
    assert top.lang == "ja"
    assert top.title == "送料について"
    assert "350円" in top.text
    assert 0 < top.score <= 1
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_at_most_one_passage_per_document(kb: LocalKnowledgeBase) -> None:
    passages = kb.search("return refund 返品 返金", k=10)
    assert len({p.doc_id for p in passages}) == len(passages)


def test_a_passage_comes_in_the_questions_language_when_the_document_has_it(
    kb: LocalKnowledgeBase,
) -> None:
    assert kb.search("Kindle版の返金", k=1)[0].lang == "ja"
    assert kb.search("refund for a kindle book", k=1)[0].lang == "en"


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("海外の住所に発送してもらえますか", "international-shipping"),
        ("外国で発行されたカードは使えますか", "overseas-cards"),
        ("Do you issue receipts?", "receipts-invoices"),
        ("Can you put noshi on a gift?", "noshi"),
    ],
)
def test_questions_find_pages_written_only_in_the_other_language(
    kb: LocalKnowledgeBase, question: str, doc_id: str
) -> None:
    other = _languages_of(doc_id)
    assert len(other) == 1
    hits = kb.search(question, k=5)
    assert doc_id in [p.doc_id for p in hits]
    assert {p.lang for p in hits if p.doc_id == doc_id} == other


@pytest.mark.parametrize("question", ["", "   ", "？！。", "😀🎉🙏", "1234", "the of and"])
def test_questions_without_content_find_nothing(kb: LocalKnowledgeBase, question: str) -> None:
    assert kb.search(question) == []


def test_a_very_long_question_is_answered_quickly_and_sensibly(kb: LocalKnowledgeBase) -> None:
    question = "送料について教えてください。" + "あ" * 50_000 + "refund " * 5_000
    passages = kb.search(question)
    assert 0 < len(passages) <= 5
    assert passages[0].doc_id == "shipping-fees"


def test_k_bounds_the_results(kb: LocalKnowledgeBase) -> None:
    assert kb.search("送料", k=0) == []
    assert kb.search("送料", k=-1) == []
    assert len(kb.search("送料 返品 ポイント 予約 カード", k=2)) == 2


def test_search_kb_main_returns_json_able_citations() -> None:
    results = search_kb_main("How long does delivery take?", 3)
    assert 0 < len(results) <= 3
    assert set(results[0]) == {"doc_id", "chunk_id", "lang", "score", "title", "text"}
    assert json.loads(json.dumps(results, ensure_ascii=False)) == results


def test_a_passage_becomes_a_context_item() -> None:
    passage = Passage("points", "points#0", "ja", "ポイント", "本文", 0.5)
    item = passage.context_item()
    assert (item.source, item.ref_id, item.title, item.text, item.score) == (
        "kb",
        "points#0",
        "ポイント",
        "本文",
        0.5,
    )


def test_bm25_prefers_rarer_terms_and_shorter_documents() -> None:
    index = Bm25Index([["a", "common"], ["common", "rare"], ["common", "rare", "x", "y", "z"]])
    assert index.ranking(["common", "rare"], 3) == [1, 2, 0]
    assert index.ranking(["missing"], 3) == []
    assert index.scores(["rare"])[1] > index.scores(["rare"])[2] > 0


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 1], [2]])
    assert max(fused, key=fused.__getitem__) == 2
    assert reciprocal_rank_fusion([[7], [7]]) == {7: 1.0}
    assert reciprocal_rank_fusion([]) == {}
