"""What the intent model sees of a message: words and character n-grams, in both scripts.

Japanese has no spaces, so it is cut into character 1- to 3-grams and into
words in their dictionary form (Sudachi, with the dictionary shipped as a
package); English
into words, word pairs and character 3- to 5-grams of each word, which keep
most of a word's evidence through a typo ("refnd" still shares "ref" with
"refund"). Digits fold to 0, so every order id looks alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from itertools import pairwise

from sudachipy import Dictionary, SplitMode, Tokenizer

from agents.intent.rules import matched_rules, unambiguous_among

_RULE = "r:"
# Long messages carry their intent early; the cap bounds the time a message can cost.
MAX_CHARS = 600
_DIGITS_RE = re.compile(r"\d")
_LATIN_WORD_RE = re.compile(r"[a-z][a-z0'’]*")
_NUMBER_RE = re.compile(r"(?<![a-z0])0+(?![a-z0])")
# Kana, kanji, the long-vowel mark and the 々 repeat mark.
_JAPANESE_RUN_RE = re.compile("[\u3005\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_SKIPPED_PARTS_OF_SPEECH = frozenset({"補助記号", "空白"})
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("order_id", re.compile(r"0{3}-0{7}-0{7}")),
    ("asin", re.compile(r"(?<![a-z0-9])b0[a-z0-9]{8}(?![a-z0-9])")),
    ("yen", re.compile(r"[¥￥]|円|(?<![a-z])yen(?![a-z])")),
    ("question", re.compile(r"[?？]|か$|か[。!！]")),
)


def normalize_for_model(text: str) -> str:
    """NFKC, lowercase, digits as 0, at most :data:`MAX_CHARS` characters."""
    return _DIGITS_RE.sub("0", unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower())


def features(text: str) -> list[str]:
    """The model's features of ``text``; repeats are allowed and counted once by the model."""
    folded = normalize_for_model(text)
    found = ["bias"]
    # The keyword rules' verdicts carry the hand-written lexicon to phrasings training lacks.
    found.extend(_RULE + hit for hit in matched_rules(folded))
    found.extend("shape:" + name for name, pattern in _SHAPES if pattern.search(folded))
    if _NUMBER_RE.search(folded):
        found.append("shape:number")
    words = _LATIN_WORD_RE.findall(folded)
    for word in words:
        found.append("w:" + word)
        found.extend("c:" + gram for gram in _grams(f"<{word}>", (3, 4, 5)))
    found.extend(f"b:{left}_{right}" for left, right in pairwise(words))
    runs = _JAPANESE_RUN_RE.findall(folded)
    for run in runs:
        found.extend("j:" + char for char in run)
        found.extend("j:" + gram for gram in _grams(f"<{run}>", (2, 3)))
    if runs:
        morphemes = [
            m
            for m in _tokenizer().tokenize(folded)
            if m.part_of_speech()[0] not in _SKIPPED_PARTS_OF_SPEECH
        ]
        # Dictionary forms let 届かない, 届いてない and 届きません share the word 届く.
        found.extend("jw:" + morpheme.normalized_form() for morpheme in morphemes)
        # Readings in katakana let へんきん (kana typed without conversion) meet 返金.
        reading = "".join(
            _katakana(m.reading_form())
            for m in morphemes
            if _JAPANESE_RUN_RE.fullmatch(m.surface())
        )
        found.extend("jr:" + gram for gram in _grams(f"<{reading}>", (2, 3)))
    if len(found) == 1 and folded.strip():
        # Nothing but symbols or emoji: the characters themselves are the evidence.
        found.extend("s:" + char for char in folded if not char.isspace())
    return found


def rule_verdict(found: Iterable[str]) -> str | None:
    """The stage-one verdict carried by the rule features of a message, or None."""
    return unambiguous_among(f.removeprefix(_RULE) for f in found if f.startswith(_RULE))


def _grams(text: str, sizes: tuple[int, ...]) -> list[str]:
    return [text[i : i + size] for size in sizes for i in range(len(text) - size + 1)]


def _katakana(text: str) -> str:
    return text.translate(_HIRAGANA_TO_KATAKANA)


@cache
def _tokenizer() -> Tokenizer:
    # Mode B: mid-length units, e.g. 注文履歴 stays one word but 注文した splits.
    return Dictionary(dict="core").tokenizer(mode=SplitMode.B)
