"""What a knowledge base answers with, and the protocol every implementation follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from connectors.knowledge.documents import Language
from schemas.events import ContextItem

CONTEXT_SOURCE = "kb"


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with what a reply needs to cite it."""

    doc_id: str
    chunk_id: str
    lang: Language
    title: str
    text: str
    score: float

    def citation(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "lang": self.lang,
            "score": self.score,
            "title": self.title,
            "text": self.text,
        }

    def context_item(self) -> ContextItem:
        return ContextItem(
            source=CONTEXT_SOURCE,
            ref_id=self.chunk_id,
            title=self.title,
            text=self.text,
            score=self.score,
        )


class KnowledgeBase(Protocol):
    def search(self, question: str, k: int = 5) -> list[Passage]:
        """The ``k`` passages that best answer ``question``, best first; [] when none match."""
        ...
