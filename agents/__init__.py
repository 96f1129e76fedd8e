"""The pipeline's stage logic as plain functions: no Kafka, no faust.

Each stage takes one event and returns the next: ``understand`` (ChatTurn to
UnderstoodTurn), ``ground`` (to GroundedTurn), ``generate`` (to reply chunks,
a FinalReply and maybe an Escalation), then ``guard_chunk``/``guard_final``.
``error_reply`` closes a turn that a stage could not handle.
"""

from agents.exceptions import StageError
from agents.fallback import error_reply
from agents.generation import Draft, generate
from agents.guardrail import MAX_REPLY_CHARS, guard_chunk, guard_final, guard_text
from agents.intent import INTENTS, understand
from agents.language import detect_locale
from agents.retrieval import FaqIndex, ground

__all__ = [
    "INTENTS",
    "MAX_REPLY_CHARS",
    "Draft",
    "FaqIndex",
    "StageError",
    "detect_locale",
    "error_reply",
    "generate",
    "ground",
    "guard_chunk",
    "guard_final",
    "guard_text",
    "understand",
]
