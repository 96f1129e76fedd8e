"""Search latency of the local knowledge base, as is and padded to 10,000 chunks.

Filler chunks are made of sentences drawn at random from the real ones, so
they share the store's vocabulary and lengthen the postings a query walks:
a pessimistic stand-in for a larger catalogue of help pages.
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import time
from collections.abc import Sequence
from itertools import cycle, islice
from typing import Any

from connectors.knowledge.chunking import Chunk, chunk_documents
from connectors.knowledge.documents import LANGUAGES, Language, bundled_documents
from connectors.knowledge.evaluation import bundled_questions
from connectors.knowledge.glossary import bundled_glossary
from connectors.knowledge.local import LocalKnowledgeBase

PADDED_CHUNKS = 10_000
_SENTENCE_RE = re.compile(r"[^。.!?！？]+[。.!?！？]?")
_FILLER_SENTENCES = 4


def filler_chunks(source: Sequence[Chunk], count: int, seed: int = 0) -> list[Chunk]:
    """``count`` synthetic chunks, each a few random sentences of ``source`` in one language."""
    rng = random.Random(seed)
    sentences = {
        lang: [
            s.strip()
            for chunk in source
            if chunk.lang == lang
            for s in _SENTENCE_RE.findall(chunk.text)
        ]
        for lang in LANGUAGES
    }
    fillers = []
    for number in range(count):
        lang: Language = LANGUAGES[number % 2]
        fillers.append(
            Chunk(
                chunk_id=f"filler-{number}#0",
                doc_id=f"filler-{number}",
                lang=lang,
                title=f"Filler {number}",
                title_ja=f"埋め草 {number}",
                title_en=f"Filler {number}",
                tags=(),
                text=" ".join(rng.choices(sentences[lang], k=_FILLER_SENTENCES)),
            )
        )
    return fillers


def _percentile(sorted_values: Sequence[float], share: float) -> float:
    index = min(len(sorted_values) - 1, round(share * (len(sorted_values) - 1)))
    return sorted_values[index]


def _measure(kb: LocalKnowledgeBase, questions: Sequence[str], k: int) -> dict[str, Any]:
    for question in questions[:20]:  # warm caches before timing
        kb.search(question, k)
    timings = []
    for question in questions:
        start = time.perf_counter()
        kb.search(question, k)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "chunks": len(kb.chunks),
        "searches": len(timings),
        "p50_ms": round(_percentile(timings, 0.50), 3),
        "p95_ms": round(_percentile(timings, 0.95), 3),
        "p99_ms": round(_percentile(timings, 0.99), 3),
        "mean_ms": round(statistics.fmean(timings), 3),
        "max_ms": round(timings[-1], 3),
    }


def run_bench(
    searches: int = 2000, k: int = 5, padded_chunks: int = PADDED_CHUNKS, freeze_gc: bool = True
) -> dict[str, Any]:
    """p50/p95/p99 search latency over the evaluation questions, unpadded and padded.

    With ``freeze_gc`` the indexes are moved out of the collector's sight once
    built, as a long-running worker would do after loading them; otherwise
    full collections rescanning millions of postings show up in the tail.
    """
    questions = list(islice(cycle(q.question for q in bundled_questions()), searches))
    chunks = chunk_documents(bundled_documents())
    glossary = bundled_glossary()
    start = time.perf_counter()
    padded = LocalKnowledgeBase(
        [*chunks, *filler_chunks(chunks, max(0, padded_chunks - len(chunks)))], glossary
    )
    padded_build_s = time.perf_counter() - start
    unpadded = LocalKnowledgeBase(chunks, glossary)
    if freeze_gc:
        gc.collect()
        gc.freeze()
    try:
        return {
            "gc_frozen": freeze_gc,
            "knowledge_base": _measure(unpadded, questions, k),
            "padded": {**_measure(padded, questions, k), "build_s": round(padded_build_s, 2)},
        }
    finally:
        if freeze_gc:
            gc.unfreeze()
