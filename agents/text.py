"""Text helpers shared by the stages: script detection, normalisation, tokens.

Japanese has no spaces, so it is matched on character bigrams; English on
lowercase words. One tokenizer emits both kinds, so a query and an FAQ entry
are always cut the same way whatever their language.
"""

from __future__ import annotations

import re
import unicodedata

# Kana (less the ・ separator), kanji and the 々 repeat mark: what Japanese words are made of.
_KANA_KANJI = (
    "\u3005\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
)
# Any sign of Japanese: those, CJK punctuation and the full-width/half-width forms block.
JAPANESE_RE = re.compile(f"[{_KANA_KANJI}\u3001-\u303f\u30fb\uff00-\uffef]")
LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f]")

# Hyphenated words stay whole: "pre-order" is not about "order".
_WORD_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LETTER_RE = re.compile("[a-z]")
_HIRAGANA = "\u3040-\u309f"
# Every two-character window of Japanese words except all-hiragana ones, which are
# mostly particles and verb endings (です, ます, して). The lookahead makes the
# windows overlap.
_BIGRAM_RE = re.compile(
    f"(?=([{_KANA_KANJI}](?<![{_HIRAGANA}])[{_KANA_KANJI}]"
    f"|[{_HIRAGANA}][{_KANA_KANJI}](?<![{_HIRAGANA}])))"
)
# Function words carry no topic; dropping them keeps them from diluting scores.
# fmt: off
_STOPWORDS = frozenset({
    "an", "the", "is", "are", "am", "was", "were", "be", "been", "me", "my", "you", "your", "we",
    "our", "us", "it", "its", "this", "that", "these", "those", "to", "of", "in", "on", "for",
    "with", "at", "by", "from", "and", "or", "but", "do", "does", "did", "can", "could", "would",
    "will", "should", "please", "there", "here", "any", "some", "have", "has", "had", "so", "if",
    "as", "about", "just", "also", "how", "what", "much", "many", "want", "need", "know", "tell",
})
# fmt: on


def normalize(text: str) -> str:
    """NFKC-fold (full-width letters and digits become ASCII) and lowercase."""
    return unicodedata.normalize("NFKC", text).lower()


def _stem(word: str) -> str:
    # A plural "s" is the only inflection worth folding for short FAQ queries.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str) -> frozenset[str]:
    """English content words plus Japanese character bigrams of ``text``.

    Single letters, stopwords and letterless words are dropped: order ids
    and prices say nothing about the topic.
    """
    folded = normalize(text)
    words = {
        _stem(word)
        for word in _WORD_RE.findall(folded)
        if len(word) > 1 and word not in _STOPWORDS and _LETTER_RE.search(word)
    }
    return frozenset(words.union(_BIGRAM_RE.findall(folded)))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the last one an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
