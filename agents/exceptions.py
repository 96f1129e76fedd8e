"""Errors of the pipeline stages."""

from mangaassist.errors import MangaAssistError


class StageError(MangaAssistError):
    """A stage met input or data it cannot work with."""


class IntentModelError(StageError):
    """The intent model or its labelled examples are missing or malformed."""
