"""The OpenSearch client, against httpx's MockTransport standing in for the cluster."""

import json
from typing import Any

import httpx
import pytest

from connectors.knowledge.chunking import chunk_documents
from connectors.knowledge.documents import bundled_documents
from connectors.knowledge.exceptions import KnowledgeBaseError, KnowledgeBaseUnavailable
from connectors.knowledge.opensearch import OpenSearchKnowledgeBase, index_body

CHUNKS = chunk_documents(bundled_documents())


def _hit(chunk_id: str) -> dict[str, Any]:
    chunk = next(c for c in CHUNKS if c.chunk_id == chunk_id)
    source = {"doc_id": chunk.doc_id, "lang": chunk.lang, "title": chunk.title, "text": chunk.text}
    return {"_id": chunk_id, "_source": source}


class Cluster:
    """Records requests; answers searches with canned rankings, lexical then k-NN."""

    def __init__(self, lexical: list[str], knn: list[str] | None = None) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.lexical, self.knn = lexical, knn or []
        self.indexes: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body: Any = request.content.decode() if request.content else None
        if body and request.headers.get("content-type") == "application/json":
            body = json.loads(body)
        self.requests.append((request.method, request.url.path, body))
        path = request.url.path
        if request.method == "HEAD":
            return httpx.Response(200 if path.strip("/") in self.indexes else 404)
        if request.method == "PUT":
            self.indexes.add(path.strip("/"))
            return httpx.Response(200, json={"acknowledged": True})
        if path == "/_bulk":
            return httpx.Response(200, json={"errors": False, "items": []})
        ids = self.knn if "knn" in body["query"] else self.lexical
        return httpx.Response(200, json={"hits": {"hits": [_hit(i) for i in ids]}})


def _kb(cluster: Cluster, **kwargs: Any) -> OpenSearchKnowledgeBase:
    client = httpx.Client(base_url="http://search:9200", transport=httpx.MockTransport(cluster))
    return OpenSearchKnowledgeBase(client, **kwargs)


def test_a_japanese_question_searches_japanese_bodies_and_both_titles() -> None:
    cluster = Cluster(["shipping-fees#0", "shipping-remote-islands#0"])
    passages = _kb(cluster).search("送料はいくらですか", k=2)
    assert [p.doc_id for p in passages] == ["shipping-fees", "shipping-remote-islands"]
    assert passages[0].score == 1.0
    [(method, path, body)] = cluster.requests
    assert (method, path) == ("POST", "/mangaassist-kb/_search")
    fields = body["query"]["multi_match"]["fields"]
    assert {"text_ja", "title_ja", "title_en"} <= set(fields)
    assert "text_en" not in fields


def test_with_an_embedder_lexical_and_knn_rankings_are_fused() -> None:
    cluster = Cluster(["returns#1", "digital-refunds#1"], knn=["digital-refunds#1", "returns#1"])
    kb = _kb(cluster, embedder=lambda text: [0.1, 0.2, 0.3])
    passages = kb.search("Can Kindle books be refunded?", k=2)
    assert {p.doc_id for p in passages} == {"returns", "digital-refunds"}
    knn = cluster.requests[1][2]["query"]["knn"]["embedding"]
    assert knn["vector"] == [0.1, 0.2, 0.3]


def test_indexing_creates_the_index_with_analyzers_and_bulk_writes_every_chunk() -> None:
    cluster = Cluster([])
    count = _kb(cluster, embedder=lambda text: [0.0] * 4).index_chunks(CHUNKS[:3])
    assert count == 3
    put = next(body for method, _, body in cluster.requests if method == "PUT")
    assert put == index_body(4)
    assert put["mappings"]["properties"]["text_ja"]["analyzer"] == "kuromoji"
    bulk = next(body for _, path, body in cluster.requests if path == "/_bulk")
    lines = bulk.strip().split("\n")
    assert len(lines) == 6
    assert json.loads(lines[0]) == {
        "index": {"_index": "mangaassist-kb", "_id": CHUNKS[0].chunk_id}
    }
    assert len(json.loads(lines[1])["embedding"]) == 4


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(503), KnowledgeBaseUnavailable),
        (httpx.Response(429), KnowledgeBaseUnavailable),
        (httpx.Response(400, text="bad query"), KnowledgeBaseError),
    ],
)
def test_errors_are_mapped(answer: httpx.Response, error: type[Exception]) -> None:
    kb = _kb(lambda request: answer)  # type: ignore[arg-type]
    with pytest.raises(error):
        kb.search("送料")


def test_an_unreachable_cluster_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(KnowledgeBaseUnavailable):
        _kb(refuse).search("送料")  # type: ignore[arg-type]


def test_empty_questions_ask_nothing() -> None:
    cluster = Cluster([])
    assert _kb(cluster).search("   ") == []
    assert cluster.requests == []
