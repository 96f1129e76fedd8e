"""The knowledge base held in memory: three BM25 rankings of documents, fused by rank.

* body: the words of the document's chunks, in their language;
* concepts: the glossary concepts the chunks name, so a question in one
  language meets a page written in the other;
* titles: the document's Japanese and English titles and its tags (also
  cross-lingual).

Body and concept rankings are made over chunks, then each document takes the
rank of its best chunk. A document's passage is its best-matching chunk in the
question's language if any chunk in that language matched, else its best chunk
in the other; the passage's score is the document's fused score.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from agents.language import detect_locale
from connectors.knowledge.base import Passage
from connectors.knowledge.bm25 import Bm25Index
from connectors.knowledge.chunking import Chunk, chunk_documents
from connectors.knowledge.documents import bundled_documents
from connectors.knowledge.fusion import reciprocal_rank_fusion
from connectors.knowledge.glossary import Glossary, bundled_glossary
from connectors.knowledge.tokens import tokenize

# Longer input is cut: the first thousand characters hold the question, and
# the cut bounds the time a pasted essay can cost.
MAX_QUESTION_CHARS = 1000
# Chunks each chunk ranking contributes; documents from the title ranking.
RANKING_DEPTH = 50


class LocalKnowledgeBase:
    def __init__(self, chunks: Sequence[Chunk], glossary: Glossary) -> None:
        self._chunks = tuple(chunks)
        self._glossary = glossary
        self._doc_ids = tuple(dict.fromkeys(chunk.doc_id for chunk in self._chunks))
        self._chunk_docs = tuple(self._doc_ids.index(chunk.doc_id) for chunk in self._chunks)
        self._body = Bm25Index([tokenize(f"{chunk.title}\n{chunk.text}") for chunk in self._chunks])
        self._concepts = Bm25Index(
            [glossary.concepts_in(f"{chunk.title}\n{chunk.text}") for chunk in self._chunks]
        )
        labels: dict[int, dict[str, None]] = {doc: {} for doc in range(len(self._doc_ids))}
        for doc, chunk in zip(self._chunk_docs, self._chunks, strict=True):
            labels[doc].update(dict.fromkeys((chunk.title_ja, chunk.title_en, *chunk.tags)))
        self._titles = Bm25Index([tokenize(" ".join(labels[doc])) for doc in labels])

    @classmethod
    def bundled(cls) -> LocalKnowledgeBase:
        """The synthetic demo store's knowledge base, loaded and indexed once per process."""
        return _bundled_knowledge_base()

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return self._chunks

    def search(self, question: str, k: int = 5) -> list[Passage]:
        if k <= 0:
            return []
        question = question[:MAX_QUESTION_CHARS]
        terms = tokenize(question)
        body = self._body.ranking(terms, RANKING_DEPTH)
        concepts = self._concepts.ranking(self._glossary.concepts_in(question), RANKING_DEPTH)
        titles = self._titles.ranking(terms, RANKING_DEPTH)
        documents = reciprocal_rank_fusion(
            [self._by_document(body), self._by_document(concepts), titles]
        )
        best = sorted(documents.items(), key=lambda hit: (-hit[1], hit[0]))[:k]
        passages = self._best_chunks(
            reciprocal_rank_fusion([body, concepts]), detect_locale(question)
        )
        return [self._passage(passages[doc], score) for doc, score in best if doc in passages]

    def _by_document(self, chunk_ranking: list[int]) -> list[int]:
        return list(dict.fromkeys(self._chunk_docs[position] for position in chunk_ranking))

    def _best_chunks(self, chunk_scores: dict[int, float], language: str) -> dict[int, int]:
        """Each matched document's best chunk, one in ``language`` when any matched."""
        best: dict[int, int] = {}
        for position, _ in sorted(chunk_scores.items(), key=lambda hit: (-hit[1], hit[0])):
            doc = self._chunk_docs[position]
            current = best.get(doc)
            if (
                current is None
                or self._chunks[current].lang != language == self._chunks[position].lang
            ):
                best[doc] = position
        return best

    def _passage(self, position: int, score: float) -> Passage:
        chunk = self._chunks[position]
        return Passage(
            doc_id=chunk.doc_id,
            chunk_id=chunk.chunk_id,
            lang=chunk.lang,
            title=chunk.title,
            text=chunk.text,
            score=round(score, 4),
        )


@cache
def _bundled_knowledge_base() -> LocalKnowledgeBase:
    return LocalKnowledgeBase(chunk_documents(bundled_documents()), bundled_glossary())
