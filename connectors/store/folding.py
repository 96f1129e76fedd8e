"""Fold text into the grams the catalog search matches on.

Japanese has no spaces, so it is cut into characters and character bigrams;
Latin text (English and romaji) into words and into trigrams of the words run
together, which makes "hoshifuru machi" and "hoshifurumachi" look alike and
keeps most of a word's trigrams through a typo. Romaji is folded first so
long-vowel spellings meet: "Kōtetsu", "Koutetsu", "Kootetsu" and "Kotetsu"
all become "kotetsu".
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# Macrons and circumflexes only: a general accent strip (NFKD) would also take
# the dakuten off kana.
_PLAIN_VOWELS = str.maketrans("āīūēōâîûêô", "aiueoaiueo")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_LONG_VOWELS_RE = re.compile(r"([aiue])\1|o[ou]")
# Hepburn writes "m" before b, m and p ("shimbun"), other spellings "n".
_SYLLABIC_M_RE = re.compile(r"m(?=[bp])")
_JAPANESE_RUN_RE = re.compile(
    "[\u3005\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)
_LATIN_WORD_RE = re.compile(r"[a-z0-9]+")
WORD_MARK = "#"


class Grams(NamedTuple):
    # Whole words, marked with WORD_MARK; they reward exact spellings.
    words: frozenset[str]
    # Japanese characters and bigrams, and trigrams of the Latin words run together.
    pieces: frozenset[str]


def fold(text: str) -> str:
    """NFKC (full-width becomes half-width), lowercase, romaji long vowels and katakana folded."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_PLAIN_VOWELS)
    folded = _SYLLABIC_M_RE.sub("n", _LONG_VOWELS_RE.sub(lambda m: m.group()[0], folded))
    return folded.translate(_KATAKANA_TO_HIRAGANA)


def grams(text: str) -> Grams:
    folded = fold(text)
    pieces: set[str] = set()
    japanese_runs = _JAPANESE_RUN_RE.findall(folded)
    for run in japanese_runs:
        pieces.update(run)
        pieces.update(run[i : i + 2] for i in range(len(run) - 1))
    latin_words = _LATIN_WORD_RE.findall(folded)
    joined = "".join(latin_words)
    pieces.update(joined[i : i + 3] for i in range(len(joined) - 2))
    words = {*latin_words, *(run for run in japanese_runs if len(run) > 1)}
    return Grams(frozenset(WORD_MARK + word for word in words), frozenset(pieces))
