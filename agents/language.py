"""Which language a message is written in."""

from __future__ import annotations

from agents.text import JAPANESE_RE, LATIN_RE
from schemas.events import Locale


def detect_locale(text: str, default: Locale = "ja") -> Locale:
    """ "ja" if ``text`` has any Japanese character, "en" if it has Latin letters, else ``default``.

    Any Japanese wins because a Japanese sentence often quotes English titles,
    while the reverse is rarer.
    """
    if JAPANESE_RE.search(text):
        return "ja"
    if LATIN_RE.search(text):
        return "en"
    return default
