"""Errors of the LLM gateway.

Provider errors are wrapped (``raise ... from exc``) into two kinds that tell
the caller what to do: :class:`LlmUnavailable` may succeed when tried again,
:class:`LlmRejected` never will.
"""

from mangaassist.errors import MangaAssistError


class LlmError(MangaAssistError):
    """The language model did not produce an answer."""


class LlmUnavailable(LlmError):
    """The provider could not be reached, failed (5xx), throttled or timed out; retryable."""


class LlmRejected(LlmError):
    """The provider refused the request itself (a 4xx other than throttling); not retryable."""


class LlmCircuitOpen(LlmUnavailable):
    """Recent calls failed in a row, so the gateway fails fast without calling the provider."""
