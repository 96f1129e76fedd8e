"""Errors of the analytics warehouse."""

from mangaassist.errors import MangaAssistError


class WarehouseError(MangaAssistError):
    """The warehouse refused a request (bad SQL, missing table, bad data)."""


class WarehouseUnavailable(WarehouseError):
    """The warehouse cannot be reached right now; the same request may succeed later."""
