import pytest

from connectors.knowledge import LocalKnowledgeBase, bundled_questions, recall_at_k
from connectors.knowledge.documents import bundled_documents
from connectors.knowledge.evaluation import EvalQuestion, parse_questions
from connectors.knowledge.exceptions import KnowledgeBaseError

MIN_RECALL_AT_5 = 0.9


def test_the_evaluation_set_has_a_hundred_questions_half_japanese() -> None:
    questions = bundled_questions()
    assert len(questions) >= 100
    assert sum(q.lang == "ja" for q in questions) >= len(questions) / 2 - 1
    assert len({q.id for q in questions}) == len(questions)


def test_every_label_names_a_real_document() -> None:
    doc_ids = {doc.doc_id for doc in bundled_documents()}
    assert {doc_id for q in bundled_questions() for doc_id in q.doc_ids} <= doc_ids


def test_questions_are_not_copied_from_titles() -> None:
    titles = {t for doc in bundled_documents() for t in (doc.title_ja, doc.title_en)}
    assert not any(q.question.strip("?？") in titles for q in bundled_questions())


@pytest.mark.parametrize("lang", ["ja", "en", None])
def test_recall_at_5_is_at_least_ninety_percent(lang: str | None) -> None:
    questions = [q for q in bundled_questions() if lang in (None, q.lang)]
    assert recall_at_k(LocalKnowledgeBase.bundled(), questions, k=5) >= MIN_RECALL_AT_5


def test_recall_counts_a_hit_on_any_labelled_document() -> None:
    kb = LocalKnowledgeBase.bundled()
    hit = EvalQuestion(id="a", lang="ja", question="送料", doc_ids=("nothing", "shipping-fees"))
    miss = EvalQuestion(id="b", lang="ja", question="送料", doc_ids=("nothing",))
    assert recall_at_k(kb, [hit, miss], k=5) == 0.5


def test_recall_of_no_questions_is_refused() -> None:
    with pytest.raises(KnowledgeBaseError):
        recall_at_k(LocalKnowledgeBase.bundled(), [])


def test_malformed_questions_are_refused() -> None:
    with pytest.raises(KnowledgeBaseError):
        parse_questions('{"id": "x", "lang": "ja", "question": "送料", "doc_ids": []}')
