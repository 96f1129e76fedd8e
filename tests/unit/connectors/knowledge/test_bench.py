import json

from connectors.knowledge.bench import filler_chunks, run_bench
from connectors.knowledge.chunking import chunk_documents
from connectors.knowledge.documents import bundled_documents


def test_run_bench_reports_json_able_percentiles() -> None:
    report = run_bench(searches=30, padded_chunks=300)
    assert json.loads(json.dumps(report)) == report
    assert report["padded"]["chunks"] == 300
    for case in ("knowledge_base", "padded"):
        figures = report[case]
        assert figures["searches"] == 30
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def test_filler_chunks_are_deterministic_and_uniquely_named() -> None:
    source = chunk_documents(bundled_documents())
    first = filler_chunks(source, 50, seed=1)
    assert first == filler_chunks(source, 50, seed=1)
    assert len({chunk.chunk_id for chunk in first}) == 50
    assert {chunk.lang for chunk in first} == {"ja", "en"}
