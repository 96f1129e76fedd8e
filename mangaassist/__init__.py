"""MangaAssist: an event-driven, bilingual shopping assistant for a manga store."""

__version__ = "0.1.0"
