"""The help-centre documents: Markdown files with a small front-matter header."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.knowledge.exceptions import KnowledgeBaseError

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")
_FENCE = "---"


class Document(BaseModel):
    """One language version of one help page; both versions share ``doc_id``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    lang: Language
    title_ja: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    tags: tuple[str, ...]
    synthetic: Literal[True]
    body: str = Field(min_length=1)

    @property
    def title(self) -> str:
        return self.title_ja if self.lang == "ja" else self.title_en


def parse_document(raw: str, source: str) -> Document:
    """The document in ``raw``; ``source`` names it in errors."""
    lines = raw.strip().splitlines()
    try:
        end = lines.index(_FENCE, 1) if lines[0] == _FENCE else -1
    except ValueError:
        end = -1
    if end < 0:
        raise KnowledgeBaseError(f"{source}: no front matter between '---' lines")
    header: dict[str, object] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if not sep:
            raise KnowledgeBaseError(f"{source}: front-matter line without a colon: {line!r}")
        header[key.strip()] = value.strip()
    header["doc_id"] = header.pop("id", None)
    header["tags"] = tuple(tag.strip() for tag in str(header.get("tags", "")).split(",") if tag)
    header["synthetic"] = header.get("synthetic") == "true"
    header["body"] = "\n".join(lines[end + 1 :]).strip()
    try:
        return Document.model_validate(header)
    except ValidationError as exc:
        raise KnowledgeBaseError(f"{source}: bad document: {exc}") from exc


def load_documents(root: Traversable) -> tuple[Document, ...]:
    """Every ``LANG/*.md`` document under ``root``, sorted by id and language."""
    documents = []
    for lang in LANGUAGES:
        for path in sorted(root.joinpath(lang).iterdir(), key=lambda item: item.name):
            if path.name.endswith(".md"):
                document = parse_document(path.read_text(encoding="utf-8"), f"{lang}/{path.name}")
                if document.lang != lang or f"{document.doc_id}.md" != path.name:
                    raise KnowledgeBaseError(f"{lang}/{path.name}: id or lang disagrees with path")
                documents.append(document)
    if not documents:
        raise KnowledgeBaseError(f"no documents under {root}")
    return tuple(sorted(documents, key=lambda doc: (doc.doc_id, LANGUAGES.index(doc.lang))))


@cache
def bundled_documents() -> tuple[Document, ...]:
    """The synthetic demo store's documents shipped in ``connectors/knowledge/docs``."""
    return load_documents(files("connectors.knowledge").joinpath("docs"))
