"""Cutting text into sentences, in Japanese and English, so that they join back exactly.

Japanese stops (。！？) end a sentence wherever they are; ASCII ones only
before whitespace or the end of the text, and not after an abbreviation
("Vol. 1", "No. 3", "e.g. this"), so a catalog line such as "The Secret Hero,
Vol. 1 (Kindle): ¥614, in stock." stays one sentence. A line break ends a
sentence too. Closing brackets and quotes, and the whitespace after a stop,
stay with the sentence they close.
"""

from __future__ import annotations

import re

_END_RE = re.compile(
    r"[。！？]+[」』）)\"'”’]*[ \t\u3000]*\n*"
    r"|[.!?…]+[\"')\]」』）”’]*(?:[ \t\u3000]+\n*|\n+|\Z)"
    r"|\n+"
)
_WORD_BEFORE_RE = re.compile(r"([A-Za-z][A-Za-z.]*)\Z")
_ABBREVIATIONS = frozenset(
    {
        "vol", "vols", "no", "nos", "nr", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs",
        "etc", "e.g", "i.e", "approx", "p", "pp", "ch", "chap", "ep", "fig", "inc", "co",
        "ltd", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "u.s", "a.m", "p.m",
    }
)  # fmt: skip


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the "." at ``stop`` ends an abbreviation or an initial, not a sentence."""
    if text[stop] != ".":
        return False
    word = _WORD_BEFORE_RE.search(text, max(0, stop - 12), stop)
    if word is None:
        return False
    token = word.group(1).lower().rstrip(".")
    return token in _ABBREVIATIONS or (len(token) == 1 and word.group(1).isupper())


def sentence_ends(text: str) -> list[int]:
    """The offsets where each sentence of ``text`` ends (the last one may be incomplete)."""
    ends: list[int] = []
    for match in _END_RE.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        ends.append(match.end())
    return ends


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``; ``"".join(split_sentences(text)) == text``, none empty."""
    sentences: list[str] = []
    start = 0
    for end in sentence_ends(text):
        if end > start:
            sentences.append(text[start:end])
            start = end
    if start < len(text):
        sentences.append(text[start:])
    return sentences


def complete_prefix(text: str) -> int:
    """How much of a growing ``text`` is made of complete sentences.

    An ASCII stop at the very end is not yet known to end a sentence ("¥1." may
    go on as "¥1.5k", "Vol." as "Vol. 2"); the whitespace after it decides.
    """
    complete = 0
    for end in sentence_ends(text):
        if (
            end == len(text)
            and text[end - 1] in ".!?…\"')]」』）”’"
            and not _closed_by_japanese(text, end)
        ):
            break
        complete = end
    return complete


def _closed_by_japanese(text: str, end: int) -> bool:
    stripped = text[:end].rstrip("」』）)\"'”’")
    return stripped.endswith(("。", "！", "？"))
