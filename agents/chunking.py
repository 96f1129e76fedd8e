"""Cutting a reply into chunks that stream well and join back exactly."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from agents.exceptions import StageError

# Japanese stops end a sentence anywhere; ASCII ones only before whitespace or
# the end, so "1.5" and "e.g.x" stay whole. Trailing whitespace stays with the sentence.
_SENTENCE_END_RE = re.compile(r"(?:[。！？]+[」』）]*|[.!?]+[\"')」』）]*(?=\s|\Z))\s*")
# Whitespace and commas, ideographic and full-width ones included.
_BREAKS = frozenset(" \t\n\u3000、，,")
_ZWJ = "\u200d"
# Characters of words, emails, ids and numbers: no cut between two of them.
_WORDISH_RE = re.compile(r"[0-9A-Za-z@._+\-()]")
_NUMBER_CHARS = frozenset("0123456789()+")


def split_chunks(text: str, max_chars: int) -> list[str]:
    """Whole sentences of ``text`` packed into chunks of at most ``max_chars``.

    ``"".join(split_chunks(text, n)) == text`` always holds, and no chunk is
    empty. A sentence longer than the limit is cut after a space or comma near
    the limit where there is one, and never inside a word, email, number or
    emoji if avoidable. Packing short sentences together keeps the number of
    events per reply (and so the load on every hop) low.
    """
    if max_chars < 1:
        raise StageError(f"max_chars must be at least 1, got {max_chars}")
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        pieces.extend(_cut_long(text[start : match.end()], max_chars))
        start = match.end()
    pieces.extend(_cut_long(text[start:], max_chars))
    return _pack(pieces, max_chars)


def _pack(pieces: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return chunks


def _cut_long(sentence: str, limit: int) -> Iterator[str]:
    while len(sentence) > limit:
        cut = _cut_point(sentence, limit)
        yield sentence[:cut]
        sentence = sentence[cut:]
    if sentence:
        yield sentence


def _cut_point(text: str, limit: int) -> int:
    """Where to end a chunk of ``text`` (longer than ``limit``): a length in 1..limit.

    A chunk that keeps a word, an email or a phone number whole is worth more
    than a chunk close to the limit; masking in the guardrail relies on it.
    """
    near = range(limit, max(1, limit // 2) - 1, -1)
    anywhere = range(limit, 0, -1)
    rules: tuple[tuple[range, Callable[[str, int], bool]], ...] = (
        (near, _after_break),
        (near, _between_words),
        (anywhere, _between_words),
        # Numbers back to back ("090-1234-5678 03-1234-5678"): at least keep each whole.
        (anywhere, _after_space),
        (anywhere, _between_graphemes),
    )
    for lengths, rule in rules:
        for cut in lengths:
            if rule(text, cut):
                return cut
    return limit


def _after_break(text: str, cut: int) -> bool:
    return text[cut - 1] in _BREAKS and _between_words(text, cut)


def _after_space(text: str, cut: int) -> bool:
    return text[cut - 1].isspace() and _between_graphemes(text, cut)


def _between_words(text: str, cut: int) -> bool:
    before, after = text[cut - 1], text[cut]
    joined = _WORDISH_RE.match(before) and _WORDISH_RE.match(after)
    return not joined and not _in_number(text, cut) and _between_graphemes(text, cut)


def _in_number(text: str, cut: int) -> bool:
    # Either side of a space inside "+81 90 1234 5678" or "+1 (415) 555-2671".
    if text[cut - 1].isspace():
        return cut >= 2 and text[cut - 2] in _NUMBER_CHARS and text[cut] in _NUMBER_CHARS
    if text[cut].isspace():
        return (
            cut + 1 < len(text)
            and text[cut - 1] in _NUMBER_CHARS
            and text[cut + 1] in _NUMBER_CHARS
        )
    return False


def _between_graphemes(text: str, cut: int) -> bool:
    following = text[cut]
    attached = (
        unicodedata.category(following) in ("Mn", "Mc", "Me")
        or following == _ZWJ
        or "\U0001f3fb" <= following <= "\U0001f3ff"  # skin-tone modifiers
    )
    return not attached and text[cut - 1] != _ZWJ
