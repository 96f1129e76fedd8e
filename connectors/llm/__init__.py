"""The LLM gateway: grounded answers streamed from Bedrock, a vLLM server or the embedded generator.

``LlmGateway`` wraps one :class:`LlmClient` with timeouts, retries before the
first token, a circuit breaker, model routing and cost accounting;
:func:`generate_answer` adds the prompt (:func:`build_prompt`) and the Redis
answer cache (:class:`AnswerCache`). ``LocalGroundedClient`` is the embedded
default: extractive, cited, no network. See ``docs/llm.md``.
"""

from connectors.llm.answer import AnswerRequest, AnswerStream, generate_answer
from connectors.llm.base import LlmClient
from connectors.llm.bedrock import BedrockClient, bedrock_runtime_client
from connectors.llm.breaker import CircuitBreaker
from connectors.llm.cache import AnswerCache, CachedAnswer, contains_price, normalize_question
from connectors.llm.costs import usage_cost
from connectors.llm.exceptions import LlmCircuitOpen, LlmError, LlmRejected, LlmUnavailable
from connectors.llm.factory import client_from_settings, gateway_from_settings
from connectors.llm.gateway import LlmGateway
from connectors.llm.local import LocalGroundedClient
from connectors.llm.models import LlmDone, LlmEvent, LlmRequest, Message, TextDelta, Usage
from connectors.llm.openai_compat import OpenAICompatibleClient
from connectors.llm.prompt import PastTurn, PromptView, build_prompt, read_prompt
from connectors.llm.routing import Complexity, ModelChoice, assess_complexity, choose_model
from connectors.llm.settings import LlmSettings, ModelPrice
from connectors.llm.tokens import estimate_tokens

__all__ = [
    "AnswerCache",
    "AnswerRequest",
    "AnswerStream",
    "BedrockClient",
    "CachedAnswer",
    "CircuitBreaker",
    "Complexity",
    "LlmCircuitOpen",
    "LlmClient",
    "LlmDone",
    "LlmError",
    "LlmEvent",
    "LlmGateway",
    "LlmRejected",
    "LlmRequest",
    "LlmSettings",
    "LlmUnavailable",
    "LocalGroundedClient",
    "Message",
    "ModelChoice",
    "ModelPrice",
    "OpenAICompatibleClient",
    "PastTurn",
    "PromptView",
    "TextDelta",
    "Usage",
    "assess_complexity",
    "bedrock_runtime_client",
    "build_prompt",
    "choose_model",
    "client_from_settings",
    "contains_price",
    "estimate_tokens",
    "gateway_from_settings",
    "generate_answer",
    "normalize_question",
    "read_prompt",
    "usage_cost",
]
