"""Documents cut into passages of about 300 to 600 characters, by heading and paragraph.

A chunk never crosses a heading unless a section is too short to stand alone,
and repeats its section's heading so a passage reads on its own. Chunk ids are
``DOCID#N``, N counting from 0 over the document's Japanese version, then its
English one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from connectors.knowledge.documents import Document, Language

MAX_CHARS = 600
MIN_CHARS = 300
_HEADING_RE = re.compile(r"^#{1,6}\s+(.*)$")
# After a sentence end: Japanese 。！？ or an English . ! ? followed by a space.
_SENTENCE_END_RE = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str
    doc_id: str
    lang: Language
    title: str
    title_ja: str
    title_en: str
    tags: tuple[str, ...]
    text: str


def chunk_documents(documents: Iterable[Document]) -> tuple[Chunk, ...]:
    """Every document's chunks, numbered per document id across its languages."""
    chunks: list[Chunk] = []
    for doc_id, versions in groupby(documents, key=lambda doc: doc.doc_id):
        texts = [(doc, text) for doc in versions for text in split_body(doc.body)]
        chunks.extend(
            Chunk(
                chunk_id=f"{doc_id}#{number}",
                doc_id=doc_id,
                lang=doc.lang,
                title=doc.title,
                title_ja=doc.title_ja,
                title_en=doc.title_en,
                tags=doc.tags,
                text=text,
            )
            for number, (doc, text) in enumerate(texts)
        )
    return tuple(chunks)


def split_body(body: str) -> list[str]:
    """``body`` as passages of at most MAX_CHARS, short neighbours merged."""
    pieces = [
        piece for heading, paragraphs in _sections(body) for piece in _pack(heading, paragraphs)
    ]
    merged: list[str] = []
    for piece in pieces:
        if merged and len(merged[-1]) < MIN_CHARS and len(merged[-1]) + 1 + len(piece) <= MAX_CHARS:
            merged[-1] = f"{merged[-1]}\n{piece}"
        else:
            merged.append(piece)
    return merged


def _sections(body: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [("", [])]
    for block in re.split(r"\n\s*\n", body):
        for line in block.strip().splitlines():
            heading = _HEADING_RE.match(line)
            if heading:
                sections.append((heading.group(1).strip(), []))
            elif line.strip():
                paragraphs = sections[-1][1]
                paragraphs.append(line.strip())
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]


def _pack(heading: str, paragraphs: list[str]) -> list[str]:
    """Paragraphs (long ones cut at sentence ends) packed greedily under ``heading``."""
    budget = MAX_CHARS - len(heading) - 1
    pieces: list[str] = []
    current = ""
    for unit in (part for paragraph in paragraphs for part in _fit(paragraph, budget)):
        if current and len(current) + 1 + len(unit) > budget:
            pieces.append(current)
            current = unit
        else:
            current = f"{current}\n{unit}" if current else unit
    if current:
        pieces.append(current)
    return [f"{heading}\n{piece}" if heading else piece for piece in pieces]


def _fit(paragraph: str, budget: int) -> list[str]:
    if len(paragraph) <= budget:
        return [paragraph]
    parts: list[str] = []
    current = ""
    for sentence in filter(None, _SENTENCE_END_RE.split(paragraph)):
        joined = f"{current} {sentence}" if current else sentence
        if current and len(joined) > budget:
            parts.append(current)
            joined = sentence
        current = joined
    parts.append(current)
    # A sentence longer than the budget is cut bluntly; help pages rarely have one.
    return [part[i : i + budget] for part in parts for i in range(0, len(part), budget)]
