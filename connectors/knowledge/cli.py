"""Entry point for ``mangaassist search-kb``."""

from __future__ import annotations

from typing import Any

from connectors.knowledge.local import LocalKnowledgeBase


def search_kb_main(question: str, k: int) -> list[dict[str, Any]]:
    """The bundled knowledge base's ``k`` best passages for ``question``, as JSON-able citations."""
    return [passage.citation() for passage in LocalKnowledgeBase.bundled().search(question, k)]
