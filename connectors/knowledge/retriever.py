"""The knowledge base as the retrieval stage's context source."""

from __future__ import annotations

from connectors.knowledge.base import KnowledgeBase
from schemas.events import ContextItem, Locale

# The fused score is 1.0 for a document first in all three rankings. Every
# evaluation question whose best passage was right scored ≥ 0.66; a message
# that is not about store policy seldom reaches 0.6.
MIN_SCORE = 0.6
_SENTENCE_ENDS = ("。", ".", "!", "?", "！", "？", "）", ")", "」")


class KnowledgeRetriever:
    """Adapts a :class:`KnowledgeBase` to the retrieval stage's ``search(text, locale, k)``."""

    def __init__(self, knowledge_base: KnowledgeBase, min_score: float = MIN_SCORE) -> None:
        self._knowledge_base = knowledge_base
        self._min_score = min_score

    def search(self, text: str, locale: Locale, k: int = 3) -> list[ContextItem]:
        # The passage comes in the question's language when the document has it;
        # ``locale`` is that same language, detected from the text.
        items = []
        for passage in self._knowledge_base.search(text, k):
            if passage.score < self._min_score:
                continue
            item = passage.context_item()
            items.append(item.model_copy(update={"text": _body(item.text)}))
        return items


def _body(text: str) -> str:
    """A chunk's prose without its section headings, the lines that end without punctuation."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    prose = [line for line in lines if line.endswith(_SENTENCE_ENDS)]
    return " ".join(prose) if prose else " ".join(lines)
