"""Text folded for matching, with a map back to the original characters.

The detectors match on one canonical form: NFKC (full-width letters, digits
and punctuation become ASCII), lower case, invisible characters (zero-width
spaces and joiners, soft hyphens, bidi controls) removed, and dash-like
characters between two digits made "-". Stages that change the text (masking,
corrections) map what they found back to the original with :meth:`Folded.span`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Zero-width and bidi formatting characters: they hide text from a reader and
# split words for a regex ("ig\u200bnore"), so detection never sees them.
INVISIBLE_RE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Dashes people type between digits: the katakana long-vowel mark (IME habit),
# minus, en and em dashes, figure dash, non-breaking hyphen.
_DIGIT_DASH_RE = re.compile("(?<=[0-9])[\u30fc\u2010-\u2015\u2212\uff70](?=[0-9])")


def fold(text: str) -> str:
    """``text`` in the detectors' canonical form, without an offset map."""
    folded = unicodedata.normalize("NFKC", INVISIBLE_RE.sub("", text)).lower()
    return _DIGIT_DASH_RE.sub("-", folded)


@dataclass(frozen=True)
class Folded:
    """Folded text and, for each of its characters, where it came from in the original."""

    original: str
    text: str
    # None when the folded text lines up with the original character for character.
    origin: tuple[int, ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters that ``text[start:end]`` was folded from."""
        if self.origin is None:
            return start, end
        if start >= end:
            position = self.origin[start] if start < len(self.origin) else len(self.original)
            return position, position
        return self.origin[start], self.origin[end - 1] + 1


def fold_with_map(text: str) -> Folded:
    """``text`` folded like :func:`fold`, keeping the way back to the original."""
    if text.isascii():
        lowered = text.lower()
        return Folded(text, _DIGIT_DASH_RE.sub("-", lowered), None)
    if unicodedata.is_normalized("NFKC", text) and not INVISIBLE_RE.search(text):
        lowered = text.lower()
        if len(lowered) == len(text):
            return Folded(text, _DIGIT_DASH_RE.sub("-", lowered), None)
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            folded = char.lower()
        elif INVISIBLE_RE.match(char):
            continue
        else:
            folded = unicodedata.normalize("NFKC", char).lower()
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return Folded(text, _DIGIT_DASH_RE.sub("-", "".join(pieces)), tuple(origin))


def replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied; spans must not overlap."""
    parts: list[str] = []
    kept_from = 0
    for start, end, replacement in sorted(spans):
        if start < kept_from:
            continue
        parts += (text[kept_from:start], replacement)
        kept_from = end
    return "".join(parts) + text[kept_from:]
