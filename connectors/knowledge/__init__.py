"""What the assistant knows: the store's help pages and bilingual retrieval over them.

The pages are synthetic (see ``docs/README.md``). ``LocalKnowledgeBase`` holds
them in memory, cut into chunks and indexed for BM25 with a bilingual glossary;
``OpenSearchKnowledgeBase`` is the production implementation of the same
protocol (BM25 with language analyzers, k-NN when an embedder is given).
"""

from connectors.knowledge.base import KnowledgeBase, Passage
from connectors.knowledge.cli import search_kb_main
from connectors.knowledge.evaluation import EvalQuestion, bundled_questions, recall_at_k
from connectors.knowledge.exceptions import KnowledgeBaseError
from connectors.knowledge.local import LocalKnowledgeBase

__all__ = [
    "EvalQuestion",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LocalKnowledgeBase",
    "Passage",
    "bundled_questions",
    "recall_at_k",
    "search_kb_main",
]
