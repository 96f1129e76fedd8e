"""The bilingual glossary: domain concepts named in Japanese and in English.

A question and a passage that name the same concept in different languages
(送料 and "shipping fee") meet on the concept's id, so a Japanese question can
find an English-only page and the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from agents.text import normalize
from connectors.knowledge.exceptions import KnowledgeBaseError
from connectors.knowledge.tokens import english_words

_SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class Concept:
    concept_id: str
    japanese: tuple[str, ...]
    english: tuple[str, ...]


class Glossary:
    """Finds the concepts a text names, in either language."""

    def __init__(self, concepts: tuple[Concept, ...]) -> None:
        self.concepts = concepts
        # English terms are matched as stemmed word sequences, stopwords kept ("not
        # home" must not shrink to "home"), padded so "card" cannot match "discard".
        self._english = tuple(
            (
                concept.concept_id,
                tuple(
                    f" {' '.join(english_words(normalize(term), keep_stopwords=True))} "
                    for term in concept.english
                ),
            )
            for concept in concepts
        )
        self._japanese = tuple(
            (concept.concept_id, tuple(normalize(term) for term in concept.japanese))
            for concept in concepts
        )

    @classmethod
    def from_tsv(cls, raw: str) -> Glossary:
        concepts = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3:
                raise KnowledgeBaseError(f"glossary line {number}: expected 3 tab-separated fields")
            concept_id, japanese, english = (field.split(_SEPARATOR) for field in fields)
            # A Latin term in the Japanese column ("pt", "jcb") is matched as a word,
            # or "pt" would be found inside "receipt".
            latin = [term for term in japanese if term.isascii()]
            concepts.append(
                Concept(
                    concept_id=concept_id[0],
                    japanese=tuple(term for term in japanese if term and not term.isascii()),
                    english=tuple(term for term in (*english, *latin) if term),
                )
            )
        return cls(tuple(concepts))

    def concepts_in(self, text: str) -> list[str]:
        """Ids of the concepts ``text`` names, once for each language that names them."""
        folded = normalize(text)
        words = f" {' '.join(english_words(folded, keep_stopwords=True))} "
        found = [
            concept_id
            for concept_id, terms in self._japanese
            if any(term in folded for term in terms)
        ]
        found.extend(
            concept_id
            for concept_id, terms in self._english
            if any(term in words for term in terms if term.strip())
        )
        return found


@cache
def bundled_glossary() -> Glossary:
    """The glossary shipped in ``connectors/knowledge/glossary.tsv``."""
    raw = files("connectors.knowledge").joinpath("glossary.tsv").read_text(encoding="utf-8")
    return Glossary.from_tsv(raw)
