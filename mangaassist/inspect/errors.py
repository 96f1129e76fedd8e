"""Errors of the inspection tools: each names what the operator asked for and did not exist."""

from mangaassist.errors import MangaAssistError


class InspectionError(MangaAssistError):
    """A topic, time range or session that does not exist, or a broker that cannot be read."""
