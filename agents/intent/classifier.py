"""The two-stage intent classifier and the intent stage built on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from agents.entities import extract_entities
from agents.intent.features import features, rule_verdict
from agents.intent.model import IntentModel, bundled_model
from agents.language import detect_locale
from schemas.events import ChatTurn, UnderstoodTurn, derive_id

# Below this calibrated confidence the intent is a guess: the reply asks the shopper
# to say more instead of answering the wrong question.
MIN_CONFIDENCE = 0.45
# No letters at all ("", "👍👍", "???"): small talk at best, and said with little confidence.
NO_WORDS_CONFIDENCE = 0.2
_HAS_WORD_RE = re.compile(r"[^\W_\d]")

Stage = Literal["rules", "model", "no_words"]


@dataclass(frozen=True, slots=True)
class IntentResult:
    intent: str
    confidence: float
    stage: Stage


class IntentClassifier:
    """Rules for the unambiguous cases they are trusted with, the model for the rest."""

    def __init__(self, model: IntentModel) -> None:
        self._model = model

    @property
    def model(self) -> IntentModel:
        return self._model

    def classify(self, text: str) -> IntentResult:
        if not _HAS_WORD_RE.search(text):
            return IntentResult("chitchat", NO_WORDS_CONFIDENCE, "no_words")
        found = features(text)
        verdict = rule_verdict(found)
        precision = self._model.rule_precision.get(verdict) if verdict else None
        if verdict is not None and precision is not None:
            return IntentResult(verdict, precision, "rules")
        probabilities = self._model.probabilities_of(found)
        best = int(probabilities.argmax())
        return IntentResult(self._model.labels[best], round(float(probabilities[best]), 4), "model")


@cache
def bundled_classifier() -> IntentClassifier:
    return IntentClassifier(bundled_model())


def understand(turn: ChatTurn, classifier: IntentClassifier | None = None) -> UnderstoodTurn:
    """The intent stage: classify the turn and pull out its entities."""
    result = (classifier or bundled_classifier()).classify(turn.text)
    return UnderstoodTurn(
        event_id=derive_id(turn.event_id, "intent"),
        session_id=turn.session_id,
        turn_id=turn.turn_id,
        user_id=turn.user_id,
        locale=detect_locale(turn.text, turn.locale),
        text=turn.text,
        intent=result.intent,
        confidence=result.confidence,
        entities=extract_entities(turn.text),
        received_ts=turn.ts,
    )
