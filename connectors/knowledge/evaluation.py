"""The held-out evaluation set and recall@k over it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.knowledge.base import KnowledgeBase
from connectors.knowledge.documents import Language
from connectors.knowledge.exceptions import KnowledgeBaseError


class EvalQuestion(BaseModel):
    """A shopper-style question and the documents any of which answers it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    lang: Language
    question: str = Field(min_length=1)
    doc_ids: tuple[str, ...] = Field(min_length=1)


def parse_questions(raw: str) -> tuple[EvalQuestion, ...]:
    try:
        return tuple(
            EvalQuestion.model_validate_json(line) for line in raw.splitlines() if line.strip()
        )
    except ValidationError as exc:
        raise KnowledgeBaseError(f"bad evaluation question: {exc}") from exc


@cache
def bundled_questions() -> tuple[EvalQuestion, ...]:
    """The questions shipped in ``connectors/knowledge/eval/questions.jsonl``."""
    path = files("connectors.knowledge").joinpath("eval").joinpath("questions.jsonl")
    return parse_questions(path.read_text(encoding="utf-8"))


def hit_at_k(kb: KnowledgeBase, question: EvalQuestion, k: int = 5) -> bool:
    """Whether any of the ``k`` passages comes from a document that answers ``question``."""
    return any(passage.doc_id in question.doc_ids for passage in kb.search(question.question, k))


def recall_at_k(kb: KnowledgeBase, questions: Sequence[EvalQuestion], k: int = 5) -> float:
    """Share of ``questions`` with an answering document among the top ``k`` passages."""
    if not questions:
        raise KnowledgeBaseError("recall of an empty question set is undefined")
    return sum(hit_at_k(kb, question, k) for question in questions) / len(questions)
