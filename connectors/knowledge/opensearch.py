"""The knowledge base on OpenSearch, for production: BM25 per language, k-NN when embedded.

One index holds every chunk. Japanese text is analysed with kuromoji, English
with the english analyzer; a question is matched against its own language's
fields and the titles of both. With an embedder, each chunk also carries a
``knn_vector`` and the question runs a k-NN query too; the two rankings are
fused by reciprocal rank, as the local knowledge base fuses its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpx

from agents.language import detect_locale
from connectors.knowledge.base import Passage
from connectors.knowledge.chunking import Chunk
from connectors.knowledge.exceptions import KnowledgeBaseError, KnowledgeBaseUnavailable
from connectors.knowledge.fusion import reciprocal_rank_fusion

Embedder = Callable[[str], Sequence[float]]
_DEPTH = 50


def index_body(dimensions: int | None = None) -> dict[str, Any]:
    """Settings and mappings of the chunk index; ``dimensions`` adds the k-NN vector field."""
    properties: dict[str, Any] = {
        "doc_id": {"type": "keyword"},
        "lang": {"type": "keyword"},
        "tags": {"type": "keyword"},
        "title": {"type": "text", "analyzer": "standard"},
        "title_ja": {"type": "text", "analyzer": "kuromoji"},
        "title_en": {"type": "text", "analyzer": "english"},
        "text_ja": {"type": "text", "analyzer": "kuromoji"},
        "text_en": {"type": "text", "analyzer": "english"},
        # Returned with the passage, searched through text_ja / text_en.
        "text": {"type": "text", "index": False},
    }
    settings: dict[str, Any] = {"index": {"number_of_shards": 1}}
    if dimensions:
        settings["index"]["knn"] = True
        properties["embedding"] = {
            "type": "knn_vector",
            "dimension": dimensions,
            "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil"},
        }
    return {"settings": settings, "mappings": {"properties": properties}}


class OpenSearchKnowledgeBase:
    """A :class:`~connectors.knowledge.base.KnowledgeBase` over an OpenSearch index."""

    def __init__(
        self,
        client: httpx.Client,
        index: str = "mangaassist-kb",
        embedder: Embedder | None = None,
    ) -> None:
        self._client = client
        self._index = index
        self._embedder = embedder

    @classmethod
    def connect(
        cls, base_url: str, index: str = "mangaassist-kb", timeout_s: float = 2.0, **kwargs: Any
    ) -> OpenSearchKnowledgeBase:
        return cls(httpx.Client(base_url=base_url, timeout=timeout_s), index, **kwargs)

    def search(self, question: str, k: int = 5) -> list[Passage]:
        if k <= 0 or not question.strip():
            return []
        lang = detect_locale(question, "en")
        rankings = [self._hits(self._lexical_query(question, lang))]
        if self._embedder is not None:
            vector = list(self._embedder(question))
            rankings.append(self._hits({"knn": {"embedding": {"vector": vector, "k": _DEPTH}}}))
        sources: dict[str, dict[str, Any]] = {}
        positions: dict[str, int] = {}
        ranked: list[list[int]] = []
        for hits in rankings:
            order = []
            for hit in hits:
                chunk_id = hit["_id"]
                sources.setdefault(chunk_id, hit["_source"])
                order.append(positions.setdefault(chunk_id, len(positions)))
            ranked.append(order)
        fused = reciprocal_rank_fusion(ranked)
        by_position = {position: chunk_id for chunk_id, position in positions.items()}
        best = sorted(fused.items(), key=lambda hit: (-hit[1], hit[0]))[:k]
        return [
            _passage(by_position[position], sources[by_position[position]], score)
            for position, score in best
        ]

    def index_chunks(self, chunks: Iterable[Chunk]) -> int:
        """Create the index if needed and (re)write ``chunks`` in one bulk request."""
        dimensions = len(self._embedder("dimension probe")) if self._embedder else None
        exists = self._call("HEAD", f"/{self._index}", accept=(200, 404))
        if exists.status_code == 404:
            self._call("PUT", f"/{self._index}", json=index_body(dimensions))
        lines: list[str] = []
        count = 0
        for chunk in chunks:
            lines.append(json.dumps({"index": {"_index": self._index, "_id": chunk.chunk_id}}))
            lines.append(json.dumps(self._document(chunk), ensure_ascii=False))
            count += 1
        if count:
            body = "\n".join(lines) + "\n"
            response = self._call(
                "POST",
                "/_bulk?refresh=true",
                content=body.encode(),
                headers={"Content-Type": "application/x-ndjson"},
            )
            if response.json().get("errors"):
                raise KnowledgeBaseError(f"OpenSearch refused some chunks of {self._index}")
        return count

    def close(self) -> None:
        self._client.close()

    def _document(self, chunk: Chunk) -> dict[str, Any]:
        document: dict[str, Any] = {
            "doc_id": chunk.doc_id,
            "lang": chunk.lang,
            "tags": list(chunk.tags),
            "title": chunk.title,
            "title_ja": chunk.title_ja,
            "title_en": chunk.title_en,
            f"text_{chunk.lang}": chunk.text,
            "text": chunk.text,
        }
        if self._embedder is not None:
            document["embedding"] = list(self._embedder(f"{chunk.title}\n{chunk.text}"))
        return document

    @staticmethod
    def _lexical_query(question: str, lang: str) -> dict[str, Any]:
        # Titles in both languages meet a question in either; bodies in its own language.
        return {
            "multi_match": {
                "query": question,
                "fields": [f"text_{lang}", f"title_{lang}^2", "title_ja", "title_en", "tags"],
                "type": "best_fields",
            }
        }

    def _hits(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"size": _DEPTH, "query": query, "_source": {"excludes": ["embedding"]}}
        response = self._call("POST", f"/{self._index}/_search", json=body)
        hits: list[dict[str, Any]] = response.json()["hits"]["hits"]
        return hits

    def _call(
        self, method: str, path: str, accept: Sequence[int] = (200, 201), **kwargs: Any
    ) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise KnowledgeBaseUnavailable(
                f"OpenSearch unreachable on {method} {path}: {exc!r}"
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise KnowledgeBaseUnavailable(f"OpenSearch answered {response.status_code} on {path}")
        if response.status_code not in accept:
            raise KnowledgeBaseError(
                f"OpenSearch refused {method} {path}: {response.status_code} {response.text[:200]}"
            )
        return response


def _passage(chunk_id: str, source: dict[str, Any], score: float) -> Passage:
    return Passage(
        doc_id=str(source["doc_id"]),
        chunk_id=chunk_id,
        lang=source["lang"],
        title=str(source["title"]),
        text=str(source["text"]),
        score=round(score, 4),
    )
