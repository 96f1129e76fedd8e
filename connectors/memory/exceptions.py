"""Errors of the conversation memory."""

from mangaassist.errors import MangaAssistError


class ConversationMemoryError(MangaAssistError):
    """The conversation memory refused a request or holds a conversation it cannot read."""


class MemoryUnavailable(ConversationMemoryError):
    """The memory's backend cannot be reached or answered with an error; a retry may succeed."""
