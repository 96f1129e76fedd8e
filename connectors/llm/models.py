"""What goes to a language model and what streams back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from mangaassist.errors import ConfigurationError

Role = Literal["user", "assistant"]

# Stop reasons are reported in Bedrock's words whatever the provider.
END_TURN = "end_turn"
MAX_TOKENS = "max_tokens"
STOP_SEQUENCE = "stop_sequence"
CONTENT_FILTERED = "content_filtered"


@dataclass(frozen=True, slots=True)
class Message:
    """One turn of the conversation sent to the model."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class LlmRequest:
    """A complete model call: the system prompt, the messages (oldest first) and the limits."""

    system: str
    messages: tuple[Message, ...]
    model: str
    max_tokens: int
    temperature: float

    def __post_init__(self) -> None:
        if not self.model:
            raise ConfigurationError("an LLM request needs a model id")
        if self.max_tokens < 1:
            raise ConfigurationError(f"max_tokens must be at least 1, not {self.max_tokens}")
        if not (0.0 <= self.temperature <= 2.0) or math.isnan(self.temperature):
            raise ConfigurationError(f"temperature must be in [0, 2], not {self.temperature}")
        if not self.messages or self.messages[-1].role != "user":
            raise ConfigurationError("an LLM request must end with a user message")


@dataclass(frozen=True, slots=True)
class TextDelta:
    """The next piece of the answer's text."""

    text: str


@dataclass(frozen=True, slots=True)
class LlmDone:
    """The last event of every successful stream."""

    input_tokens: int
    output_tokens: int
    stop_reason: str


LlmEvent = TextDelta | LlmDone


@dataclass(frozen=True, slots=True)
class Usage:
    """What one answer cost: tokens as the provider counted them, and their price."""

    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
