"""Errors of the knowledge base."""

from mangaassist.errors import MangaAssistError


class KnowledgeBaseError(MangaAssistError):
    """The knowledge base's documents, glossary or evaluation data cannot be used."""


class KnowledgeBaseUnavailable(KnowledgeBaseError):
    """The search service cannot be reached or failed; a later retry may succeed."""
