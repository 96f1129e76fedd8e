"""Index terms: Japanese character bigrams and lightly stemmed English words.

Japanese has no spaces, so every run of kana and kanji is cut into overlapping
two-character windows; a run of one character stands for itself. English is
cut into lowercase words, stopwords dropped, common suffixes folded. Queries
and chunks go through the same function, so the two always agree.
"""

from __future__ import annotations

import re

from agents.text import normalize

# Kana, the long-vowel mark, kanji and the 々 repeat mark (not the ・ separator).
_JAPANESE_RUN_RE = re.compile(
    "[\u3005\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+"
)
_HIRAGANA_RE = re.compile("[\u3040-\u309f]+")
_WORD_RE = re.compile("[a-z0-9]+")
# "doesn't" is one word, "doesnt", as shoppers often type it.
_APOSTROPHE_RE = re.compile("(?<=[a-z])['’](?=[a-z])")
_LETTER_RE = re.compile("[a-z]")
# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "the", "is", "are", "am", "was", "were", "be", "been", "i", "me", "my", "you",
    "your", "we", "our", "us", "it", "its", "this", "that", "these", "those", "to", "of", "in",
    "on", "for", "with", "at", "by", "from", "and", "or", "but", "do", "does", "did", "can",
    "could", "would", "will", "should", "please", "there", "here", "any", "some", "have", "has",
    "had", "so", "if", "as", "about", "just", "also", "what", "whats", "get", "got", "im", "then",
    "than", "they", "them", "not", "no", "one", "all", "only", "which", "who", "when", "where",
    "how", "much", "many", "want", "need", "know", "tell", "still", "yet", "doesnt", "dont",
    "cant", "isnt", "hasnt", "havent", "didnt", "wont", "ive", "id",
})
# fmt: on
# Longest first: "ies" must win over "s". Each strips to at least MIN_STEM letters.
_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_MIN_STEM = 3
_KEEP_ENDINGS = ("ss", "us", "is")


def stem(word: str) -> str:
    """``word`` with one plural or verb ending folded: "shipping", "shipped", "ships" -> "ship"."""
    if word.endswith(_KEEP_ENDINGS):
        return word
    for suffix, replacement in _SUFFIXES:
        stripped = word[: -len(suffix)]
        if word.endswith(suffix) and len(stripped) >= _MIN_STEM:
            if suffix == "es" and not stripped.endswith(("s", "x", "z", "ch", "sh")):
                continue  # "cases" is "case" + "s", not "cas" + "es"
            stripped += replacement
            if replacement == "" and suffix != "s" and _doubled(stripped):
                stripped = stripped[:-1]  # "shipped" -> "shipp" -> "ship"
            return stripped
    return word


def _doubled(word: str) -> bool:
    return len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl"


def english_words(folded: str, keep_stopwords: bool = False) -> list[str]:
    """Stemmed words of already normalised text, in order; content words only unless told."""
    return [
        stem(word)
        for word in _WORD_RE.findall(_APOSTROPHE_RE.sub("", folded))
        if len(word) > 1 and _LETTER_RE.search(word) and (keep_stopwords or word not in _STOPWORDS)
    ]


def japanese_terms(folded: str) -> list[str]:
    """Bigrams of every kana/kanji run, less all-hiragana ones (particles, verb endings)."""
    terms: list[str] = []
    for run in _JAPANESE_RUN_RE.findall(folded):
        if len(run) == 1:
            if not _HIRAGANA_RE.fullmatch(run):
                terms.append(run)
            continue
        terms.extend(
            bigram
            for bigram in (run[i : i + 2] for i in range(len(run) - 1))
            if not _HIRAGANA_RE.fullmatch(bigram)
        )
    return terms


def tokenize(text: str) -> list[str]:
    """Index terms of ``text`` with repeats (BM25 counts them): English words, then bigrams."""
    folded = normalize(text)
    return english_words(folded) + japanese_terms(folded)
