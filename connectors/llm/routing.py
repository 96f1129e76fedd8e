"""Which model answers a turn: the small one unless the turn needs the large one.

A turn goes to the large model when its intent is one of
``settings.large_intents`` (recommendations), when the question has several
parts, or when the retrieved context is long (``settings.long_context_tokens``).
Everything else (FAQ, order status, chit-chat, a product's price) goes to the
small model, which answers such turns as well, faster and for less.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from agents.text import normalize
from connectors.llm.settings import LlmSettings
from connectors.llm.tokens import estimate_tokens
from schemas.events import ContextItem

Tier = Literal["small", "large"]

# Question marks (a run counts once) and words that join a second request on.
_QUESTION_MARK_RE = re.compile(r"[?？][?？!！]*")
_JOINER_RE = re.compile(
    r"(?<![a-z])(?:and also|in addition|additionally|another question|one more thing)(?![a-z])"
    r"|それと|それから|あと[、,]|また[、,]|ついでに|もう(?:一つ|ひとつ)"
)


@dataclass(frozen=True, slots=True)
class Complexity:
    """What makes a turn hard: several questions in one, and how much context comes with it."""

    question_parts: int = 1
    context_tokens: int = 0


@dataclass(frozen=True, slots=True)
class ModelChoice:
    model: str
    tier: Tier
    reason: str


def count_question_parts(question: str) -> int:
    """Questions asked: each run of question marks (at least one) plus each joining word.

    "Can I return it? And how long does shipping take?" is 2; 「送料はいくらですか？
    それと、返品はできますか？」 is 3 by this count, which is fine: only "more than
    one" matters.
    """
    folded = normalize(question)
    marks = len(_QUESTION_MARK_RE.findall(folded))
    joiners = len(_JOINER_RE.findall(folded))
    return max(1, marks) + joiners


def assess_complexity(question: str, context_items: Sequence[ContextItem] = ()) -> Complexity:
    context_tokens = sum(estimate_tokens(f"{item.title}\n{item.text}") for item in context_items)
    return Complexity(count_question_parts(question), context_tokens)


def choose_model(intent: str, complexity: Complexity, settings: LlmSettings) -> ModelChoice:
    """The model for a turn of ``intent``; ``reason`` says why, for logs and analytics."""
    if intent in settings.large_intents:
        tier: Tier = "large"
        reason = f"intent {intent}"
    elif complexity.question_parts > 1:
        tier, reason = "large", f"{complexity.question_parts} question parts"
    elif complexity.context_tokens >= settings.long_context_tokens:
        tier, reason = "large", f"long context ({complexity.context_tokens} tokens)"
    else:
        tier, reason = "small", "simple turn"
    return ModelChoice(settings.model_id(tier), tier, reason)
