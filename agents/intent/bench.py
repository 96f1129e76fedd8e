"""Latency of the intent stage on one core: features, classification, entities.

The floor is the cheapest thing every message costs anyway: NFKC-normalising
the text. Feature extraction is reported on its own so the model's share of
the time is visible.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from agents.entities import extract_entities
from agents.intent.classifier import bundled_classifier
from agents.intent.dataset import load_examples, split
from agents.intent.features import features
from mangaassist.bench import percentiles


def _timings_us(texts: Sequence[str], work: Callable[[str], object], repeats: int) -> list[float]:
    for text in texts[:50]:
        work(text)
    timings = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter_ns()
            work(text)
            timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def run_bench(repeats: int = 5) -> dict[str, Any]:
    """p50/p95/p99 in microseconds over the held-out messages, each timed ``repeats`` times."""
    texts = [example.text for example in split(load_examples(), "held_out")]
    classifier = bundled_classifier()

    def both(text: str) -> None:
        classifier.classify(text)
        extract_entities(text)

    stages: dict[str, Callable[[str], object]] = {
        "floor_normalize": lambda text: unicodedata.normalize("NFKC", text),
        "features": features,
        "classify": classifier.classify,
        "entities": extract_entities,
        "classify_and_entities": both,
    }
    result: dict[str, Any] = {"messages": len(texts), "repeats": repeats, "unit": "us"}
    for name, work in stages.items():
        result[name] = percentiles(_timings_us(texts, work, repeats))
    result["classify_p99_over_floor"] = round(
        result["classify"]["p99"] / max(result["floor_normalize"]["p99"], 1e-9), 1
    )
    return result
