"""Token counts estimated from characters, for budgets and for clients that report none.

Tokenizers differ by model; these estimates are deliberately simple and a
little generous. English runs about 4 characters per token; Japanese kana and
kanji about 1.5 characters per token (most take one or two tokens each).
"""

from __future__ import annotations

import math

from agents.text import JAPANESE_RE

CHARS_PER_TOKEN_EN = 4.0
CHARS_PER_TOKEN_JA = 1.5


def estimate_tokens(text: str) -> int:
    """``ceil(japanese_chars / 1.5 + other_chars / 4)``; 0 for the empty string."""
    if not text:
        return 0
    japanese = len(JAPANESE_RE.findall(text))
    other = len(text) - japanese
    return math.ceil(japanese / CHARS_PER_TOKEN_JA + other / CHARS_PER_TOKEN_EN)
