"""Errors of the demo store."""

from mangaassist.errors import MangaAssistError


class StoreError(MangaAssistError):
    """The store's data is missing or malformed, or a lookup got an argument it cannot use."""
