"""Intent stage: what the shopper wants, in Japanese or English.

Two stages: keyword rules (:mod:`agents.intent.rules`) decide the unambiguous
cases they proved precise on, and a trained linear model over character and
word n-grams (:mod:`agents.intent.model`) decides the rest, with a calibrated
confidence.
"""

from agents.intent.classifier import (
    MIN_CONFIDENCE,
    IntentClassifier,
    IntentResult,
    bundled_classifier,
    understand,
)
from agents.intent.labels import INTENTS

__all__ = [
    "INTENTS",
    "MIN_CONFIDENCE",
    "IntentClassifier",
    "IntentResult",
    "bundled_classifier",
    "understand",
]
